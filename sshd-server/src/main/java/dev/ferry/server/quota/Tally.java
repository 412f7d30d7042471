package dev.ferry.server.quota;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * What a root holds: the bytes of its regular files (their sizes) and how many there are. Links
 * are not followed and not counted, nor are directories; Ferry's own temporary files count, since
 * they take space while they exist.
 */
public record Tally(long bytes, long files) {

    /** Walks {@code root}, never following a link; what cannot be read is left out. */
    public static Tally of(Path root) throws IOException {
        long[] sum = new long[2];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    sum[0] += attrs.size();
                    sum[1]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // unreadable or gone since it was listed
            }
        });
        return new Tally(sum[0], sum[1]);
    }

    /** Bytes as a user reads them: {@code 340 B}, {@code 10 GiB}, {@code 1.2 GiB}. */
    public static String size(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = Math.min(units.length, (63 - Long.numberOfLeadingZeros(bytes)) / 10);
        long whole = 1L << (10 * unit);
        if (bytes % whole == 0) {
            return (bytes / whole) + " " + units[unit - 1];
        }
        return String.format(Locale.ROOT, "%.1f %s", bytes / (double) whole, units[unit - 1]);
    }

    /** {@code 1.2 GiB in 340 files}. */
    @Override
    public String toString() {
        return size(bytes) + " in " + files + (files == 1 ? " file" : " files");
    }
}
