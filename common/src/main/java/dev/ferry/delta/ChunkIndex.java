package dev.ferry.delta;

import java.util.HashMap;
import java.util.Map;

import dev.ferry.cdc.ChunkDigest;

/**
 * The sender's lookup of the receiver's old chunks: by truncated digest, the index of the first old
 * chunk with it. A chunk of the new file that is found here is sent as a reference to
 * the old one instead of its bytes.
 */
public final class ChunkIndex {

    /** The key: a digest's first bytes (up to 16, zero-padded). */
    private record Key(long high, long low) {
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

    /**
     * Adds the next old chunk, whose digest is {@code digestLength} bytes of {@code digests} from
     * {@code offset} (chunks are numbered in the order they are added).
     */
    void add(byte[] digests, int offset) {
        put(digests, offset, chunks);
    }

    /**
     * Adds old chunk {@code index}, whose digest is {@code digestLength} bytes of {@code digests}
     * from {@code offset}: the detail of a two-level signature, whose chunks are not all there.
     */
    void put(byte[] digests, int offset, long index) {
        first.putIfAbsent(key(digests, offset), index);
        chunks++;
    }

    /** Adds old chunk {@code index}, known to have the full digest {@code digest}. */
    void put(ChunkDigest digest, long index) {
        first.putIfAbsent(key(digest), index);
        chunks++;
    }

    /** Old chunks added (some perhaps under a digest another one has). */
    public long chunks() {
        return chunks;
    }

    /** The index of an old chunk with this digest, or -1. */
    public long find(ChunkDigest digest) {
        Long index = first.get(key(digest));
        return index == null ? -1 : index;
    }

    /** The digest's first digestLength bytes, as key() reads them from a signature. */
    private Key key(ChunkDigest digest) {
        long high = digest.high();
        long low = digest.low();
        if (digestLength < 8) {
            high &= -1L << (64 - 8 * digestLength);
            low = 0;
        } else if (digestLength < 16) {
            low &= digestLength == 8 ? 0 : -1L << (128 - 8 * digestLength);
        }
        return new Key(high, low);
    }

    private Key key(byte[] digest, int offset) {
        long high = 0;
        long low = 0;
        for (int i = 0; i < digestLength; i++) {
            long b = digest[offset + i] & 0xffL;
            if (i < 8) {
                high |= b << (56 - 8 * i);
            } else {
                low |= b << (56 - 8 * (i - 8));
            }
        }
        return new Key(high, low);
    }
}
