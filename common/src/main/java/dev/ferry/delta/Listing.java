package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.ListBatch;
import dev.ferry.delta.protocol.ListEnd;
import dev.ferry.delta.protocol.ListEntry;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;

/**
 * A directory tree, listed for the other side in one answer: the server walks it and streams the
 * entries ({@link #send}); the client collects them ({@link #receive}) and walks its own side the
 * same way ({@link #walk}). Symbolic links are listed as links, with what they point to, and never
 * followed, as rsync -a keeps them; devices and pipes are left out.
 */
public final class Listing {

    /** Bytes of paths (and links' targets) in one batch before it goes, so that batches stay a few packets long. */
    private static final int BATCH_PATH_BYTES = 32 * 1024;

    private Listing() {
    }

    /** Told of each entry of a walk, parents before what they hold. */
    @FunctionalInterface
    public interface Visitor {
        void visit(ListEntry entry) throws IOException;

        /**
         * A directory below the top could not be read (or read to its end); by default the walk
         * ends with {@link DeltaRefused}. A visitor that returns lets the walk go on without what
         * that directory holds, as rsync goes on past an unreadable directory.
         */
        default void unreadable(String path, IOException cause) throws IOException {
            throw refused(path, cause);
        }
    }

    /**
     * What a listing shows of a link's target: the text it holds, as seen from where the listing is
     * read; null to leave the link out.
     */
    @FunctionalInterface
    public interface LinkView {
        /** The text itself, for a directory listed as it is (the client's own files). */
        LinkView AS_IS = (path, target) -> target;

        /** @param path the link's path below the listed directory */
        String shown(String path, String target);
    }

    /** {@link #send(Path, MessageWriter, LinkView)} showing links as they are. */
    public static long send(Path top, MessageWriter out) throws IOException {
        return send(top, out, LinkView.AS_IS);
    }

    /**
     * Sends every file, directory and link below {@code top}, a directory, then a {@link ListEnd}; each
     * directory before what it holds; each link's target as {@code links} shows it. Does not flush.
     *
     * @throws DeltaRefused a directory cannot be read, or there are too many entries; the entries
     *                      already sent are for the peer to drop when the Failure comes
     */
    public static long send(Path top, MessageWriter out, LinkView links) throws IOException {
        List<ListEntry> batch = new ArrayList<>();
        int[] batchBytes = {0};
        long[] count = {0};
        walk(top, listed -> {
            ListEntry entry = listed;
            if (listed.symbolicLink()) {
                String shown = links.shown(listed.path(), listed.link());
                if (shown == null) {
                    return;
                }
                entry = ListEntry.link(listed.path(), listed.mtimeMillis(), listed.mode(), shown);
            }
            count[0]++;
            batch.add(entry);
            batchBytes[0] += entry.path().length() + (entry.symbolicLink() ? entry.link().length() : 0);
            if (batch.size() == Limits.MAX_LIST_BATCH || batchBytes[0] >= BATCH_PATH_BYTES) {
                out.write(new ListBatch(batch));
                batch.clear();
                batchBytes[0] = 0;
            }
        });
        if (!batch.isEmpty()) {
            out.write(new ListBatch(batch));
        }
        out.write(new ListEnd(count[0]));
        return count[0];
    }

    /**
     * Tells {@code visitor} of every file, directory and symbolic link below {@code top}, a
     * directory, each directory before what it holds, with its path relative to {@code top}; returns
     * how many. Links are told with what they point to and never followed; devices and pipes are
     * not told.
     *
     * <p>Where the platform can (Linux, macOS), each directory is read through the one above it,
     * by name relative to the open directory and never through a link (openat and fstatat with
     * O_NOFOLLOW), so a walk that starts inside a root stays in it even if someone swaps a
     * directory for a link during the walk, and costs one system call per entry: looking each path
     * up from the top (what a walk by paths does, and on ferryd's confined root a realpath each)
     * made a listing of 2,600 files take 150 ms of ferryd's CPU in 24,000 readlink calls.
     *
     * @throws DeltaRefused a directory cannot be read, or there are more than
     *                      {@link Limits#MAX_LIST_ENTRIES} entries
     */
    public static long walk(Path top, Visitor visitor) throws IOException {
        Walk walk = new Walk(visitor);
        DirectoryStream<Path> first = walk.open(top, "");
        try (first) {
            if (first instanceof SecureDirectoryStream<Path> secure) {
                walk.below(secure, "");
                return walk.count;
            }
        }
        walk.byPaths(top);
        return walk.count;
    }

    /** One walk's state: the visitor and the count so far. */
    private static final class Walk {
        private final Visitor visitor;
        private long count;

        Walk(Visitor visitor) {
            this.visitor = visitor;
        }

        /** A directory met in a walk: its name in its parent, its path below the top. */
        private record Subdirectory(Path name, String path) {
        }

