package dev.ferry.delta.protocol;

/**
 * One file, directory or symbolic link of a listing.
 *
 * @param path        below the listed directory, '/'-separated names (never "", "." or "..")
 * @param directory   a directory (else a regular file or a link)
 * @param size        bytes, 0 to 2^50 (0 for a directory or a link)
 * @param mtimeMillis the modification time, milliseconds since the epoch
 * @param mode        permission bits, 0 to 07777
 * @param link        what a symbolic link points to, as the link holds it (not resolved, maybe
 *                    absolute or climbing with ".."); null for a file or a directory
 */
public record ListEntry(String path, boolean directory, long size, long mtimeMillis, int mode, String link) {

    public ListEntry {
        Check.relativePath(path);
        Check.fileSize("a file size", size);
        Check.mode(mode);
        if (link != null) {
            Check.path(link);
            if (directory || size != 0) {
                throw new IllegalArgumentException("a listed link has no size and is not a directory");
            }
        }
    }

    /** A file or a directory. */
    public ListEntry(String path, boolean directory, long size, long mtimeMillis, int mode) {
        this(path, directory, size, mtimeMillis, mode, null);
    }

    /** A symbolic link pointing to {@code link}. */
    public static ListEntry link(String path, long mtimeMillis, int mode, String link) {
        return new ListEntry(path, false, 0, mtimeMillis, mode, link);
    }

    public boolean symbolicLink() {
        return link != null;
    }
}
