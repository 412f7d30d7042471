package dev.ferry.fs;

import java.io.IOException;

/**
 * A write, a new file or an announced upload would pass the user's quota ({@link SpaceAccount}).
 * The message is one sentence for the client ("quota exceeded: 10 GiB for alice").
 *
 * @see SpaceAccount
 */
public final class QuotaExceededException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String user;
    private final String path;
    private final String limit;
    private final long used;
    private final long quota;
    private transient boolean reported;

    /**
     * @param path  the file refused, as the user names it
     * @param limit {@code bytes} or {@code files}
     * @param used  what the user had when refused, in that unit
     * @param quota the quota in that unit
     */
    public QuotaExceededException(String message, String user, String path, String limit, long used, long quota) {
        super(message);
        this.user = user;
        this.path = path;
        this.limit = limit;
        this.used = used;
        this.quota = quota;
    }

    public String user() {
        return user;
    }

    public String path() {
        return path;
    }

    public String limit() {
        return limit;
    }

    public long used() {
        return used;
    }

    public long quota() {
        return quota;
    }

    /**
     * True the first time only: a refused write is thrown again (the same exception) for every
     * later write to the same file, and the refusal is logged once.
     */
    public synchronized boolean firstReport() {
        boolean first = !reported;
        reported = true;
        return first;
    }

    /** The quota refusal in {@code e} or its causes, or null. */
    public static QuotaExceededException in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof QuotaExceededException q) {
                return q;
            }
        }
        return null;
    }
}
