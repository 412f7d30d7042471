package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a tree holds, cheaply: each entry's path under the top with its size ({@link #DIRECTORY}
 * for a directory). A received tree is compared with its source by listing, so that a tool that
 * exits 0 but left out a file or a directory, or cut one short, does not make a row; reading every
 * byte back would cost more than some of the copies it checks.
 */
record Listing(SortedMap<String, Long> entries) {

    static final long DIRECTORY = -1;

    static Listing of(Path top) throws IOException {
        SortedMap<String, Long> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(top)) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                entries.put(top.relativize(p).toString(), a.isDirectory() ? DIRECTORY : a.size());
            }
        }
        return new Listing(entries);
    }

    int files() {
        return (int) entries.values().stream().filter(size -> size != DIRECTORY).count();
    }

    long bytes() {
        return entries.values().stream().filter(size -> size != DIRECTORY).mapToLong(Long::longValue).sum();
    }

    /** The regular files' paths, in order. */
    List<String> filePaths() {
        return entries.entrySet().stream().filter(e -> e.getValue() != DIRECTORY).map(Map.Entry::getKey).toList();
    }

    /** Up to {@code max} differences of a received tree from this one (its source), in words; none when they agree. */
    List<String> differences(Listing received, int max) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : entries.entrySet()) {
            Long got = received.entries.get(e.getKey());
            if (got == null) {
                out.add(e.getKey() + " missing");
            } else if (!got.equals(e.getValue())) {
                out.add(e.getKey() + ": " + describe(got) + " instead of " + describe(e.getValue()));
            }
            if (out.size() >= max) {
                return out;
            }
        }
        for (String extra : received.entries.keySet()) {
            if (!entries.containsKey(extra)) {
                out.add(extra + " not in the source");
                if (out.size() >= max) {
                    break;
                }
            }
        }
        return out;
    }

    private static String describe(long size) {
        return size == DIRECTORY ? "a directory" : size + " bytes";
    }
}
