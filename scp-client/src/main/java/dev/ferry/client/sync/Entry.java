package dev.ferry.client.sync;

/**
 * A file, directory or symbolic link on one side of a sync.
 *
 * @param path        relative to the side's base, '/'-separated ("" for the base itself)
 * @param mtimeMillis modification time (SFTP carries seconds, so comparisons use seconds)
 * @param link        what a symbolic link points to, as it holds it; null for a file or directory
 */
public record Entry(String path, boolean directory, long size, long mtimeMillis, int mode, String link) {

    /** A file or a directory. */
    public Entry(String path, boolean directory, long size, long mtimeMillis, int mode) {
        this(path, directory, size, mtimeMillis, mode, null);
    }

    public boolean symbolicLink() {
        return link != null;
    }

    /** Same size and the same modification second: rsync's quick check (never true of links). */
    public boolean looksLike(Entry other) {
        return !directory && !other.directory && !symbolicLink() && !other.symbolicLink() && size == other.size
                && sameSecond(other);
    }

    /** The same modification second (what SFTP carries, and what a comparison can trust). */
    public boolean sameSecond(Entry other) {
        return Math.floorDiv(mtimeMillis, 1000) == Math.floorDiv(other.mtimeMillis, 1000);
    }

    /** The same entry under another path. */
    Entry at(String otherPath) {
        return new Entry(otherPath, directory, size, mtimeMillis, mode, link);
    }
}
