package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * The sender of this message gives up on the current request (or the session, before any request)
 * and says why, in one sentence the other side shows its user. Named Failure, not Error, so that it
 * never hides {@link java.lang.Error} in code that imports it.
 *
 * <p>The reason is printed on the peer's terminal, so control characters are refused: a server
 * must not be able to move the client's cursor or rewrite its screen (the scp CVE-2019-6109 kind).
 *
 * <p>Wire: uint16 length and that many bytes of UTF-8.
 *
 * @param reason 1 to {@value Limits#MAX_FAILURE_BYTES} bytes of UTF-8, no control characters
 */
public record Failure(String reason) implements DeltaMessage {

    static final int MAX_BODY = Wire.utf8Size(Limits.MAX_FAILURE_BYTES);

    public Failure {
        Objects.requireNonNull(reason, "reason");
        if (reason.isEmpty()) {
            throw new IllegalArgumentException("a failure reason may not be empty");
        }
        if (reason.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a failure reason may not contain control characters");
        }
        Check.range("a failure reason", "bytes", Utf8.encode(reason, "a failure reason").length, 1,
                Limits.MAX_FAILURE_BYTES);
    }

    /**
     * A failure from any text, such as an exception's message: control characters and unpaired
     * surrogates become spaces and '?', and a reason too long is cut (at a character) to fit.
     */
    public static Failure of(String text) {
        StringBuilder clean = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < (text == null ? 0 : text.length()); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            if (Character.isISOControl(codePoint)) {
                codePoint = ' ';
            } else if (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) {
                codePoint = '?';
            }
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > Limits.MAX_FAILURE_BYTES) {
                break;
            }
            bytes += size;
            clean.appendCodePoint(codePoint);
        }
        return new Failure(clean.toString().isBlank() ? "unknown failure" : clean.toString());
    }

    @Override
    public MessageType type() {
        return MessageType.FAILURE;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        Wire.writeUtf8(out, reason, "a failure reason");
    }

    static Failure read(BodyReader in) throws ProtocolException {
        return new Failure(in.utf8("a failure reason", Limits.MAX_FAILURE_BYTES));
    }
}
