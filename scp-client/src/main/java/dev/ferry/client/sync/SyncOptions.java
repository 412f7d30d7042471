package dev.ferry.client.sync;

/**
 * What {@code ferry sync} was asked to do.
 *
 * @param checksum compare contents (SHA-256) instead of size and modification time
 * @param mode     how changed files travel
 * @param compress zstd on delta literals
 */
public record SyncOptions(boolean recursive, boolean delete, boolean dryRun, boolean checksum, Mode mode,
        boolean compress) {

    /**
     * {@code delta}: always a chunk delta when the receiver has an old copy; {@code whole}: every byte;
     * {@code auto}: small files and files with no old copy go whole, the others as a delta.
     */
    public enum Mode {
        AUTO, DELTA, WHOLE
    }

    /** Below this a delta cannot save a round trip's worth: such files always go whole. */
    public static final long SMALL_FILE = 64 * 1024;
}
