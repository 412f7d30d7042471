package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The next chunks of the receiver's old file, in file order: each chunk's digest, cut to one length
 * for the whole batch, and how many bytes of the old file the batch covers. A signature is zero or
 * more batches then a {@link SignatureEnd}; batches let the sender start matching before the whole
 * old file is read.
 *
 * <p>Chunk lengths are not sent: a match is found by digest alone (the sender cuts its own file and
 * knows its chunks' lengths; the receiver knows where its chunks are), and the batch's byte count
 * is all the sender needs to follow how much of the old file it has seen. That is a third of the
 * signature at short digests.
 *
 * <p>Wire: uint8 digest length, int32 count, int64 bytes covered, then the digests, one after another.
 *
 * @param digestLength {@value Limits#MIN_DIGEST_BYTES} to {@value Limits#MAX_DIGEST_BYTES} bytes per digest
 * @param bytes        bytes of the old file these chunks cover, 1 to count times the longest chunk
 * @param digests      1 to {@value Limits#MAX_CHUNKS_PER_BATCH} digests of {@code digestLength} bytes
 *                     each, end to end; copied in and out, as every record here holding an array
 */
public record SignatureBatch(int digestLength, long bytes, byte[] digests) implements DeltaMessage {

    static final int MAX_BODY = 1 + 4 + 8 + Limits.MAX_CHUNKS_PER_BATCH * Limits.MAX_DIGEST_BYTES;

    public SignatureBatch {
        Check.digestLength(digestLength);
        digests = Objects.requireNonNull(digests, "digests").clone();
        if (digests.length % digestLength != 0) {
            throw new IllegalArgumentException("a signature batch of " + digests.length
                    + " bytes is not a whole number of " + digestLength + "-byte digests");
        }
        int count = Check.range("a signature batch", "chunks", digests.length / digestLength, 1,
                Limits.MAX_CHUNKS_PER_BATCH);
        Check.range("a signature batch", "bytes", bytes, count, (long) count * Limits.MAX_CHUNK_SIZE);
    }

    @Override
    public byte[] digests() {
        return digests.clone();
    }

    /** Chunks in the batch. */
    public int count() {
        return digests.length / digestLength;
    }

    @Override
    public MessageType type() {
        return MessageType.SIGNATURE_BATCH;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeByte(digestLength);
        out.writeInt(count());
        out.writeLong(bytes);
        out.write(digests);
    }

    static SignatureBatch read(BodyReader in) throws ProtocolException {
        int digestLength = Check.digestLength(in.u8());
        int count = Check.range("a signature batch", "chunks", in.i32(), 1, Limits.MAX_CHUNKS_PER_BATCH);
        long bytes = Check.range("a signature batch", "bytes", in.i64(), count, (long) count * Limits.MAX_CHUNK_SIZE);
        return new SignatureBatch(digestLength, bytes, in.bytes(count * digestLength));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SignatureBatch that && digestLength == that.digestLength && bytes == that.bytes
                && Arrays.equals(digests, that.digests);
    }

    @Override
    public int hashCode() {
        return Objects.hash(digestLength, bytes, Arrays.hashCode(digests));
    }

    @Override
    public String toString() {
        // A batch holds up to 65536 digests; a log line shows how many and the first.
        return "SignatureBatch[" + count() + " chunks of " + bytes + " bytes, digests of " + digestLength
                + " bytes, first " + Hex.of(Arrays.copyOf(digests, digestLength)) + "]";
    }
}
