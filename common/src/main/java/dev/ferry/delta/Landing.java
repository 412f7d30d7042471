package dev.ferry.delta;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The directory an incoming file lands in, opened once: the old copy is read, the temporary file
 * written, its mode and time set and it is renamed into place, each relative to that open directory
 * (openat, fchmod, futimens and renameat, never through a link in the file's own name) where the
 * platform can. A walk by paths costs a look-up of every directory on the way for each step, and on
 * ferryd's confined root a realpath each: 45 readlink calls for every file of a tree. Where the
 * platform has no secure directory streams, the steps go by path.
 */
final class Landing implements Closeable {

    /** A temporary file is the writer's alone until it is renamed: its final mode is set just before. */
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path dir;
    private final SecureDirectoryStream<Path> open; // null: by paths

    private Landing(Path dir, SecureDirectoryStream<Path> open) {
        this.dir = dir;
        this.open = open;
    }

    /** Opens {@code dir}, an existing directory (following links on its way: the caller has checked it). */
    static Landing open(Path dir) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return new Landing(dir, secure);
        }
        stream.close();
        return new Landing(dir, null);
    }

    /** {@code name} in this directory, as a path. */
    Path path(String name) {
        return dir.resolve(name);
    }

    /** What is at {@code name}, not following a link; null if nothing is. */
    FileFacts facts(String name) throws IOException {
        if (open == null) {
            return FileFacts.of(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
        }
        try {
            PosixFileAttributes a = view(name).readAttributes();
            return FileFacts.of(a, Modes.bits(a.permissions()));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A new file, which must not exist yet, for writing; readable by its owner only. */
    FileChannel create(String name) throws IOException {
        return channel(name, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PRIVATE);
    }

    /** An existing regular file for reading; a link in its place is not followed. */
    FileChannel read(String name) throws IOException {
        return channel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }

    /** Sets the permission bits (never setuid, setgid or sticky) and the modification time. */
    void setModeAndTime(String name, int mode, long mtimeMillis) throws IOException {
        if (open == null) {
            Modes.set(dir.resolve(name), mode, mtimeMillis);
            return;
        }
        Modes.set(view(name), mode, mtimeMillis);
    }

    /** Renames {@code from} to {@code to} in this directory, replacing what is there in one step. */
    void rename(String from, String to) throws IOException {
        if (open == null) {
            Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } else {
            open.move(dir.getFileSystem().getPath(from), open, dir.getFileSystem().getPath(to));
        }
    }

    /** Removes {@code name} if it is there. */
    void delete(String name) throws IOException {
        if (open == null) {
            Files.deleteIfExists(dir.resolve(name));
            return;
        }
        try {
            open.deleteFile(dir.getFileSystem().getPath(name));
        } catch (NoSuchFileException gone) {
            // already
        }
    }

    @Override
    public void close() throws IOException {
        if (open != null) {
            open.close();
        }
    }

    private PosixFileAttributeView view(String name) {
        return open.getFileAttributeView(dir.getFileSystem().getPath(name), PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
    }

    private FileChannel channel(String name, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        if (open == null) {
            return FileChannel.open(dir.resolve(name), options, attrs);
        }
        SeekableByteChannel c = open.newByteChannel(dir.getFileSystem().getPath(name), options, attrs);
        if (c instanceof FileChannel f) { // what the JDK's Unix implementation returns
            return f;
        }
        // Another platform's: opened again by path, the file now there (made by the call above).
        c.close();
        Set<OpenOption> again = new java.util.HashSet<>(options);
        again.remove(StandardOpenOption.CREATE_NEW);
        return FileChannel.open(dir.resolve(name), again);
    }
}
