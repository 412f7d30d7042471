package dev.ferry.client.sync;

import java.util.Objects;

import dev.ferry.delta.DeltaMode;
import dev.ferry.delta.protocol.FileDigest;

/**
 * What {@code ferry sync} was asked to do.
 *
 * @param checksum compare contents instead of size and modification time: files of equal size are
 *                 read through, the remote one over SFTP, and their SHA-256s compared
 * @param mode     how changed files travel: whole, as deltas, or judged file by file ({@link DeltaMode})
 * @param compress zstd on delta literals
 * @param digest   the whole-file digest that verifies each file sent over ferry-delta
 * @param fsync    sync every received file to disk before it replaces the old one (otherwise only
 *                 files of a MiB or more, {@code Limits.SYNC_FROM})
 */
public record SyncOptions(boolean recursive, boolean delete, boolean dryRun, boolean checksum, DeltaMode mode,
        boolean compress, FileDigest digest, boolean fsync) {

    /** Small files not synced to disk, as rsync without --fsync. */
    public SyncOptions(boolean recursive, boolean delete, boolean dryRun, boolean checksum, DeltaMode mode,
            boolean compress, FileDigest digest) {
        this(recursive, delete, dryRun, checksum, mode, compress, digest, false);
    }

    public SyncOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(digest, "digest");
    }
}
