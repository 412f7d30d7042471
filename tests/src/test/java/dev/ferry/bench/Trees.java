package dev.ferry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/** The trees the tree benchmark copies, made on tmpfs, and the edits its syncs bring across. */
final class Trees {

    private Trees() {
    }

    /**
     * {@code dirs} directories of {@code perDir} random files of {@code size} bytes each. One
     * generator for the whole tree: RandomFile makes a megabyte per call, which for 100,000 files
     * of 1 KiB would take minutes.
     */
    static Path random(Path top, int dirs, int perDir, int size, long seed) throws IOException {
        TransferBenchmark.deleteTree(top);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] bytes = new byte[size];
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectories(top.resolve(String.format("d%02d", d)));
            for (int f = 0; f < perDir; f++) {
                random.nextBytes(bytes);
                Files.write(dir.resolve(String.format("f%05d.bin", f)), bytes);
            }
        }
        return top;
    }

    /** A source release unpacked: a real tree of many small text files in deep directories. */
    static Path sources(Path jar, Path top) throws IOException {
        TransferBenchmark.deleteTree(top);
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing (scripts/bench-trees copies it from Maven's repository)");
        }
        return DeltaBenchmark.unpackJar(jar, top);
    }

    /**
     * The first {@code n} files of a tree in listing order, with their directories, as a tree of
     * their own: what a tool that takes minutes on the whole tree is timed on (its files/s and
     * MB/s on the part stand for the whole, as its cost is per file).
     */
    static Path firstFiles(Path tree, int n, Path top) throws IOException {
        TransferBenchmark.deleteTree(top);
        List<String> files = Listing.of(tree).filePaths();
        for (String f : files.subList(0, Math.min(n, files.size()))) {
            Path to = top.resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(tree.resolve(f), to, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return top;
    }

    /**
     * The edit of the "one file changed" sync: a line appended, so the size changes, and the time
     * set to now, as an editor's save does (rsync's quick check sees either).
     */
    static void appendLine(Path file) throws IOException {
        Files.writeString(file, "// edited " + Instant.now() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    }

    /** A file of {@code size} random bytes: the "one file of the same total size" a tree is compared with. */
    static Path oneFile(Path file, long size) throws IOException {
        dev.ferry.client.cli.RandomFile.write(file, size, 5);
        return file;
    }
}
