package dev.ferry.delta;

/** How a file is sent: {@code ferry sync --mode}. */
public enum DeltaMode {

    /**
     * Tiny files and files with no old copy whole; large ones judged while the signature arrives
     * ({@link WholeOrDelta}); the rest as deltas.
     */
    AUTO,
    /** Always a delta against the old copy, whatever it costs. */
    DELTA,
    /** Every byte, no signature. */
    WHOLE
}
