package dev.ferry.server.rate;

/**
 * Bytes per second for one user in one direction. The bucket holds at most an eighth of a
 * second's worth, so a transfer that pauses gains no more than that and the rate holds over any
 * second or more. A taker takes first and then waits out the debt it leaves: takers on several
 * threads (a user's concurrent transfers) queue behind one another's debt, and together get the
 * rate, never more.
 *
 * <p>The rate is given at each take, not kept: a user's rate can change while their transfers run
 * (ferryd reads the users file again at SIGHUP), and the next take uses the new one.
 */
final class TokenBucket {

    /** The bucket holds 1/8 s worth of bytes. */
    static final int BURST_PER_SECOND = 8;

    private final Ticker ticker;
    /** Bytes that may pass now; below zero, bytes taken ahead of the rate that takers wait out. */
    private double tokens;
    private long last;

    TokenBucket(Ticker ticker, long rate) {
        this.ticker = ticker;
        this.last = ticker.nanoTime();
        this.tokens = burst(rate);
    }

    /** The most that may pass at once at {@code rate}: what a single take should be no larger than. */
    static long burst(long rate) {
        return Math.max(1, rate / BURST_PER_SECOND);
    }

    /**
     * Takes {@code bytes} at {@code rate} (bytes per second, positive) and says how long the caller
     * must wait before sending them, in nanoseconds: zero while the bucket holds enough.
     */
    synchronized long take(long bytes, long rate) {
        long now = ticker.nanoTime();
        double burst = burst(rate);
        tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
        last = now;
        tokens -= bytes;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / rate * 1e9);
    }
}
