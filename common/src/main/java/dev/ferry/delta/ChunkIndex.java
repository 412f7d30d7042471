package dev.ferry.delta;

import java.util.HashMap;
import java.util.Map;

import dev.ferry.cdc.ChunkDigest;

/**
 * The sender's lookup of the receiver's old chunks: by length and truncated digest, the index of the
 * first old chunk with them. A chunk of the new file that is found here is sent as a reference to
 * the old one instead of its bytes.
 */
public final class ChunkIndex {

    /** The key: a chunk's length and its digest's first bytes (up to 16, zero-padded). */
    private record Key(int length, long high, long low) {
    }

    private final Map<Key, Long> first = new HashMap<>();
    private final int digestLength;
    private long chunks;

    /** An empty index for digests of {@code digestLength} bytes: nothing matches (whole-file mode). */
    public ChunkIndex(int digestLength) {
        if (digestLength < 1 || digestLength > ChunkDigest.BYTES) {
            throw new IllegalArgumentException("digests of 1..16 bytes can be matched, not " + digestLength);
        }
        this.digestLength = digestLength;
    }

    public int digestLength() {
        return digestLength;
    }

    /** Adds the next old chunk (chunks are numbered in the order they are added). */
    void add(int length, byte[] digest) {
        first.putIfAbsent(key(length, digest), chunks);
        chunks++;
    }

    /** Old chunks added. */
    public long chunks() {
        return chunks;
    }

    /** The index of an old chunk with this length and digest, or -1. */
    public long find(int length, ChunkDigest digest) {
        Long index = first.get(key(length, digest.toBytes(digestLength)));
        return index == null ? -1 : index;
    }

    private static Key key(int length, byte[] digest) {
        long high = 0;
        long low = 0;
        for (int i = 0; i < digest.length; i++) {
            long b = digest[i] & 0xffL;
            if (i < 8) {
                high |= b << (56 - 8 * i);
            } else {
                low |= b << (56 - 8 * (i - 8));
            }
        }
        return new Key(length, high, low);
    }
}
