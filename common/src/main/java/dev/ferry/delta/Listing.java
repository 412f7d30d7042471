package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
 * entries ({@link #send}); the client collects them ({@link #receive}). Symbolic links are neither
 * followed nor listed, nor are special files, as a sync leaves them alone.
 */
public final class Listing {

    /** Bytes of paths in one batch before it goes, so that batches stay a few packets long. */
    private static final int BATCH_PATH_BYTES = 32 * 1024;

    private Listing() {
    }

    /**
     * Sends every file and directory below {@code top}, a directory, then a {@link ListEnd}; breadth
     * first, each directory before what it holds. Does not flush.
     *
     * @throws DeltaRefused a directory cannot be read, or there are too many entries; the entries
     *                      already sent are for the peer to drop when the Failure comes
     */
    public static long send(Path top, MessageWriter out) throws IOException {
        // Each directory with its path below the top, built name by name: relativize() on a top
        // such as "/../../dir" would answer with the dots.
        Deque<Path> dirs = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        dirs.add(top);
        names.add("");
        List<ListEntry> batch = new ArrayList<>();
        int batchBytes = 0;
        long count = 0;
        while (!dirs.isEmpty()) {
            Path dir = dirs.poll();
            String under = names.poll();
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    String name = child.getFileName().toString();
                    ListEntry entry = entry(under.isEmpty() ? name : under + "/" + name, child);
                    if (entry == null) {
                        continue;
                    }
                    if (entry.directory()) {
                        dirs.add(child);
                        names.add(entry.path());
                    }
                    if (++count > Limits.MAX_LIST_ENTRIES) {
                        throw new DeltaRefused("more than " + Limits.MAX_LIST_ENTRIES + " files and directories to list");
                    }
                    batch.add(entry);
                    batchBytes += entry.path().length();
                    if (batch.size() == Limits.MAX_LIST_BATCH || batchBytes >= BATCH_PATH_BYTES) {
                        out.write(new ListBatch(batch));
                        batch.clear();
                        batchBytes = 0;
                    }
                }
            } catch (DeltaRefused e) {
                throw e;
            } catch (IOException e) {
                throw new DeltaRefused("cannot read directory " + (under.isEmpty() ? "." : under) + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        if (!batch.isEmpty()) {
            out.write(new ListBatch(batch));
        }
        out.write(new ListEnd(count));
        return count;
    }

    /** The entry for {@code child}, or null for what a listing leaves out (links, devices, pipes). */
    private static ListEntry entry(String path, Path child) throws IOException {
        FileFacts f = FileFacts.of(child, LinkOption.NOFOLLOW_LINKS);
        if (f == null || (!f.regularFile() && !f.directory())) {
            return null; // gone since the directory was read, or a link, a device, a pipe
        }
        return new ListEntry(path, f.directory(), f.directory() ? 0 : f.size(), f.mtimeMillis(), f.mode());
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
