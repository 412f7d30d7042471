package dev.ferry.delta;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkGroups;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.StreamChunker;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.GroupBatch;
import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.SignatureBatch;
import dev.ferry.delta.protocol.SignatureEnd;
import dev.ferry.delta.protocol.SignatureStop;

/**
 * Step one: the receiver chunks its old file and sends each chunk's truncated digest, in batches
 * as it reads, so the sender can take them in while the rest is still being read. Batches
 * start small and double, so the sender soon has a first sample to judge the file by, and each is
 * flushed at once; between batches the receiver looks for the sender's {@link SignatureStop}.
 */
public final class Signature {

    /** The first batch: 256 chunks, about 2 MiB of the old file at the default chunk size. */
    static final int FIRST_BATCH = 256;

    /**
     * The largest batch: 1024 chunks, 8 MiB of the old file at 8 KiB chunks, 8 KB at 8-byte
     * digests; a stop is looked for after each, so a stopped signature reads at most this much more.
     */
    static final int BATCH = 1024;

    /** Asked between batches whether the sender wants the signature to end where it is. */
    @FunctionalInterface
    public interface StopCheck {

        /** Never stop: nothing but the rest of the signature is wanted. */
        StopCheck NEVER = () -> false;

        boolean stopRequested() throws IOException;

        /**
         * A stop check that reads the peer's stream: anything there while a stoppable signature is
         * in progress must be a {@link SignatureStop}, since the peer promised to send nothing else.
         */
        static StopCheck reading(MessageReader in) {
            return () -> {
                if (!in.ready()) {
                    return false;
                }
                DeltaMessage m = in.readRequired("a stoppable signature");
                if (m instanceof SignatureStop) {
                    return true;
                }
                if (m instanceof Failure f) {
                    throw new DeltaFailure(f.reason());
                }
                throw new ProtocolException("expected nothing or SignatureStop during a signature, got " + m.type());
            };
        }
    }

    /**
     * The largest batch of a two-level signature, in chunks: about 256 groups, 2.3 KB. Only the
     * first batches are read early (for the sample), so later ones can be larger than one level's.
     */
    static final int GROUP_BATCH = 8192;

    /**
     * What the receiver sent: where the chunks are, whether it stopped early, and for a two-level
     * signature the fine level that answers the sender's {@code DetailRequest} (else null).
     */
    public record Sent(Basis basis, boolean stopped, GroupDetail detail) {

        Sent(Basis basis, boolean stopped) {
            this(basis, stopped, null);
        }
    }

    private Signature() {
    }

    /**
     * Sends the signature of {@code old}, read from its start (null: there is none), and returns where
     * its chunks are; the channel stays open, for the patch to copy from. Flushes after each full batch, so the sender can start on a large file early; the end is left
     * for the caller to flush before it next waits, so a tree of small files' signatures goes out in
     * a few packets rather than one each.
     */
    public static Sent send(FileChannel old, ChunkerParams params, int digestLength, MessageWriter out,
            StopCheck stop) throws IOException {
        return send(old, params, digestLength, out, stop, false);
    }

    /**
     * As above; with {@code grouped}, an old file of at most {@link Limits#MAX_GROUPED_CHUNKS}
     * chunks is signed with two levels: groups now, the chunks of the groups the sender asks for
     * later ({@link Sent#detail()}).
     */
    public static Sent send(FileChannel old, ChunkerParams params, int digestLength, MessageWriter out,
            StopCheck stop, boolean grouped) throws IOException {
        if (old == null) {
            out.write(SignatureEnd.NO_OLD_FILE);
            return new Sent(Basis.NONE, false);
        }
        if (grouped && mayGroup(old.size(), params)) {
            return sendGrouped(old, params, digestLength, out, stop);
        }
        Basis basis = new Basis();
        int batchSize = FIRST_BATCH;
        byte[] digests = new byte[batchSize * digestLength];
        int inBatch = 0;
        long batchBytes = 0;
        boolean stopped = stop.stopRequested(); // a sender that knew before the first batch
        if (!stopped) {
            StreamChunker chunks = new StreamChunker(params, old.position(0), bufferFor(params, old.size()));
            while (chunks.next()) {
                ChunkDigest.of(chunks.buffer(), chunks.bufferOffset(), chunks.length())
                        .writeTo(digests, inBatch * digestLength, digestLength);
                inBatch++;
                batchBytes += chunks.length();
                basis.add(chunks.offset(), chunks.length());
                if (inBatch == batchSize) {
                    out.write(new SignatureBatch(digestLength, batchBytes, digests));
                    out.flush();
                    batchSize = Math.min(BATCH, batchSize * 2);
                    digests = new byte[batchSize * digestLength];
                    inBatch = 0;
                    batchBytes = 0;
                    if (stop.stopRequested()) {
                        stopped = true;
                        break;
                    }
                }
            }
            if (!stopped && inBatch > 0) {
                out.write(new SignatureBatch(digestLength, batchBytes, Arrays.copyOf(digests, inBatch * digestLength)));
            }
        }
        out.write(new SignatureEnd(true, basis.end(), basis.count())); // the chunks sent, all or not
        return new Sent(basis, stopped);
    }

