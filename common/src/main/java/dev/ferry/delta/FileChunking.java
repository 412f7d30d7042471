package dev.ferry.delta;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.Limits;

/**
 * How one file is cut and how long its signature's digests are, chosen by the client from the sizes
 * of both copies and named in the request, so both sides cut alike.
 *
 * <p>The chunk size follows rsync's block size, the square root of the file's size, divided by
 * four and rounded down to a power of two: an edit costs about one chunk of literal bytes (a bit
 * more, since the chunk holding an edit tends to be a long one), while each chunk costs a digest
 * in the signature, so small chunks pay where files are small and edits dense (source trees,
 * databases), large ones where files are huge. It is 256 bytes up to 1 MiB, 1 KiB at 16 MiB,
 * 2 KiB at 100 MB, the session's 8 KiB at 1 GiB, and 64 KiB at most.
 *
 * <p>The digest is cut to what the chunk counts need: a new chunk falsely matches an old one with
 * probability about {@code oldChunks * newChunks / 2^bits}; {@link #MARGIN_BITS} more bits make that
 * one file in millions, and such a file fails its whole-file digest and goes again with full digests.
 *
 * @param params       the chunk sizes for this file (the session's shape around its average)
 * @param digestLength bytes of each chunk digest in the signature
 */
public record FileChunking(ChunkerParams params, int digestLength) {

    /** The smallest average chunk: 128-byte minimum chunks are still twice the Gear hash's window. */
    public static final int MIN_AVERAGE = 256;

    /** The largest average chunk, for files of 64 GiB and more. */
    public static final int MAX_AVERAGE = 64 * 1024;

    /** Bits of digest beyond what the chunk counts use up: a false match in about 2^-24 of files. */
    static final int MARGIN_BITS = 24;

    /** The longest first-pass digest; a second pass uses all {@link ChunkDigest#BYTES}. */
    static final int MAX_FIRST_DIGEST = 12;

    /**
     * @param session the session's shape ({@code ChunkingSpec})
     * @param oldSize the receiver's copy, -1 when it has none
     * @param newSize the sender's copy
     */
    public static FileChunking choose(ChunkerParams session, long oldSize, long newSize) {
        long size = Math.max(Math.max(oldSize, newSize), 1);
        long target = (long) Math.sqrt((double) size) / 4;
        int average = (int) Math.max(MIN_AVERAGE, Math.min(MAX_AVERAGE, Long.highestOneBit(Math.max(target, 1))));
        ChunkerParams params = session.withAverage(average);
        int bits = bitsFor(Math.max(oldSize, 0) / params.min() + 1) + bitsFor(Math.max(newSize, 0) / params.min() + 1)
                + MARGIN_BITS;
        int digest = Math.max(Limits.MIN_DIGEST_BYTES, Math.min(MAX_FIRST_DIGEST, (bits + 7) / 8));
        return new FileChunking(params, digest);
    }

    /** The same chunks with full-length digests: the second pass after a false match. */
    public FileChunking fullDigests() {
        return new FileChunking(params, ChunkDigest.BYTES);
    }

    /** Whether a failed first pass can go again with longer digests. */
    public boolean canRetry() {
        return digestLength < ChunkDigest.BYTES;
    }

    private static int bitsFor(long count) {
        return 64 - Long.numberOfLeadingZeros(count);
    }
}
