package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One chunk of the receiver's old file: its length and its digest, cut to the negotiated length.
 * Not a message of its own; {@link SignatureBatch} carries these. A chunk's index is its position
 * in the whole signature, counting across batches from 0.
 *
 * <p>The digest is copied in and out, so a record once built never changes.
 *
 * @param length the chunk's length, 1 to {@value Limits#MAX_CHUNK_SIZE}
 * @param digest {@value Limits#MIN_DIGEST_BYTES} to {@value Limits#MAX_DIGEST_BYTES} bytes
 */
public record ChunkSignature(int length, byte[] digest) {

    public ChunkSignature {
        Check.range("a chunk length", "bytes", length, 1, Limits.MAX_CHUNK_SIZE);
        Objects.requireNonNull(digest, "digest");
        Check.digestLength(digest.length);
        digest = digest.clone();
    }

    /** A copy of the digest. */
    @Override
    public byte[] digest() {
        return digest.clone();
    }

    public int digestLength() {
        return digest.length;
    }

    /** Whether {@code candidate} begins with this digest: the sender's full digest against a cut one. */
    public boolean matches(byte[] candidate) {
        return candidate.length >= digest.length
                && Arrays.equals(digest, 0, digest.length, candidate, 0, digest.length);
    }

    void write(DataOutput out) throws IOException {
        out.writeInt(length);
        out.write(digest);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChunkSignature that && length == that.length && Arrays.equals(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return 31 * length + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "ChunkSignature[length=" + length + ", digest=" + Hex.of(digest) + "]";
    }
}
