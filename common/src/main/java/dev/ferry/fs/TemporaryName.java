package dev.ferry.fs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hidden name a file is written under beside its target before it is renamed into place:
 * {@code .NAME} and a suffix that says what it is. A name may be as long as the file system allows
 * (255 bytes on Linux, macOS and the rest), and the temporary one is longer than the name, so a
 * long name is cut and a digest of the whole name put in its place: the temporary name stays
 * within the limit, the same for the same name (a resumed copy finds its partial file), and
 * different for two long names that share their beginning.
 */
public final class TemporaryName {

    /** The longest name, in bytes of UTF-8, that common file systems take (NAME_MAX). */
    public static final int MAX_NAME_BYTES = 255;

    /** Hex digits of the whole name's digest kept in a cut name. */
    private static final int DIGEST_HEX = 16;

    private TemporaryName() {
    }

    /** {@code "." + name + suffix}, with {@code name} cut if the whole would exceed {@link #MAX_NAME_BYTES}. */
    public static String of(String name, String suffix) {
        int room = MAX_NAME_BYTES - 1 - utf8Length(suffix);
        if (utf8Length(name) <= room) {
            return "." + name + suffix;
        }
        String mark = "~" + digest(name);
        return "." + prefix(name, room - mark.length()) + mark + suffix;
    }

    /** The longest beginning of {@code name} of at most {@code bytes} UTF-8 bytes, never half a character. */
    private static String prefix(String name, int bytes) {
        int used = 0;
        int i = 0;
        while (i < name.length()) {
            int cp = name.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + size > bytes) {
                break;
            }
            used += size;
            i += Character.charCount(cp);
        }
        return name.substring(0, i);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String digest(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, DIGEST_HEX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