        /** Everything below the open directory {@code dir} (at {@code under} relative to the top). */
        void below(SecureDirectoryStream<Path> dir, String under) throws IOException {
            List<Subdirectory> subdirectories = new ArrayList<>();
            try {
                for (Path child : dir) {
                    Path name = child.getFileName();
                    PosixFileAttributes a;
                    try {
                        a = dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                                .readAttributes();
                    } catch (NoSuchFileException gone) {
                        continue; // removed since the directory was read
                    } catch (IOException e) {
                        unreadable(under, e); // a directory that may be read but not searched (r--)
                        return;
                    }
                    String path = join(under, name.toString());
                    if (visit(path, FileFacts.of(a, Modes.bits(a.permissions())), child)) {
                        subdirectories.add(new Subdirectory(name, path));
                    }
                }
            } catch (DirectoryIteratorException e) {
                unreadable(under, e.getCause());
                return; // what it held past the error, subdirectories included, is not listed
            }
            for (Subdirectory s : subdirectories) {
                SecureDirectoryStream<Path> sub;
                try {
                    sub = dir.newDirectoryStream(s.name(), LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    unreadable(s.path(), e);
                    continue;
                }
                try (sub) {
                    below(sub, s.path());
                }
            }
        }

        /** The same walk by whole paths, where the platform has no secure directory streams. */
        void byPaths(Path top) throws IOException {
            Deque<Path> dirs = new ArrayDeque<>();
            Deque<String> names = new ArrayDeque<>();
            dirs.add(top);
            names.add("");
            while (!dirs.isEmpty()) {
                Path dir = dirs.poll();
                String under = names.poll();
                DirectoryStream<Path> opened;
                try {
                    opened = Files.newDirectoryStream(dir);
                } catch (IOException e) {
                    unreadable(under, e);
                    continue;
                }
                try (DirectoryStream<Path> children = opened) {
                    for (Path child : children) {
                        // the path below the top built name by name: relativize() on a top such as
                        // "/../../dir" would answer with the dots
                        String path = join(under, child.getFileName().toString());
                        FileFacts f = FileFacts.of(child, LinkOption.NOFOLLOW_LINKS);
                        if (f != null && visit(path, f, child)) {
                            dirs.add(child);
                            names.add(path);
                        }
                    }
                } catch (DirectoryIteratorException e) {
                    unreadable(under, e.getCause());
                }
            }
        }

        /** The top cannot be done without; a directory below it is for the visitor to judge. */
        private void unreadable(String under, IOException e) throws IOException {
            if (under.isEmpty()) {
                throw refused(under, e);
            }
            visitor.unreadable(under, e);
        }

        DirectoryStream<Path> open(Path dir, String under) throws DeltaRefused {
            try {
                return Files.newDirectoryStream(dir);
            } catch (IOException e) {
                throw refused(under, e);
            }
        }

        /** Tells the visitor of a file, directory or link ({@code file} itself); true if it was a directory. */
        private boolean visit(String path, FileFacts f, Path file) throws IOException {
            if (!f.regularFile() && !f.directory() && !f.symbolicLink()) {
                return false; // a device, a pipe, a socket
            }
            ListEntry entry;
            if (f.symbolicLink()) {
                // Read by path: Java has no readlinkat. The parent was just read through its open
                // descriptor, so only a swap of a directory above since then could make this read
                // another link, and all it yields is the text that link holds.
                String to;
                try {
                    to = Files.readSymbolicLink(file).toString();
                } catch (NoSuchFileException | NotLinkException gone) {
                    return false; // replaced since the directory was read
                }
                if (to.isEmpty() || to.indexOf('\0') >= 0) {
                    return false; // cannot be made again anywhere
                }
                entry = ListEntry.link(path, f.mtimeMillis(), f.mode(), to);
            } else {
                entry = new ListEntry(path, f.directory(), f.directory() ? 0 : f.size(), f.mtimeMillis(), f.mode());
            }
            if (++count > Limits.MAX_LIST_ENTRIES) {
                throw new DeltaRefused("more than " + Limits.MAX_LIST_ENTRIES + " files and directories to list");
            }
            visitor.visit(entry);
            return f.directory();
        }


        private static String join(String under, String name) {
            return under.isEmpty() ? name : under + "/" + name;
        }
    }

    private static DeltaRefused refused(String under, IOException e) {
        return new DeltaRefused("cannot read directory " + (under.isEmpty() ? "." : under) + ": "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }

    /** Reads a listing to its {@link ListEnd}; a {@link Failure} in its place (or after some batches) is thrown. */
    public static List<ListEntry> receive(MessageReader in) throws IOException {
        List<ListEntry> entries = new ArrayList<>();
        while (true) {
            DeltaMessage m = in.readRequired("the listing");
            if (m instanceof ListBatch batch) {
                if (entries.size() + batch.entries().size() > Limits.MAX_LIST_ENTRIES) {
                    throw new ProtocolException("the listing exceeds " + Limits.MAX_LIST_ENTRIES + " entries");
                }
                entries.addAll(batch.entries());
            } else if (m instanceof ListEnd end) {
                if (end.entries() != entries.size()) {
                    throw new ProtocolException("the listing ended after " + entries.size() + " entries but counts "
                            + end.entries());
                }
                return entries;
            } else if (m instanceof Failure f) {
                throw new DeltaFailure(f.reason());
            } else {
                throw new ProtocolException("expected the listing, got " + m.type());
            }
        }
    }
}
