package dev.ferry.delta.protocol;

import java.io.DataOutput;

/**
 * The sender has seen enough of the signature: the file differs so much, or the network is so fast
 * next to the receiver's disk, that sending it whole is faster than reading the rest of the old
 * file. The receiver ends the signature where it is with a {@link SignatureEnd} counting what it
 * sent (copies may still refer to those chunks). Sent at most once per file, only while that file's
 * signature is the one in progress; a receiver that already finished it ignores it.
 *
 * <p>Wire: no body.
 */
public record SignatureStop() implements DeltaMessage {

    public static final SignatureStop INSTANCE = new SignatureStop();

    static final int MAX_BODY = 0;

    @Override
    public MessageType type() {
        return MessageType.SIGNATURE_STOP;
    }

    @Override
    public void writeBody(DataOutput out) {
        // nothing: the type says it all
    }

    static SignatureStop read(BodyReader in) {
        return new SignatureStop();
    }
}
