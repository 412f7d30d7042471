package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * Instruction: append {@code count} consecutive chunks of the receiver's old file, starting at chunk
 * {@code firstChunk}, to the new file. Runs rather than single chunks, because an unchanged region
 * is many chunks in a row and one message should cover it.
 *
 * <p>Indices are longs: a file of 2^50 bytes cut at the smallest chunk size has more than 2^31
 * chunks. Whether the run lies within the receiver's signature is for the receiver to check.
 *
 * <p>Wire: int64 first chunk, int32 count.
 *
 * @param firstChunk index of the first chunk to copy, from 0
 * @param count      chunks to copy, 1 or more
 */
public record CopyChunks(long firstChunk, int count) implements DeltaMessage {

    static final int MAX_BODY = 8 + 4;

    public CopyChunks {
        Check.range("a first chunk index", "", firstChunk, 0, Limits.MAX_FILE_SIZE - 1);
        Check.range("a chunk count", "", count, 1, Integer.MAX_VALUE);
        Check.range("a chunk run end", "", firstChunk + count, 1, Limits.MAX_FILE_SIZE);
    }

    /** The index after the last chunk copied. */
    public long endChunk() {
        return firstChunk + count;
    }

    @Override
    public MessageType type() {
        return MessageType.COPY_CHUNKS;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeLong(firstChunk);
        out.writeInt(count);
    }

    static CopyChunks read(BodyReader in) throws ProtocolException {
        return new CopyChunks(in.i64(), in.i32());
    }
}
