package dev.ferry.server.lifecycle;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;

/**
 * Counts the transfers in progress, so that a graceful stop can wait for them: an SFTP file open,
 * an {@code scp} command running, a delta operation running. An SFTP client sitting idle at its
 * prompt has no transfer in flight, so a stop does not wait for it, as SFTPGo's grace time waits
 * for transfers only.
 *
 * <p>The protocols find the server's counter on the server itself ({@link #of(Session)}), so that
 * each of them needs no new constructor argument.
 */
public final class TransfersInFlight {

    /** Where the server keeps its counter. */
    public static final AttributeKey<TransfersInFlight> KEY = new AttributeKey<>();

    private static final TransfersInFlight NONE = new TransfersInFlight();

    private int count;

    /** The counter of the server {@code session} belongs to (one that counts nothing if it has none). */
    public static TransfersInFlight of(Session session) {
        TransfersInFlight t = session == null || session.getFactoryManager() == null ? null
                : session.getFactoryManager().getAttribute(KEY);
        return t == null ? NONE : t;
    }

    /** A transfer started; the caller must {@link #end()} it exactly once. */
    public synchronized void begin() {
        count++;
    }

    public synchronized void end() {
        if (count > 0) {
            count--;
        }
        if (count == 0) {
            notifyAll();
        }
    }

    public synchronized int count() {
        return count;
    }

    /**
     * Waits until no transfer is in flight or {@code grace} has passed.
     *
     * @return the transfers still in flight (0 if all finished)
     */
    public synchronized int awaitNone(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return count;
    }
}
