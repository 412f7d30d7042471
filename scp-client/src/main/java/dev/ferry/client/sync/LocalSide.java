package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import dev.ferry.delta.DeltaRefused;
import dev.ferry.delta.Listing;
import dev.ferry.delta.Modes;
import dev.ferry.delta.protocol.ListEntry;
import dev.ferry.fs.SourceChangedException;
import dev.ferry.fs.TemporaryName;

/** This machine's files; symbolic links are kept as links (rsync -a), never followed below the top. */
final class LocalSide implements Side {

    private final Path base;
    private final WalkAhead ahead;

    LocalSide(Path base) {
        this(base, null);
    }

    /** @param ahead a walk already under way, taken when this side walks the same path (null: none) */
    LocalSide(Path base, WalkAhead ahead) {
        this.base = base;
        this.ahead = ahead;
    }

    @Override
    public Optional<Entry> stat(String path) throws IOException {
        return entry(path, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public Optional<Entry> statThrough(String path) throws IOException {
        return entry(path);
    }

    private Optional<Entry> entry(String path, LinkOption... options) throws IOException {
        Path p = file(path);
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, options);
            if (a.isOther()) {
                return Optional.empty();
            }
            String link = a.isSymbolicLink() ? Files.readSymbolicLink(p).toString() : null;
            return Optional.of(new Entry(path, a.isDirectory(), link == null ? a.size() : 0,
                    a.lastModifiedTime().toMillis(), Modes.bits(a.permissions()), link));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Tree walk(String path) throws IOException {
        // the walk the server lists its side with: a look-up per entry relative to its directory
        Optional<Tree> walked = ahead == null ? Optional.empty() : ahead.take(path);
        if (walked.isPresent()) {
            return walked.get();
        }
        SortedMap<String, Entry> all = new TreeMap<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        try {
            Listing.walk(file(path), new Listing.Visitor() {
                @Override
                public void visit(ListEntry e) {
                    all.put(e.path(), new Entry(e.path(), e.directory(), e.size(), e.mtimeMillis(), e.mode(), e.link()));
                }

                @Override
                public void unreadable(String below, IOException cause) {
                    // rsync goes on past an unreadable directory, and so does a sync
                    unreadable.put(below, reason(cause));
                }
            });
        } catch (DeltaRefused e) {
            throw new LocalFailure(resolve(path) + ": " + e.getMessage());
        }
        return new Tree(all, unreadable);
    }

    /** Why a directory could not be read, in the words ls and scp use (the exception's message is its path). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof SourceChangedException) {
            return SourceChangedException.REASON; // the report names the file already
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A failure of this machine's files, told as it is: not the server's. */
    static final class LocalFailure extends IOException {
        LocalFailure(String message) {
            super(message);
        }
    }

    @Override
    public void mkdir(String path) throws IOException {
        Files.createDirectories(file(path));
    }

    @Override
    public Map<String, String> mkdirs(List<String> paths) {
        Map<String, String> failed = new LinkedHashMap<>();
        for (String p : paths) {
            try {
                mkdir(p);
            } catch (IOException e) {
                failed.put(p, reason(e));
            }
        }
        return failed;
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        // Made under a temporary name beside it, then renamed over whatever is there: rename(2)
        // replaces a file or link in one step, so the old one stays until the new one is whole.
        Path link = file(path);
        Path temporary = link.resolveSibling(TemporaryName.of(link.getFileName().toString(), ".ferry-link-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16)));
        Files.createSymbolicLink(temporary, Path.of(target));
        try {
            Files.move(temporary, link, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    @Override
    public Map<String, String> setDirectories(Map<String, Entry> dirs) {
        Map<String, String> failed = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> d : dirs.entrySet()) {
            try {
                Modes.set(Files.getFileAttributeView(file(d.getKey()), PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS), d.getValue().mode(), d.getValue().mtimeMillis());
            } catch (IOException e) {
                failed.put(d.getKey(), reason(e));
            }
        }
        return failed;
    }

    @Override
    public Map<String, String> setLinkTimes(Map<String, Long> links) {
        Map<String, String> failed = new LinkedHashMap<>();
        for (Map.Entry<String, Long> l : links.entrySet()) {
            try {
                // utimensat with AT_SYMLINK_NOFOLLOW: the link's time, never its target's
                Files.getFileAttributeView(file(l.getKey()), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.fromMillis(l.getValue()), null, null);
            } catch (IOException e) {
                failed.put(l.getKey(), reason(e));
            }
        }
        return failed;
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

    Path file(String path) {
        return path.isEmpty() ? base : base.resolve(path);
    }
}
