package dev.ferry.cdc;

/**
 * One chunk of a file or stream: {@code length} bytes from {@code offset}.
 */
public record Chunk(long offset, int length) {

    public Chunk {
        if (offset < 0) {
            throw new IllegalArgumentException("chunk offset must not be negative, got " + offset);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("chunk length must be positive, got " + length);
        }
    }

    /** The offset just past the chunk: the next chunk's offset. */
    public long end() {
        return offset + length;
    }
}
