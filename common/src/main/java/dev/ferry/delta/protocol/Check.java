package dev.ferry.delta.protocol;

import java.util.Objects;

/**
 * The checks the record constructors share, so that every limit is worded the same way. They throw
 * {@link IllegalArgumentException}; {@link MessageReader} turns those into a
 * {@link ProtocolException} with the same sentence when the value came from the peer.
 */
final class Check {

    private Check() {
    }

    /** {@code value} within {@code min..max}; {@code what} names it with its article ("a path"). */
    static long range(String what, String unit, long value, long min, long max) {
        if (value < min) {
            if (min == 0) {
                throw new IllegalArgumentException(what + " may not be negative, got " + value);
            }
            throw new IllegalArgumentException(of(what, unit, value) + " is below the minimum of " + min);
        }
        if (value > max) {
            throw new IllegalArgumentException(of(what, unit, value) + " exceeds the limit of " + max);
        }
        return value;
    }

    static int range(String what, String unit, int value, int min, int max) {
        return (int) range(what, unit, (long) value, min, max);
    }

    static long fileSize(String what, long size) {
        return range(what, "bytes", size, 0, Limits.MAX_FILE_SIZE);
    }

    /** A path as the server will resolve it within the user's root; the root jail is its business. */
    static String path(String path) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a path may not be empty");
        }
        // NUL ends a string in every C API a path will reach; "a\0b" would name "a" there.
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a path may not contain a NUL character");
        }
        range("a path", "bytes", Utf8.encode(path, "a path").length, 1, Limits.MAX_PATH_BYTES);
        return path;
    }

    /**
     * A path below a listed directory, as a listing names it: '/'-separated names, none of them
     * empty, "." or "..", so that joining it to a local directory can never leave that directory.
     */
    static String relativePath(String path) {
        path(path);
        for (String name : path.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw new IllegalArgumentException("a listed path must be names below the listed directory, got \""
                        + path.replace("\"", "\\\"") + "\"");
            }
        }
        return path;
    }

    static int mode(int mode) {
        if (mode < 0 || mode > Limits.MAX_MODE) {
            throw new IllegalArgumentException("a file mode must be within 0 and 07777 (octal), got "
                    + (mode < 0 ? Integer.toString(mode) : "0" + Integer.toOctalString(mode)));
        }
        return mode;
    }

    /** A file's average chunk size: a power of two the chunker can aim at. */
    static int chunkAverage(int average) {
        range("an average chunk size", "bytes", average, Limits.MIN_CHUNK_SIZE, Limits.MAX_CHUNK_SIZE);
        if (Integer.bitCount(average) != 1) {
            throw new IllegalArgumentException("an average chunk size must be a power of two, got " + average);
        }
        return average;
    }

    static int digestLength(int length) {
        return range("a digest", "bytes", length, Limits.MIN_DIGEST_BYTES, Limits.MAX_DIGEST_BYTES);
    }

    private static String of(String what, String unit, long value) {
        return what + " of " + (unit.isEmpty() ? Long.toString(value) : count(value, unit));
    }

    /** "1 byte", "2 bytes", "1 capability": sentences a user reads should not say "1 bytes". */
    static String count(long n, String pluralUnit) {
        if (n != 1) {
            return n + " " + pluralUnit;
        }
        if (pluralUnit.endsWith("ies")) {
            return n + " " + pluralUnit.substring(0, pluralUnit.length() - 3) + "y";
        }
        return n + " " + (pluralUnit.endsWith("s") ? pluralUnit.substring(0, pluralUnit.length() - 1) : pluralUnit);
    }
}
