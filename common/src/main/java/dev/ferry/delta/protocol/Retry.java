package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The file the receiver built does not have the SHA-256 of {@link FileEnd}: two different chunks
 * shared a cut digest. The receiver discards it and at once sends its signature again, with digests
 * of {@code digestLength} bytes (normally the chunk digest's full length); the sender answers with new instructions
 * and a new {@link FileEnd}, and the receiver with a {@link Result}. One retry per file: a second
 * mismatch is a {@code Result} that is not ok.
 *
 * <p>Wire: uint8 digest length.
 *
 * @param digestLength the digest length of the second signature, longer than the first's
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
