package dev.ferry.scp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.scp.common.helpers.DefaultScpFileOpener;

import dev.ferry.fs.TemporaryFiles;
import dev.ferry.fs.TemporaryName;

/**
 * Lands each file received over SCP atomically (ferryd's uploads, ferry's {@code -O} downloads): the data goes to a temporary file beside the target, which
 * is renamed over the target only when every announced byte has arrived. An interrupted or short
 * upload removes the temporary file and leaves any old file untouched.
 */
public class AtomicScpFileOpener extends DefaultScpFileOpener {

    public static final String TEMP_PREFIX = ".ferry-upload-";

    private final TemporaryFiles temps;

    public AtomicScpFileOpener() {
        this(TemporaryFiles.NONE);
    }

    /** @param temps told of each temporary file before it is made and once it is gone (ferryd's journal) */
    public AtomicScpFileOpener(TemporaryFiles temps) {
        this.temps = temps;
    }

    @Override
    public OutputStream openWrite(Session session, Path file, long size, Set<PosixFilePermission> permissions,
            OpenOption... options) throws IOException {
        if (isDeviceOrPipe(file)) {
            return Files.newOutputStream(file, StandardOpenOption.WRITE);
        }
        // Named here rather than by createTempFile, which would tell the name only once the file exists.
        Path temp = file.toAbsolutePath().resolveSibling(TEMP_PREFIX + TemporaryName.randomHex() + ".part");
        temps.creating(temp);
        try {
            // The mode the client announced, masked by the user's umask in the file system layer
            // (none announced: the owner's alone, as createTempFile made it).
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(permissions == null || permissions.isEmpty()
                    ? PosixFilePermissions.fromString("rw-------") : permissions));
        } catch (IOException | RuntimeException e) {
            temps.gone(temp);
            throw e;
        }
        try {
            return new PendingFile(temp, file, size, decorate(Files.newOutputStream(temp)), temps);
        } catch (IOException | RuntimeException e) {
            deleteTemporary(temp, temps);
            throw e;
        }
    }

    private static void deleteTemporary(Path temp, TemporaryFiles temps) throws IOException {
        Files.deleteIfExists(temp);
        temps.gone(temp);
    }

    /**
     * Whether a transfer's target is a device or a pipe already there (scp host:f /dev/null): Ferry
     * writes into it, as OpenSSH's scp does, and sets none of its attributes; a temporary file
     * renamed over it would replace the node itself (this happened to /dev/null). Not a regular
     * file, a directory or a symbolic link (a link planted at a target is replaced, never followed).
     */
    public static boolean isDeviceOrPipe(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(file);
    }

    /** Wraps the stream into the temporary file (a rate limit, say); the default adds nothing. */
    protected OutputStream decorate(OutputStream fileStream) {
        return fileStream;
    }

    @Override
    public void closeWrite(Session session, Path file, long size, Set<PosixFilePermission> permissions,
            OutputStream os) throws IOException {
        if (os instanceof PendingFile pending) {
            pending.commit();
        } else if (os != null) {
            os.close();
        }
    }

    /** The temporary file being written; closed without {@link #commit()} it deletes itself. */
    private static final class PendingFile extends FilterOutputStream {
        private final Path temp;
        private final Path target;
        private final long expected;
        private final TemporaryFiles temps;
        private long written;
        private boolean done;

        PendingFile(Path temp, Path target, long expected, OutputStream out, TemporaryFiles temps) {
            super(out);
            this.temps = temps;
            this.temp = temp;
            this.target = target;
            this.expected = expected;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
        }

        void commit() throws IOException {
            if (done) {
                return;
            }
            done = true;
            try {
                out.close();
                if (written != expected) {
                    throw new IOException(target.getFileName() + ": connection ended after " + written + " of "
                            + expected + " bytes; the file was not changed");
                }
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteTemporary(temp, temps);
            }
        }

        @Override
        public void close() throws IOException {
            if (done) {
                return;
            }
            done = true;
            try {
                out.close();
            } finally {
                deleteTemporary(temp, temps);
            }
        }
    }
}
