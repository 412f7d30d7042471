package dev.ferry.cdc;

/**
 * A chunk with its digest: one entry of a file's signature.
 */
public record DigestedChunk(long offset, int length, ChunkDigest digest) {

    public DigestedChunk {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("a chunk needs offset >= 0 and length > 0, got " + offset + ", " + length);
        }
        if (digest == null) {
            throw new IllegalArgumentException("digest is null");
        }
    }

    public Chunk chunk() {
        return new Chunk(offset, length);
    }
}
