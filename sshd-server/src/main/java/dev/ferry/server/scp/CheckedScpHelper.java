package dev.ferry.server.scp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.scp.common.ScpException;
import org.apache.sshd.scp.common.ScpFileOpener;
import org.apache.sshd.scp.common.ScpHelper;
import org.apache.sshd.scp.common.ScpTransferEventListener;
import org.apache.sshd.scp.common.helpers.ScpAckInfo;
import org.apache.sshd.scp.common.helpers.ScpPathCommandDetailsSupport;
import org.apache.sshd.scp.common.helpers.ScpReceiveDirCommandDetails;
import org.apache.sshd.scp.common.helpers.ScpReceiveFileCommandDetails;
import org.apache.sshd.scp.common.helpers.ScpTimestampCommandDetails;

import dev.ferry.server.fs.ConfinedFileSystemProvider;

/**
 * MINA's SCP engine with the checks OpenSSH's {@code scp -t} makes of what a client sends, which
 * MINA does not make:
 * <ul>
 * <li>a file or directory name is one name: not empty, not {@code .} or {@code ..}, no {@code /}
 * and no NUL (MINA resolves {@code C0644 5 ../x} against the target's parent, and {@code a/b}
 * inside a subdirectory), and valid UTF-8;</li>
 * <li>a size is not negative (MINA warns and writes an empty file) and fits the file system;</li>
 * <li>directories nest at most {@link #MAX_DEPTH} deep (MINA recurses once per level, so a client
 * could take the thread's stack);</li>
 * <li>a protocol line is at most {@link #MAX_LINE} bytes (MINA reads a line into memory until its
 * newline, however long);</li>
 * <li>an error reported by the client (a line starting with byte 2) ends the transfer (MINA logged
 * it and read on, as often as a client sent one).</li>
 * </ul>
 */
final class CheckedScpHelper extends ScpHelper {

    /**
     * The longest protocol line read, in bytes. A line names one file (a name is at most 255 bytes
     * on every common file system) after its mode and size, so real lines are far shorter.
     */
    static final int MAX_LINE = 8 * 1024;
    /** The deepest nesting of directories an upload may have (PATH_MAX of 4096 allows about 2000 one-letter levels). */
    static final int MAX_DEPTH = 512;

    private int depth;
    /** The file store of the directory files last landed in, and that directory (see usableSpace). */
    private FileStore store;
    private Path storeDir;

    CheckedScpHelper(Session session, InputStream in, OutputStream out, FileSystem fileSystem, ScpFileOpener opener,
            ScpTransferEventListener listener) {
        super(session, new LineLimit(in), out, fileSystem, opener, listener);
    }

    @Override
    protected ScpAckInfo receiveNextCmd() throws IOException {
        ScpAckInfo next = super.receiveNextCmd();
        if (next != null && next.getStatusCode() == ScpAckInfo.ERROR) {
            throw new ScpException("the client reported an error: " + next.getLine(), ScpAckInfo.ERROR);
        }
        return next;
    }

    @Override
    public void receiveDir(String header, Path local, ScpTimestampCommandDetails time, boolean preserve,
            int bufferSize) throws IOException {
        checkName(new ScpReceiveDirCommandDetails(header));
        if (depth >= MAX_DEPTH) {
            throw new ScpException("directories nested more than " + MAX_DEPTH + " deep", ScpAckInfo.ERROR);
        }
        depth++;
        try {
            super.receiveDir(header, local, time, preserve, bufferSize);
        } finally {
            depth--;
        }
    }

    @Override
    public void receiveFile(String header, Path local, ScpTimestampCommandDetails time, boolean preserve,
            int bufferSize) throws IOException {
        ScpReceiveFileCommandDetails details = new ScpReceiveFileCommandDetails(header);
        checkName(details);
        long length = details.getLength();
        if (length < 0) {
            throw new ScpException(details.getName() + ": negative size " + length, ScpAckInfo.ERROR);
        }
        Path dir = Files.isDirectory(local) ? local : local.toAbsolutePath().getParent();
        long usable = usableSpace(dir);
        if (length > usable) {
            throw new ScpException(details.getName() + ": " + length + " bytes announced, " + usable
                    + " free: No space left on device", ScpAckInfo.ERROR);
        }
        Path target = Files.isDirectory(local) ? local.resolve(details.getName()) : local;
        long replacing = regularSize(target);
        ConfinedFileSystemProvider.spaceOf(target).fits(target.toString(), length, replacing);
        // its temporary file counted in the user's quota as replacing the old file
        try (ConfinedFileSystemProvider.Request r = ConfinedFileSystemProvider.replacing(target.toString(), replacing)) {
            super.receiveFile(header, local, time, preserve, bufferSize);
        }
    }

    /** The size of the regular file at {@code file} (not following a link), -1 for anything else; only when it counts. */
    private static long regularSize(Path file) throws IOException {
        if (!ConfinedFileSystemProvider.spaceOf(file).counts()) {
            return -1;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? a.size() : -1;
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /** As OpenSSH's scp: a name the client sends is one name, in the directory it is sent to. */
    private static void checkName(ScpPathCommandDetailsSupport details) throws ScpException {
        String name = details.getName();
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new ScpException("unexpected filename: " + name, ScpAckInfo.ERROR);
        }
        if (name.indexOf('\uFFFD') >= 0) {
            // where the client's bytes were not UTF-8: the file would get another name than sent
            throw new ScpException("unexpected filename (not valid UTF-8): " + name, ScpAckInfo.ERROR);
        }
    }

    /**
     * What the file system of {@code dir} has free, or no limit when that cannot be known. The store
     * is looked up once per directory: on Linux each lookup reads the mount table (about 0.1 ms),
     * which per file of a tree was most of what this check cost; its free space is asked each time.
     */
    private long usableSpace(Path dir) {
        try {
            if (dir == null) {
                return Long.MAX_VALUE;
            }
            if (!dir.equals(storeDir)) {
                store = Files.getFileStore(dir);
                storeDir = dir;
            }
            return store.getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE; // the write itself will fail if the space is not there
        }
    }

    /**
     * Fails a protocol line longer than {@link #MAX_LINE}. MINA reads lines one byte at a time and
     * file data in blocks, so runs of single-byte reads without a newline are what is counted.
     */
    static final class LineLimit extends FilterInputStream {
        private int run;

        LineLimit(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c == '\n' || c < 0) {
                run = 0;
            } else if (++run > MAX_LINE) {
                throw new ScpException("protocol line longer than " + MAX_LINE + " bytes", ScpAckInfo.ERROR);
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            run = 0;
            return super.read(b, off, len);
        }
    }
}
