package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The next chunks of the receiver's old file, in file order. A signature is zero or more batches
 * then a {@link SignatureEnd}; batches let the sender start matching before the whole old file is
 * read and keep each frame near 2 MiB.
 *
 * <p>All digests of a batch have one length, written once: the negotiated one, or the full length
 * in the second pass after a {@link Retry}.
 *
 * <p>Wire: uint8 digest length, int32 count, then per chunk int32 length and the digest.
 *
 * @param chunks 1 to {@value Limits#MAX_CHUNKS_PER_BATCH} chunks; kept as an unmodifiable copy
 */
public record SignatureBatch(List<ChunkSignature> chunks) implements DeltaMessage {

    static final int MAX_BODY = 1 + 4 + Limits.MAX_CHUNKS_PER_BATCH * (4 + Limits.MAX_DIGEST_BYTES);

    public SignatureBatch {
        chunks = List.copyOf(Objects.requireNonNull(chunks, "chunks"));
        Check.range("a signature batch", "chunks", chunks.size(), 1, Limits.MAX_CHUNKS_PER_BATCH);
        int digestLength = chunks.get(0).digestLength();
        for (ChunkSignature chunk : chunks) {
            if (chunk.digestLength() != digestLength) {
                throw new IllegalArgumentException("the digests of a signature batch must have one length, got "
                        + digestLength + " and " + chunk.digestLength() + " bytes");
            }
        }
    }

    public int digestLength() {
        return chunks.get(0).digestLength();
    }

    @Override
    public MessageType type() {
        return MessageType.SIGNATURE_BATCH;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeByte(digestLength());
        out.writeInt(chunks.size());
        for (ChunkSignature chunk : chunks) {
            chunk.write(out);
        }
    }

    static SignatureBatch read(BodyReader in) throws ProtocolException {
        int digestLength = Check.digestLength(in.u8());
        int count = Check.range("a signature batch", "chunks", in.i32(), 1, Limits.MAX_CHUNKS_PER_BATCH);
        in.need((long) count * (4 + digestLength));
        List<ChunkSignature> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chunks.add(new ChunkSignature(in.i32(), in.bytes(digestLength)));
        }
        return new SignatureBatch(chunks);
    }

    @Override
    public String toString() {
        // A batch holds up to 65536 chunks; a log line shows how many and the first.
        return "SignatureBatch[" + chunks.size() + " chunks, digests of " + digestLength() + " bytes, first "
                + chunks.get(0) + "]";
    }
}
