package dev.ferry.server.rate;

import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

import dev.ferry.server.auth.UserLimits;

/**
 * The server's token buckets, one per user and direction, shared by every connection and channel of
 * that user. The rates are asked of {@code limits} at each use, so that a user whose rate changed in
 * the users file (ferryd reloads it at SIGHUP) gets the new one at once, and a user without one
 * costs a lookup and nothing else.
 */
public final class Bandwidth {

    /** Which way the bytes go, seen from the client. */
    public enum Direction {
        /** Client to server. */
        UPLOAD,
        /** Server to client. */
        DOWNLOAD;

        long rateOf(UserLimits limits) {
            return this == UPLOAD ? limits.uploadRate() : limits.downloadRate();
        }
    }

    private record Key(String user, Direction direction) {
    }

    private final Function<String, UserLimits> limits;
    private final Ticker ticker;
    private final ConcurrentMap<Key, TokenBucket> buckets = new ConcurrentHashMap<>();

    /** @param limits the current limits of a user, by name ({@link UserLimits#NONE} for one not known) */
    public Bandwidth(Function<String, UserLimits> limits) {
        this(limits, Ticker.SYSTEM);
    }

    Bandwidth(Function<String, UserLimits> limits, Ticker ticker) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.ticker = ticker;
    }

    /** What {@code user}'s uploads pass through. */
    public Throttle upload(String user) {
        return new Throttle(user, Direction.UPLOAD);
    }

    /** What {@code user}'s downloads pass through. */
    public Throttle download(String user) {
        return new Throttle(user, Direction.DOWNLOAD);
    }

    /** One user's bytes in one direction; holds no state of its own, so any number may share a bucket. */
    public final class Throttle {
        private final String user;
        private final Direction direction;

        private Throttle(String user, Direction direction) {
            this.user = user;
            this.direction = direction;
        }

        /**
         * Returns once {@code bytes} may go at the user's rate: at once without a rate, else after
         * sleeping on the calling thread, which must be the transfer's own (the SFTP subsystem's, the
         * SCP command's, the delta subsystem's), never one of MINA's I/O threads. Bytes are taken a
         * burst at a time, so no wait is longer than a burst's worth plus what others took before.
         *
         * @throws InterruptedIOException if the thread is interrupted while it waits (the channel closing)
         */
        public void pass(long bytes) throws InterruptedIOException {
            long left = bytes;
            while (left > 0) {
                long rate = direction.rateOf(limits.apply(user));
                if (rate <= 0) {
                    return;
                }
                long take = Math.min(left, TokenBucket.burst(rate));
                long wait = buckets.computeIfAbsent(new Key(user, direction), k -> new TokenBucket(ticker, rate))
                        .take(take, rate);
                left -= take;
                if (wait > 0) {
                    try {
                        ticker.sleep(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while holding " + user + "'s "
                                + direction.name().toLowerCase(Locale.ROOT) + " to its rate");
                    }
                }
            }
        }

        /** {@code out}, each write passed through this throttle first. */
        public OutputStream wrap(OutputStream out) {
            return new ThrottledOutputStream(out, this);
        }
    }
}
