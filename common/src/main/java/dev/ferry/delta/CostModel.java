package dev.ferry.delta;

/**
 * Whether a file goes faster as a delta or whole, from issue 5's model. With S the file's size, c
 * the fraction of it that changed, N the network's throughput and R and W the receiver's disk read
 * and write speeds:
 *
 * <pre>
 * delta ~ S/R          the receiver reads its old file for the signature
 *       + (1-c) S/R    and again for each matched chunk it copies
 *       + S/W          and writes the new file
 *       + c S/N        while the changed bytes cross the network
 * whole ~ S/min(N, W)  the network and the write overlap; the slower one sets the pace
 * </pre>
 *
 * A speed not known yet is {@link Double#NaN}. An unknown network counts as slow (the file goes
 * whole only if nothing matched), an unknown write speed as the read speed, an unknown read speed
 * as fast: without measurements the model leans to the delta, as rsync does.
 */
public final class CostModel {

    /** Bytes per second assumed for a network not measured yet: slow enough to save every byte. */
    static final double UNKNOWN_NETWORK = 1;

    private CostModel() {
    }

    /** The speeds the model uses, the unknown ones (NaN) replaced as the class says. */
    private record Speeds(double read, double write, double network) {

        static Speeds of(double read, double write, double network) {
            double r = known(read) ? read : Double.POSITIVE_INFINITY;
            return new Speeds(r, known(write) ? write : r, known(network) ? network : UNKNOWN_NETWORK);
        }
    }

    /** Seconds a delta is expected to take. */
    public static double deltaSeconds(long size, double changed, double read, double write, double network) {
        Speeds s = Speeds.of(read, write, network);
        return size / s.read() + (1 - changed) * size / s.read() + size / s.write() + changed * size / s.network();
    }

    /** Seconds the whole file is expected to take. */
    public static double wholeSeconds(long size, double read, double write, double network) {
        Speeds s = Speeds.of(read, write, network);
        return size / Math.min(s.network(), s.write());
    }

    /**
     * True when sending the whole file is expected to be at least as fast as a delta (on a tie,
     * reading the old file buys nothing).
     */
    public static boolean wholeIsFaster(long size, double changed, double read, double write, double network) {
        if (changed < 0 || changed > 1) {
            throw new IllegalArgumentException("the changed fraction is between 0 and 1, not " + changed);
        }
        return wholeSeconds(size, read, write, network) <= deltaSeconds(size, changed, read, write, network);
    }

    private static boolean known(double speed) {
        return !Double.isNaN(speed) && speed > 0;
    }
}
