package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * In place of a {@link Result}: the file the receiver built does not have the digest of
 * {@link FileEnd}, most likely because two different chunks shared a truncated digest (or the old
 * file changed while it was read). The receiver discarded it; the old file is untouched. The file
 * is worth one more try with digests of {@code digestLength} bytes: the side that opened the
 * transfer opens it again as a new request. A mismatch with full-length digests is a {@code Result}
 * that is not ok, never a second {@code Retry}.
 *
 * <p>Wire: uint8 digest length.
 *
 * @param digestLength the digest length to open the file with again, longer than the first's
 */
public record Retry(int digestLength) implements DeltaMessage {

    static final int MAX_BODY = 1;

    public Retry {
        Check.digestLength(digestLength);
    }

    @Override
    public MessageType type() {
        return MessageType.RETRY;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeByte(digestLength);
    }

    static Retry read(BodyReader in) throws ProtocolException {
        return new Retry(in.u8());
    }
}
