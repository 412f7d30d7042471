package dev.ferry.client.connect;

import dev.ferry.client.FerryException;

/**
 * No session could be had: the host was unreachable, its key was refused, or authentication failed;
 * or the session was lost during the copy. ssh exits 255 for these, and so does ferry (README).
 */
public final class ConnectionFailedException extends FerryException {

    private static final long serialVersionUID = 1L;

    public ConnectionFailedException(String message) {
        super(message);
    }

    public ConnectionFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The connection to {@code server} was lost during a copy: one sentence for all the files it took
     * with it (each failed the same way; scp says "lost connection" once too).
     */
    public static ConnectionFailedException lostDuringCopy(String server) {
        return new ConnectionFailedException("ferry: " + server
                + ": lost connection during the copy; files not copied keep their old content");
    }
}
