package dev.ferry.server.sftp;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.HashSet;
import java.util.Set;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

import dev.ferry.fs.TemporaryFiles;
import dev.ferry.fs.TemporaryName;
import dev.ferry.server.fs.ConfinedFileSystemProvider;

/**
 * SFTP uploads that replace a file whole or not at all, as SFTPGo's {@code upload_mode: atomic}.
 * A stock client (OpenSSH's {@code sftp put}, {@code scp} over SFTP, rclone) opens the target
 * itself with CREAT|TRUNC and writes into it: on a server that writes in place, a client killed
 * half way, a cut connection or a full disk leaves the old file truncated and a partial new one
 * under its name. Here an open that truncates a file, or creates one that is not there, writes
 * into a hidden temporary file beside the target ({@code .NAME.ferry-sftp-HEX}, in the same
 * directory: the same containment checks, the same file system, so the rename is atomic), which
 * the client's SSH_FXP_CLOSE renames over the target; a handle closed any other way (the channel
 * or connection ends, the server stops) deletes it, and so does a CLOSE after a write that failed
 * (a full disk), which the client then hears as an error. FSTAT and FSETSTAT of such a handle act
 * on the temporary file ({@code FerrySftpSubsystemFactory}), so {@code put -p} sets the mode and
 * time the rename brings along; a STAT of the path during the upload sees the old file.
 *
 * <p>Under a quota the temporary file is counted as replacing the old one: an upload needs room
 * for the new copy only (the old one's bytes are counted as freed while both exist), and a
 * replacement takes no new place in a file quota. A write the quota refuses fails as a write to
 * a full disk does: the temporary file is dropped at the CLOSE, and the old file stays.
 *
 * <p>OpenSSH's scp over SFTP writes in place by design: it opens WRITE|CREAT without TRUNC, writes
 * from the start and truncates at the end. Such an open (CREAT, write-only, no TRUNC) of a file
 * that exists gets a temporary file that starts as a copy of the old one (in-kernel, and free on
 * a file system that clones), so that whatever the client writes lands on the old content exactly
 * as in place, and the result still arrives whole at the CLOSE. The copy is the price of not
 * knowing whether such a client rewrites the file or patches it.
 *
 * <p>Written in place, as before: an append (OpenSSH's {@code reput} and {@code put -a}); an open
 * without CREAT or TRUNC of a file that exists (a resume or a patch: ferry cp's parallel ranges
 * and {@code --resume}), or one that also reads; an exclusive create (CREAT|EXCL reserves the name at open, which a temporary file cannot);
 * a device, pipe or directory at the target; and a name that is already a Ferry temporary
 * ({@code .NAME.ferry-part} of ferry cp, which renames it itself: a second temporary would only
 * add a rename, and would throw away the partial file that {@code ferry cp --resume} continues).
 * A link at the target is replaced, never followed, as SCP uploads do. A file that existed keeps
 * its permission bits (as it would written in place); a new one gets the user's umask.
 *
 * <p>What atomic uploads change for clients: {@code reput} after an interrupted {@code put} finds
 * the old file (or none), not a partial one, so it has nothing to continue (ferryd's
 * {@code --sftp-in-place} brings back in-place writes); a file with several hard links is replaced
 * by a new one rather than changed under all its names.
 */
final class AtomicUploads implements SftpFileSystemAccessor {

    /** The temporary file an atomic upload's handle writes. */
    static final AttributeKey<Path> TEMPORARY = new AttributeKey<>();
    /** Set when the client itself closed the handle (SSH_FXP_CLOSE): only then is the file put in place. */
    static final AttributeKey<Boolean> CLOSED_BY_CLIENT = new AttributeKey<>();
    /** The first write that failed on the handle (no space left, say): the upload is then dropped at its close. */
    static final AttributeKey<Throwable> WRITE_FAILED = new AttributeKey<>();

    private final boolean atomic;
    private final TemporaryFiles temps;

    /**
     * @param atomic false: every upload is written in place, as OpenSSH's sftp-server does
     * @param temps  told of each temporary file (ferryd's journal, for what a killed server leaves)
     */
    AtomicUploads(boolean atomic, TemporaryFiles temps) {
        this.atomic = atomic;
        this.temps = temps;
    }

