package dev.ferry.cdc;

import java.util.Objects;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * Runs of consecutive chunks, cut by content as chunks are: a group ends after a chunk whose
 * digest has its low {@value #BITS} bits zero (32 chunks on average), or at {@value #MAX_CHUNKS}
 * chunks. An edit changes the group it falls in, and the groups re-synchronise after it as chunks
 * do after an edit of bytes. Each group is named by the XXH3-64 of its chunks' full digests.
 *
 * <p>The coarse level of a two-level signature: the receiver of a large file sends one name per
 * group instead of one digest per chunk, and the sender asks for the chunks of the groups it did
 * not find. Both ends group their own chunks with this class, so the rule is part of the protocol.
 * Simulated on 1 GiB at 8 KiB chunks (docs/benchmarks-delta.md): a 64 MiB append needs 43 kB of
 * signature instead of 1.05 MB, 1000 insertions 0.40 MB.
 */
public final class ChunkGroups {

    /** Low bits of a chunk digest that, all zero, end a group. */
    public static final int BITS = 5;

    /** The most chunks in a group, so that a run of unlucky digests still ends. */
    public static final int MAX_CHUNKS = 128;

    private static final long MASK = (1L << BITS) - 1;

    /** Takes each group as it ends. */
    @FunctionalInterface
    public interface Sink {

        /**
         * @param firstChunk the index of the group's first chunk, counted from 0 over all groups
         * @param chunkCount how many chunks it has, 1 to {@value #MAX_CHUNKS}
         * @param name       the XXH3-64 of the chunks' digests, each as high then low 64 bits
         */
        void group(long firstChunk, int chunkCount, long name);
    }

    private final Sink sink;
    private final HashStream64 hash = Hashing.xxh3_64().hashStream();
    private long chunks;
    private long first;
    private int count;

    public ChunkGroups(Sink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** The next chunk's digest, in file order. */
    public void add(ChunkDigest digest) {
        hash.putLong(digest.high()).putLong(digest.low());
        count++;
        chunks++;
        if ((digest.low() & MASK) == 0 || count == MAX_CHUNKS) {
            finish();
        }
    }

    /** Ends the last group, however short: the end of the file ends it. */
    public void end() {
        if (count > 0) {
            finish();
        }
    }

    /** Chunks added so far. */
    public long chunks() {
        return chunks;
    }

    private void finish() {
        sink.group(first, count, hash.getAsLong());
        first = chunks;
        count = 0;
        hash.reset();
    }
}
