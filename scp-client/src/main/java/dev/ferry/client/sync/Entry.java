package dev.ferry.client.sync;

/**
 * A file or directory on one side of a sync.
 *
 * @param path        relative to the side's base, '/'-separated ("" for the base itself)
 * @param mtimeMillis modification time (SFTP carries seconds, so comparisons use seconds)
 */
public record Entry(String path, boolean directory, long size, long mtimeMillis, int mode) {

    /** Same size and the same modification second: rsync's quick check. */
    public boolean looksLike(Entry other) {
        return !directory && !other.directory && size == other.size
                && Math.floorDiv(mtimeMillis, 1000) == Math.floorDiv(other.mtimeMillis, 1000);
    }
}
