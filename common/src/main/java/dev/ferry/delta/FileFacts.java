package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * What the delta steps need to know of a file (kind, size, time, permission bits), read in one
 * look-up: on ferryd's confined root each look-up resolves the path again (a realpath), and a tree
 * of small files asks for these of every file.
 *
 * @param mode permission bits; 0644 (0755 for a directory) where the file system has none
 */
record FileFacts(boolean regularFile, boolean directory, boolean symbolicLink, long size, long mtimeMillis, int mode) {

    /** The facts of what is at {@code path}, or null when nothing is. */
    static FileFacts of(Path path, LinkOption... options) throws IOException {
        try {
            try {
                PosixFileAttributes posix = Files.readAttributes(path, PosixFileAttributes.class, options);
                return of(posix, Modes.bits(posix.permissions()));
            } catch (UnsupportedOperationException e) {
                BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, options);
                return of(basic, basic.isDirectory() ? 0755 : 0644);
            }
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The facts in attributes already read, with {@code mode} their permission bits. */
    static FileFacts of(BasicFileAttributes a, int mode) {
        return new FileFacts(a.isRegularFile(), a.isDirectory(), a.isSymbolicLink(), a.size(), a.lastModifiedTime().toMillis(), mode);
    }
}
