package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The receiver's signature is complete. The sender checks that it got {@code chunkCount} chunks
 * whose lengths add up to {@code oldFileSize} before it trusts any chunk index.
 *
 * <p>"No old file" is its own flag rather than size 0, so the receiver can say the file is new
 * (create it, apply the mode) apart from an existing empty file; then no batch precedes this.
 *
 * <p>Wire: uint8 old-file flag (0 or 1), int64 old size, int64 chunk count.
 *
 * @param oldFileExists whether the receiver has an old copy at all
 * @param oldFileSize   its size, 0 to 2^50; 0 when there is none
 * @param chunkCount    chunks in the signature: 0 for an empty or missing file, else 1 to the size
 */
public record SignatureEnd(boolean oldFileExists, long oldFileSize, long chunkCount) implements DeltaMessage {

    /** The receiver has no old copy: everything will come as literals. */
    public static final SignatureEnd NO_OLD_FILE = new SignatureEnd(false, 0, 0);

    static final int MAX_BODY = 1 + 8 + 8;

    public SignatureEnd {
        Check.fileSize("an old file size", oldFileSize);
        Check.range("a chunk count", "", chunkCount, 0, Limits.MAX_FILE_SIZE);
        if (!oldFileExists && (oldFileSize != 0 || chunkCount != 0)) {
            throw new IllegalArgumentException("a signature without an old file must have size 0 and no chunks");
        }
        // Every chunk holds at least one byte, and a non-empty file at least one chunk.
        if (chunkCount > oldFileSize || (oldFileSize > 0 && chunkCount == 0)) {
            throw new IllegalArgumentException(
                    "a signature of " + Check.count(chunkCount, "chunks")
                    + " cannot cover an old file of " + Check.count(oldFileSize, "bytes"));
        }
    }

    @Override
    public MessageType type() {
        return MessageType.SIGNATURE_END;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeBoolean(oldFileExists);
        out.writeLong(oldFileSize);
        out.writeLong(chunkCount);
    }

    static SignatureEnd read(BodyReader in) throws ProtocolException {
        return new SignatureEnd(in.bool("the old-file flag"), in.i64(), in.i64());
    }
}
