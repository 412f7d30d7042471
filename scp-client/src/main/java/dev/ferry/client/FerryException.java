package dev.ferry.client;

/**
 * An expected failure with a sentence for the user ("No such file", "Host key verification failed").
 * The command line prints {@link #getMessage()} alone; the cause is shown only with {@code -v}.
 */
public class FerryException extends Exception {

    private static final long serialVersionUID = 1L;

    public FerryException(String message) {
        super(message);
    }

    public FerryException(String message, Throwable cause) {
        super(message, cause);
    }
}
