package dev.ferry.client.sync;

import dev.ferry.delta.DeltaMode;

/**
 * What {@code ferry sync} was asked to do.
 *
 * @param checksum compare contents (SHA-256) instead of size and modification time
 * @param mode     how changed files travel: whole, as deltas, or judged file by file ({@link DeltaMode})
 * @param compress zstd on delta literals
 */
public record SyncOptions(boolean recursive, boolean delete, boolean dryRun, boolean checksum, DeltaMode mode,
        boolean compress) {
}
