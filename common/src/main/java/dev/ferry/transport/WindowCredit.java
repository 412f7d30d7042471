package dev.ferry.transport;

/**
 * One channel's receive window, seen from the receiver: decides when to send
 * SSH_MSG_CHANNEL_WINDOW_ADJUST and for how much, and counts them.
 *
 * <p>Few and large: MINA grants window back whenever three packets' worth has been consumed, which
 * with a 64 MiB window and 128 KiB packets is about 2,700 adjustments per GiB (its issue #884).
 * This waits until an eighth of the channel's target has come back, so the sender always has at
 * least seven eighths of the window to send into and never waits, and a GiB costs
 * 8 GiB / window adjustments (128 at 64 MiB).
 *
 * <p>Bounded: the target is the channel's window or its share of the {@link ReceiveBudget},
 * whichever is smaller, so under pressure a channel grants back less than it consumed until its
 * share is respected. It never grants more than the application released, so the peer can never
 * send more than MINA's own window accounting allows.
 *
 * <p>Thread-safe: releases come from the thread that consumes the data.
 */
public final class WindowCredit {

    private final ReceiveBudget budget;
    private final long window;
    private long outstanding;
    private long owed;
    private long received;
    private long released;
    private long adjusts;
    private boolean closed;

    /**
     * A channel that granted {@code window} bytes when it opened (already taken from {@code budget},
     * see {@link ReceiveBudget#open}).
     */
    public WindowCredit(ReceiveBudget budget, long window) {
        if (window <= 0) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.budget = budget;
        this.window = window;
        this.outstanding = window;
    }

    /** The peer sent {@code len} bytes of channel data (counted for the log; the window is MINA's to check). */
    public synchronized void received(long len) {
        received += len;
    }

    /**
     * The application consumed {@code len} bytes; returns how many bytes of window to grant back
     * now (0: hold them for a larger adjustment later).
     */
    public synchronized long release(long len) {
        if (len <= 0 || closed) {
            return 0;
        }
        released += len;
        outstanding -= len;
        owed += len;
        budget.change(-len);
        long target = Math.min(window, budget.share());
        long room = target - outstanding;
        if (room < Math.max(target / 8, 1)) {
            return 0;
        }
        long grant = Math.min(room, owed);
        owed -= grant;
        outstanding += grant;
        adjusts++;
        budget.change(grant);
        return grant;
    }

    /**
     * The channel closed: its window goes back to the budget. Safe to call more than once; returns
     * true the first time.
     */
    public synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        budget.close(outstanding);
        return true;
    }

    /** The window granted at open. */
    public long window() {
        return window;
    }

    /** Bytes of channel data the peer sent so far. */
    public synchronized long receivedBytes() {
        return received;
    }

    /** Bytes the application consumed so far (MINA reports them in steps, so this lags a little). */
    public synchronized long released() {
        return released;
    }

    /** Window adjustments sent so far. */
    public synchronized long adjusts() {
        return adjusts;
    }

    /** Bytes the peer may still send plus bytes received and not yet consumed. */
    public synchronized long outstanding() {
        return outstanding;
    }
}