    /** The temporary file {@code handle} writes, or null if it writes in place (or is no file). */
    static Path temporaryOf(Handle handle) {
        return handle == null ? null : handle.getAttribute(TEMPORARY);
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        boolean whole = atomic && writesWhole(fileHandle, file, options);
        PosixFileAttributes old = whole ? attributes(file) : null;
        if (!whole || !replaces(file, options, old)) {
            return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options, attrs);
        }
        Path temp = file.resolveSibling(TemporaryName.random(file.getFileName().toString(), "sftp"));
        boolean seeded = old != null && !options.contains(StandardOpenOption.TRUNCATE_EXISTING);
        Set<OpenOption> tempOptions = new HashSet<>(options);
        tempOptions.removeAll(Set.of(StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.CREATE));
        tempOptions.add(StandardOpenOption.CREATE_NEW);
        temps.creating(temp);
        FileChannel channel;
        // counted in the user's quota as replacing the old file: it needs room for the new copy only
        try (ConfinedFileSystemProvider.Request r = ConfinedFileSystemProvider.replacing(file.toString(),
                old != null && old.isRegularFile() ? old.size() : -1)) {
            channel = FileChannel.open(temp, tempOptions, attrs); // the confined file system masks the mode
        } catch (IOException | RuntimeException e) {
            temps.gone(temp);
            throw e;
        }
        try {
            if (old != null && old.isRegularFile()) {
                Files.setPosixFilePermissions(temp, old.permissions());
            }
            if (seeded) {
                copy(file, channel);
            }
        } catch (IOException | RuntimeException e) {
            discard(channel, temp);
            throw e;
        }
        fileHandle.setAttribute(TEMPORARY, temp);
        return channel;
    }

    /** Copies what {@code file} holds (a regular file, not followed if a link) into {@code to}. */
    private static void copy(Path file, FileChannel to) throws IOException {
        try (FileChannel from = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = from.size();
            for (long done = 0; done < size;) {
                done += from.transferTo(done, size - done, to);
            }
        }
    }

    /**
     * An open of a client's handle (MINA opens without one to set a size) for writing that is not
     * an append, an exclusive create or a Ferry temporary name.
     */
    private static boolean writesWhole(FileHandle fileHandle, Path file, Set<? extends OpenOption> options) {
        return fileHandle != null && options.contains(StandardOpenOption.WRITE) && !fileHandle.isOpenAppend()
                && !options.contains(StandardOpenOption.CREATE_NEW) && file.getFileName() != null
                && !TemporaryName.isTemporary(file.getFileName().toString());
    }

    /**
     * Whether an open with {@code options} of {@code file}, which is {@code old} (null: nothing
     * there), goes through a temporary file: it truncates a regular file or a link to one, creates
     * a file where there is none, or is scp's write-only CREAT of a regular file that exists. A link is replaced, not written through; but as for SCP uploads it must
     * first pass the containment check of what it points to (a dangling link, or one that leads
     * out of the root, is refused here as it was when it was followed).
     */
    private static boolean replaces(Path file, Set<? extends OpenOption> options, PosixFileAttributes old)
            throws IOException {
        if (old == null) {
            return options.contains(StandardOpenOption.CREATE);
        }
        if (!options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            // scp's in-place upload (see the class comment): seeded with the old file, then written
            return options.contains(StandardOpenOption.CREATE) && !options.contains(StandardOpenOption.READ)
                    && old.isRegularFile();
        }
        return old.isRegularFile() || old.isSymbolicLink() && Files.readAttributes(file, BasicFileAttributes.class)
                .isRegularFile();
    }

    /** What is at {@code file}, not following a link; null when nothing is. */
    private static PosixFileAttributes attributes(Path file) throws IOException {
        try {
            return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void closeFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Channel channel, Set<? extends OpenOption> options) throws IOException {
        if (fileHandle == null) { // a size set by SETSTAT: the handle's own close syncs, if anything does
            SftpFileSystemAccessor.super.closeFile(subsystem, null, file, handle, channel, options);
            return;
        }
        Path temp = temporaryOf(fileHandle);
        if (temp == null) {
            LargeFilesSynced.close(channel, options);
            return;
        }
        Throwable failed = fileHandle.getAttribute(WRITE_FAILED);
        if (!Boolean.TRUE.equals(fileHandle.getAttribute(CLOSED_BY_CLIENT)) || failed != null) {
            discard(channel, temp);
            if (failed != null) {
                throw new IOException(file.getFileName() + ": a write failed (" + failed.getMessage()
                        + "); the file was not changed");
            }
            return;
        }
        boolean moved = false;
        try {
            LargeFilesSynced.close(channel, options); // synced first when the rule says so: then renamed
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (moved) {
                temps.gone(temp);
            } else {
                discard(channel, temp);
            }
        }
    }

    /** Closes the channel and deletes the temporary file; what goes wrong here changes nothing for the client. */
    private void discard(Channel channel, Path temp) {
        try {
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // the file goes anyway
        }
        try {
            Files.deleteIfExists(temp);
            temps.gone(temp);
        } catch (IOException | RuntimeException e) {
            // left for the journal: the next start removes it
        }
    }
}