    /** Whether a file of {@code size} has few enough chunks for a two-level signature at either end. */
    public static boolean mayGroup(long size, ChunkerParams params) {
        return size / params.min() + 1 <= Limits.MAX_GROUPED_CHUNKS;
    }

    private static Sent sendGrouped(FileChannel old, ChunkerParams params, int digestLength, MessageWriter out,
            StopCheck stop) throws IOException {
        Basis basis = new Basis();
        GroupDetail detail = new GroupDetail(digestLength, basis);
        GroupBatcher batcher = new GroupBatcher(basis, detail);
        ChunkGroups groups = new ChunkGroups(batcher);
        int batchSize = FIRST_BATCH;
        boolean stopped = stop.stopRequested();
        if (!stopped) {
            StreamChunker chunks = new StreamChunker(params, old.position(0), bufferFor(params, old.size()));
            while (chunks.next()) {
                ChunkDigest d = ChunkDigest.of(chunks.buffer(), chunks.bufferOffset(), chunks.length());
                detail.addChunk(d);
                basis.add(chunks.offset(), chunks.length());
                groups.add(d); // may end a group, and so fill the batch
                if (batcher.chunks >= batchSize) {
                    out.write(batcher.take());
                    out.flush();
                    batchSize = Math.min(GROUP_BATCH, batchSize * 2);
                    if (stop.stopRequested()) {
                        stopped = true;
                        break;
                    }
                }
            }
            if (!stopped) {
                groups.end();
                if (batcher.groups > 0) {
                    out.write(batcher.take());
                }
            }
        }
        // Stopped, the chunks after the last group sent are not the sender's to copy.
        if (stopped) {
            basis.truncate(Math.toIntExact(batcher.ended));
        }
        out.write(new SignatureEnd(true, basis.end(), basis.count()));
        return new Sent(basis, stopped, detail);
    }

    /** Gathers ended groups into the next {@code GroupBatch}. */
    private static final class GroupBatcher implements ChunkGroups.Sink {

        private final Basis basis;
        private final GroupDetail detail;
        private long[] names = new long[64];
        private int[] counts = new int[64];
        private int groups;
        private long chunks;
        private long bytes;
        private long ended; // chunks in all groups ended so far

        GroupBatcher(Basis basis, GroupDetail detail) {
            this.basis = basis;
            this.detail = detail;
        }

        @Override
        public void group(long firstChunk, int chunkCount, long name) {
            if (groups == names.length) {
                names = Arrays.copyOf(names, groups * 2);
                counts = Arrays.copyOf(counts, groups * 2);
            }
            names[groups] = name;
            counts[groups] = chunkCount;
            groups++;
            chunks += chunkCount;
            bytes += basis.span(firstChunk, chunkCount);
            ended += chunkCount;
            detail.addGroup(firstChunk);
        }

        GroupBatch take() {
            GroupBatch batch = new GroupBatch(bytes, Arrays.copyOf(names, groups), Arrays.copyOf(counts, groups));
            groups = 0;
            chunks = 0;
            bytes = 0;
            return batch;
        }
    }

    /**
     * An upper bound on the bytes of the signature of an old file of {@code oldSize} (every chunk
     * at the minimum size), for bounding how much signature may be on its way unread.
     */
    static long estimateBytes(long oldSize, ChunkerParams params, int digestLength) {
        return Math.max(oldSize, 0) / params.min() * digestLength + 64;
    }

