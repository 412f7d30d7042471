package dev.ferry.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a file looked like before it was read, to tell afterwards whether it changed meanwhile, as
 * GNU tar's "file changed as we read it": its size, its modification time and its identity (device
 * and inode where the file system has them).
 *
 * <p>Why these, and why they suffice: every write(2) and truncate(2) sets the modification time, so
 * a file written to while it is read has a new time afterwards, or a new size; a file replaced by a
 * rename (an editor's save) has a new identity. The digest a sender computes while it reads proves
 * only that the receiver got what was read, not that what was read is one version of the file: a
 * rewrite of a part already read leaves a copy that verifies and matches no version, so the digest
 * cannot take the place of this check. The one case it misses is a rewrite of the same size that
 * lands in the same tick of the kernel's file clock (a few milliseconds) as the write before the
 * first look, which tar and rsync miss as well. The second look is a stat by name, not an fstat of
 * the descriptor (Java reads no times from a descriptor): a file replaced by a rename while it was
 * read therefore counts as changed, though the bytes read were one whole (old) version, which errs
 * on the safe side (the next run copies the new file).
 *
 * <p>Compare only stamps made the same way ({@link #of(Path)} with {@link #of(Path)}, {@link #ofUnix}
 * with {@link #ofUnix}): their identities are of different kinds.
 *
 * @param key the file's identity, or null where the file system gives none
 */
public record FileStamp(long size, FileTime modified, Object key) {

    /** The attributes of the {@code unix} view a stamp needs, to be read with others in one stat. */
    public static final String UNIX_ATTRIBUTES = "size,lastModifiedTime,dev,ino";

    public FileStamp {
        Objects.requireNonNull(modified, "modified");
    }

    /** The stamp of {@code file} now (one stat, following links, as reading it does). */
    public static FileStamp of(Path file) throws IOException {
        return of(Files.readAttributes(file, BasicFileAttributes.class));
    }

    /** The stamp in attributes already read. */
    public static FileStamp of(BasicFileAttributes a) {
        return new FileStamp(a.size(), a.lastModifiedTime(), a.fileKey());
    }

    /** The stamp in attributes of the {@code unix} view read with {@link #UNIX_ATTRIBUTES} among them. */
    public static FileStamp ofUnix(Map<String, Object> a) {
        return new FileStamp((Long) a.get("size"), (FileTime) a.get("lastModifiedTime"),
                List.of(a.get("dev"), a.get("ino")));
    }

    /** {@code file}'s stamp now, read as {@link #ofUnix(Map)} reads it; null when it is gone. */
    public static FileStamp ofUnix(Path file) throws IOException {
        try {
            return ofUnix(Files.readAttributes(file, "unix:" + UNIX_ATTRIBUTES));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Throws {@link SourceChangedException} unless {@code bytesRead} is this stamp's size and
     * {@code after} (null: the file is gone) is the same as this stamp.
     *
     * @param what the file as the user named it, for the sentence
     */
    public void verify(String what, long bytesRead, FileStamp after) throws SourceChangedException {
        if (changed(bytesRead, after)) {
            throw new SourceChangedException(what);
        }
    }

    /** Whether {@code bytesRead} or {@code after} (null: gone) say the file changed since this stamp. */
    public boolean changed(long bytesRead, FileStamp after) {
        return bytesRead != size || !equals(after);
    }

    /** {@link #of(Path)} taken again after the read; null when the file is gone. */
    public static FileStamp after(Path file) throws IOException {
        try {
            return of(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
