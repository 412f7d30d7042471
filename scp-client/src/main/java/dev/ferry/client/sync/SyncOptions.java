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
     * {@code delta}: always a chunk delta when the receiver has an old copy; {@code whole}: every byte
     * (uploads over SFTP); {@code auto}: small files (under {@link
     * dev.ferry.delta.DeltaReceiver#SMALL_FILE}) and files with no old copy go whole on the delta
     * channel, the others as a delta.
     */
    public enum Mode {
        AUTO, DELTA, WHOLE
    }
}
