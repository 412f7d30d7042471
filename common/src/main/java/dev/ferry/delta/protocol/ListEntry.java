package dev.ferry.delta.protocol;

/**
 * One file or directory of a listing.
 *
 * @param path        below the listed directory, '/'-separated names (never "", "." or "..")
 * @param directory   a directory (else a regular file)
 * @param size        bytes, 0 to 2^50 (0 for a directory)
 * @param mtimeMillis the modification time, milliseconds since the epoch
 * @param mode        permission bits, 0 to 07777
 */
public record ListEntry(String path, boolean directory, long size, long mtimeMillis, int mode) {

    public ListEntry {
        Check.relativePath(path);
        Check.fileSize("a file size", size);
        Check.mode(mode);
    }
}
