package dev.ferry.server.auth;

/** The user store could not be asked about a login (the database is unreachable, say). */
public final class UserStoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UserStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
