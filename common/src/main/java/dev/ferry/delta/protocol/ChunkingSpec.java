package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * How the receiver of a file cuts its old copy into chunks and digests them, and so how the sender
 * cuts the new one: both must cut alike for chunks to match. Sent by the client after the hellos,
 * before its first request; its chunker and shape hold for every file of the session, and each
 * request names the average for its file, this one scaled by a power of two (minimum and maximum
 * scale with it). A server that will not chunk this way answers with a {@link Failure}.
 *
 * <p>Wire: int32 chunker version, int32 minimum, int32 average, int32 maximum, uint8 digest length.
 *
 * @param chunkerVersion which cut-point algorithm of {@code dev.ferry.cdc}; a changed algorithm gets
 *                       a new number, so cut points never change under an existing one
 * @param minSize        no chunk but the last is shorter, at least {@value Limits#MIN_CHUNK_SIZE}
 * @param avgSize        the size the chunker aims at
 * @param maxSize        no chunk is longer, at most {@value Limits#MAX_CHUNK_SIZE}
 * @param digestLength   bytes of each chunk's digest in a signature, {@value Limits#MIN_DIGEST_BYTES}
 *                       to {@value Limits#MAX_DIGEST_BYTES}
 */
public record ChunkingSpec(int chunkerVersion, int minSize, int avgSize, int maxSize, int digestLength)
        implements DeltaMessage {

    static final int MAX_BODY = 4 * 4 + 1;

    public ChunkingSpec {
        Check.range("a chunker version", "", chunkerVersion, 1, Integer.MAX_VALUE);
        Check.range("a minimum chunk size", "bytes", minSize, Limits.MIN_CHUNK_SIZE, Limits.MAX_CHUNK_SIZE);
        Check.range("an average chunk size", "bytes", avgSize, Limits.MIN_CHUNK_SIZE, Limits.MAX_CHUNK_SIZE);
        Check.range("a maximum chunk size", "bytes", maxSize, Limits.MIN_CHUNK_SIZE, Limits.MAX_CHUNK_SIZE);
        if (minSize > avgSize || avgSize > maxSize) {
            throw new IllegalArgumentException("chunk sizes must be ordered minimum <= average <= maximum, got "
                    + minSize + ", " + avgSize + " and " + maxSize);
        }
        Check.digestLength(digestLength);
    }

    @Override
    public MessageType type() {
        return MessageType.CHUNKING_SPEC;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeInt(chunkerVersion);
        out.writeInt(minSize);
        out.writeInt(avgSize);
        out.writeInt(maxSize);
        out.writeByte(digestLength);
    }

    static ChunkingSpec read(BodyReader in) throws ProtocolException {
        return new ChunkingSpec(in.i32(), in.i32(), in.i32(), in.i32(), in.u8());
    }
}
