package dev.ferry.delta;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkGroups;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.StreamChunker;
import dev.ferry.delta.protocol.FileDigest;

/**
 * The sender's first pass over a new file for a two-level signature: every chunk's length and full
 * digest, its groups (as the receiver groups its own) and the size, 20 bytes a chunk. The
 * instructions are sent in a second pass, once the sender knows which old chunks it has, which
 * reads only the bytes that go as literals; the whole-file digest is taken by a third, alongside the second
 * ({@link Ahead}).
 */
final class NewChunks {

    private int[] lengths = new int[1024];
    private long[] highs = new long[1024];
    private long[] lows = new long[1024];
    private int count;
    private long size;
    private int[] groupFirsts = new int[64];
    private long[] groupNames = new long[64];
    private int groups;

    private NewChunks() {
    }

    /**
     * The passes over the new file that need nothing from the receiver, on their own thread: the
     * chunks while the receiver chunks its old file for the groups (each side on its own core),
     * then the whole-file digest while the instructions go out and the receiver applies them. Done
     * in line, the two made a 1 GiB file's sender the slowest step: 1.3 s before its first
     * instruction (with SHA-256; XXH3-128, the default, costs a sixth of that, but off the critical
     * path it costs nothing at all, whichever the request named).
     */
    static final class Ahead {

        private final CompletableFuture<NewChunks> chunks = new CompletableFuture<>();
        private final CompletableFuture<byte[]> digest = new CompletableFuture<>();
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final FileDigest kind;

        Ahead(Path file, ChunkerParams params, FileDigest kind) {
            this.kind = kind;
            Thread thread = new Thread(() -> {
                try {
                    chunks.complete(of(file, params, cancelled));
                    digest.complete(cancelled.get() ? new byte[0] : FileHash.of(file, kind));
                } catch (IOException | RuntimeException | Error e) {
                    chunks.completeExceptionally(e);
                    digest.completeExceptionally(e);
                }
            }, "ferry-delta-new-file");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits for the chunks of the new file. */
        NewChunks chunks() throws IOException {
            return join(chunks);
        }

        /** The kind of {@link #digest()}. */
        FileDigest kind() {
            return kind;
        }

        /** Waits for the whole-file digest of the new file. */
        byte[] digest() throws IOException {
            return join(digest);
        }

        /** The passes are not wanted (the file goes whole, or the signature has one level): they stop soon. */
        void cancel() {
            cancelled.set(true);
        }

        private static <T> T join(CompletableFuture<T> future) throws IOException {
            try {
                return future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the new file was read");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IOException(e.getCause());
            }
        }
    }

    /** Chunks, digests and groups {@code file}, stopping early (with what it has) once {@code cancelled} is set. */
    private static NewChunks of(Path file, ChunkerParams params, AtomicBoolean cancelled) throws IOException {
        NewChunks c = new NewChunks();
        ChunkGroups grouping = new ChunkGroups(c::group);
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            StreamChunker chunks = new StreamChunker(params, in, Signature.bufferFor(params, in.size()));
            while (!cancelled.get() && chunks.next()) {
                ChunkDigest d = ChunkDigest.of(chunks.buffer(), chunks.bufferOffset(), chunks.length());
                c.add(chunks.length(), d);
                grouping.add(d);
            }
        }
        grouping.end();
        return c;
    }

    private void add(int length, ChunkDigest d) {
        if (count == lengths.length) {
            lengths = Arrays.copyOf(lengths, count * 2);
            highs = Arrays.copyOf(highs, count * 2);
            lows = Arrays.copyOf(lows, count * 2);
        }
        lengths[count] = length;
        highs[count] = d.high();
        lows[count] = d.low();
        count++;
        size += length;
    }

    private void group(long firstChunk, int chunkCount, long name) {
        if (groups == groupFirsts.length) {
            groupFirsts = Arrays.copyOf(groupFirsts, groups * 2);
            groupNames = Arrays.copyOf(groupNames, groups * 2);
        }
        groupFirsts[groups] = Math.toIntExact(firstChunk);
        groupNames[groups] = name;
        groups++;
    }

    int count() {
        return count;
    }

    int length(int chunk) {
        return lengths[chunk];
    }

    ChunkDigest digest(int chunk) {
        return new ChunkDigest(highs[chunk], lows[chunk]);
    }

    long size() {
        return size;
    }

    int groups() {
        return groups;
    }

    int groupFirst(int group) {
        return groupFirsts[group];
    }

    /** The chunks of a group: up to the next group's first, or the last chunk (groups cover all). */
    int groupCount(int group) {
        return (group + 1 < groups ? groupFirsts[group + 1] : count) - groupFirsts[group];
    }

    long groupName(int group) {
        return groupNames[group];
    }
}