    /**
     * A chunker buffer no larger than the file needs (but at least one maximal chunk): a tree of
     * small files should not cost a megabyte of garbage each.
     */
    static int bufferFor(ChunkerParams params, long fileSize) {
        long wanted = Math.min(StreamChunker.defaultBufferSize(params), Math.max(fileSize, 1));
        return (int) Math.max(params.max(), wanted);
    }

    /** Looks at the signature as it arrives and may ask for it to end; see {@link WholeOrDelta}. */
    @FunctionalInterface
    public interface Cutoff {

        Cutoff NEVER = (index, groups, covered, first) -> false;

        /**
         * @param index   the chunks so far (none when the signature comes in groups)
         * @param groups  the groups so far, or null when the signature has one level
         * @param covered bytes of the old file they cover
         * @param first   whether this is the first batch
         * @return true to ask the receiver to stop
         */
        boolean stopAfter(ChunkIndex index, OldGroups groups, long covered, boolean first);

        /** The signature ended, {@code covered} bytes of the old file in all. */
        default void ended(long covered) {
        }
    }

    /**
     * What the sender got: the index (one level) or the groups (two levels; the index is then
     * empty), and whether it asked for the signature to end early.
     */
    public record Received(ChunkIndex index, OldGroups groups, long covered, boolean stopped) {

        /** The old file's chunks the signature described. */
        public long oldChunks() {
            return groups != null ? groups.chunks() : index.chunks();
        }
    }

    /**
     * The sender's side: reads batches until the end of the signature, asking {@code cutoff} after
     * each whether to send a {@link SignatureStop} (then the rest is read as it comes).
     */
    public static Received receive(MessageReader in, MessageWriter out, int digestLength, Cutoff cutoff)
            throws IOException {
        return receive(in, out, digestLength, false, cutoff);
    }

    /** As above; with {@code grouped}, the signature may come in groups ({@code GroupBatch}). */
    public static Received receive(MessageReader in, MessageWriter out, int digestLength, boolean grouped,
            Cutoff cutoff) throws IOException {
        ChunkIndex index = new ChunkIndex(digestLength);
        OldGroups groups = null;
        long covered = 0;
        boolean first = true;
        boolean stopped = false;
        while (true) {
            DeltaMessage m = in.readRequired("the signature");
            if (m instanceof GroupBatch batch) {
                if (!grouped || index.chunks() > 0) {
                    throw new ProtocolException(grouped ? "a signature may not mix SignatureBatch and GroupBatch"
                            : "got GroupBatch where a one-level signature was asked for");
                }
                if (groups == null) {
                    groups = new OldGroups();
                }
                for (int i = 0; i < batch.count(); i++) {
                    groups.add(batch.name(i), batch.chunkCount(i));
                }
                if (groups.chunks() > Limits.MAX_GROUPED_CHUNKS) {
                    throw new ProtocolException("a two-level signature of more than " + Limits.MAX_GROUPED_CHUNKS
                            + " chunks exceeds the limit");
                }
                covered += batch.bytes();
            } else if (m instanceof SignatureBatch batch) {
                if (groups != null) {
                    throw new ProtocolException("a signature may not mix SignatureBatch and GroupBatch");
                }
                if (batch.digestLength() != digestLength) {
                    throw new ProtocolException("the signature has digests of " + batch.digestLength()
                            + " bytes where " + digestLength + " were asked for");
                }
                byte[] digests = batch.digests();
                for (int offset = 0; offset < digests.length; offset += digestLength) {
                    index.add(digests, offset);
                }
                covered += batch.bytes();
            } else if (m instanceof SignatureEnd end) {
                Received received = new Received(index, groups, covered, stopped);
                if (end.chunkCount() != received.oldChunks() || end.oldFileSize() != covered) { // the batches' sums
                    throw new ProtocolException("the signature ended after " + received.oldChunks() + " chunks of "
                            + covered + " bytes but counts " + end.chunkCount() + " chunks of " + end.oldFileSize());
                }
                cutoff.ended(covered);
                return received;
            } else if (m instanceof Failure f) {
                throw new DeltaFailure(f.reason());
            } else {
                throw new ProtocolException("expected the signature, got " + m.type());
            }
            // a batch of either level came
            if (!stopped && cutoff.stopAfter(index, groups, covered, first)) {
                out.write(SignatureStop.INSTANCE);
                out.flush();
                stopped = true;
            }
            first = false;
        }
    }
}
