package dev.ferry.transport;

/**
 * How many bytes all peers together may have in flight towards this process: the sum of the
 * receive windows it has granted and not yet had back. A receiver holds what it has been sent until
 * its consumer (the disk, for an upload) catches up, so with 64 MiB windows twenty uploads onto a
 * slow disk could pin 1.3 GiB of heap; the budget bounds that.
 *
 * <p>The bound works in two places. A new channel's initial window is what is left of the budget
 * (never less than {@code floor}, OpenSSH's 2 MiB by default, so a busy server stays usable). And a
 * running channel only grants its window back up to its fair share, the budget divided by the open
 * channels, so a channel opened when the server was idle gives way when others arrive. Memory held
 * is therefore at most the capacity plus {@code floor} per channel opened under pressure.
 *
 * <p>Thread-safe; one per server (or client).
 */
public final class ReceiveBudget {

    /** The smallest window a channel gets: OpenSSH's default. */
    public static final long DEFAULT_FLOOR = 2 * TransportProfile.MIB;

    private final long capacity;
    private final long floor;
    private long granted;
    private int channels;

    /** No bound: every channel gets the window it asks for (a client copying one thing). */
    public static ReceiveBudget unlimited() {
        return new ReceiveBudget(Long.MAX_VALUE / 4, DEFAULT_FLOOR);
    }

    /** A budget of {@code capacity} bytes; channels get at least {@code floor} each. */
    public ReceiveBudget(long capacity, long floor) {
        if (floor < 64 * TransportProfile.KIB) {
            throw new IllegalArgumentException("the floor of a window must be at least 64 KiB: " + floor);
        }
        if (capacity < floor) {
            throw new IllegalArgumentException("a receive budget of " + capacity + " bytes is below the floor of "
                    + floor);
        }
        this.capacity = capacity;
        this.floor = floor;
    }

    /**
     * The default for a process: a quarter of its maximum heap, since a byte in flight costs about
     * its size in a queued buffer plus as much again in garbage before a collection.
     */
    public static ReceiveBudget forHeap(long maxHeap) {
        return new ReceiveBudget(Math.max(DEFAULT_FLOOR, maxHeap / 4), DEFAULT_FLOOR);
    }

    public long capacity() {
        return capacity;
    }

    /** Opens a channel that would like {@code wanted} bytes of window; returns the window it gets. */
    public synchronized long open(long wanted) {
        long free = capacity - granted;
        long window = Math.min(wanted, Math.max(floor, free));
        granted += window;
        channels++;
        return window;
    }

    /** A channel's share of the budget right now: what it may grant back to its peer, at most. */
    public synchronized long share() {
        return Math.max(floor, capacity / Math.max(1, channels));
    }

    /** A channel granted ({@code bytes > 0}) or had back ({@code bytes < 0}) some of its window. */
    public synchronized void change(long bytes) {
        granted += bytes;
    }

    /** A channel closed with {@code outstanding} bytes of its window still granted. */
    public synchronized void close(long outstanding) {
        granted -= outstanding;
        channels--;
    }

    /** Bytes granted now, across all open channels. */
    public synchronized long granted() {
        return granted;
    }

    /** Open channels. */
    public synchronized int channels() {
        return channels;
    }
}
