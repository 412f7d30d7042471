package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.ferry.delta.Modes;

/** This machine's files; symbolic links are skipped, as rsync does without -l. */
final class LocalSide implements Side {

    private final Path base;

    LocalSide(Path base) {
        this.base = base;
    }

    @Override
    public Optional<Entry> stat(String path) throws IOException {
        Path p = file(path);
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink() || a.isOther()) {
                return Optional.empty();
            }
            return Optional.of(new Entry(path, a.isDirectory(), a.size(), a.lastModifiedTime().toMillis(),
                    Modes.bits(a.permissions())));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public SortedMap<String, Entry> walk(String path) throws IOException {
        SortedMap<String, Entry> all = new TreeMap<>();
        Path root = file(path);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString().replace('\\', '/');
                stat(Side.join(path, rel)).ifPresent(e -> all.put(rel, withPath(e, rel)));
            }
        }
        return all;
    }

    @Override
    public void mkdir(String path) throws IOException {
        Files.createDirectories(file(path));
    }

    @Override
    public void delete(Entry entry) throws IOException {
        Files.deleteIfExists(file(entry.path()));
    }

    @Override
    public InputStream read(String path) throws IOException {
        return Files.newInputStream(file(path));
    }

    @Override
    public String resolve(String path) {
        return file(path).toString();
    }

    private static Entry withPath(Entry e, String path) {
        return new Entry(path, e.directory(), e.size(), e.mtimeMillis(), e.mode());
    }

    Path file(String path) {
        return path.isEmpty() ? base : base.resolve(path);
    }
}
