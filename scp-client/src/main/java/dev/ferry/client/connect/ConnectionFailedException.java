package dev.ferry.client.connect;

import dev.ferry.client.FerryException;

/**
 * No session could be had: the host was unreachable, its key was refused, or authentication failed.
 * scp and ssh exit 255 for these.
 */
public final class ConnectionFailedException extends FerryException {

    private static final long serialVersionUID = 1L;

    public ConnectionFailedException(String message) {
        super(message);
    }

    public ConnectionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
