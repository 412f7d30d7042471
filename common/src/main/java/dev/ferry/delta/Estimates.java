package dev.ferry.delta;

import java.util.Locale;

/**
 * What one session has measured so far, for {@link CostModel}: the network's throughput, and the
 * receiver's disk read (while it makes signatures) and write speeds (which it reports in each
 * {@code Result}), each in bytes per second, NaN until measured. Each new measurement moves the
 * estimate halfway, so it follows a link that changes without jumping at every file.
 * Thread-safe; one per session.
 */
public final class Estimates {

    /** Transfers smaller than this say more about latency than about throughput and are not counted. */
    static final long MIN_SAMPLE_BYTES = 1 << 20;

    private double network = Double.NaN;
    private double read = Double.NaN;
    private double write = Double.NaN;

    /** Nothing measured yet. */
    public Estimates() {
    }

    /** Given speeds (NaN: unknown), as a user or a test may know them. */
    public static Estimates of(double network, double read, double write) {
        Estimates e = new Estimates();
        e.network = network;
        e.read = read;
        e.write = write;
        return e;
    }

    public synchronized double network() {
        return network;
    }

    public synchronized double read() {
        return read;
    }

    public synchronized double write() {
        return write;
    }

    /** {@code bytes} crossed the network in {@code nanos}. */
    public synchronized void networkMoved(long bytes, long nanos) {
        network = blend(network, bytes, nanos);
    }

    /** The receiver read and chunked {@code bytes} of an old file in {@code nanos}. */
    public synchronized void receiverRead(long bytes, long nanos) {
        read = blend(read, bytes, nanos);
    }

    /** The receiver wrote (and synced) {@code bytes} in {@code nanos}. */
    public synchronized void receiverWrote(long bytes, long nanos) {
        write = blend(write, bytes, nanos);
    }

    private static double blend(double old, long bytes, long nanos) {
        if (bytes < MIN_SAMPLE_BYTES || nanos <= 0) {
            return old;
        }
        double now = bytes * 1e9 / nanos;
        return Double.isNaN(old) ? now : (old + now) / 2;
    }

    @Override
    public synchronized String toString() {
        return String.format(Locale.ROOT, "network %.0f MB/s, receiver read %.0f MB/s, write %.0f MB/s",
                network / 1e6, read / 1e6, write / 1e6);
    }
}
