package dev.ferry.delta.protocol;

import java.io.IOException;

/**
 * The peer sent bytes that are not a valid ferry-delta message: a frame too long, a type unknown, a
 * field out of its limits, a stream cut mid-frame. The message is one sentence saying what was
 * wrong, fit to show a user; the connection cannot be trusted afterwards and should be closed.
 *
 * <p>An {@link IOException} so that callers handle a broken peer where they handle a broken
 * stream; failures of the underlying stream itself are passed on as they are, not wrapped.
 */
public final class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
