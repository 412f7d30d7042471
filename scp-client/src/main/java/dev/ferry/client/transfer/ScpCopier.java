package dev.ferry.client.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.scp.client.ScpClient;
import org.apache.sshd.scp.client.ScpClientCreator;
import org.apache.sshd.scp.common.ScpException;
import org.apache.sshd.scp.common.ScpTargetStreamResolver;
import org.apache.sshd.scp.common.ScpTransferEventListener;
import org.apache.sshd.scp.common.helpers.LocalFileScpTargetStreamResolver;
import org.apache.sshd.scp.common.helpers.ScpAckInfo;
import org.apache.sshd.scp.common.helpers.ScpTimestampCommandDetails;

import dev.ferry.client.FerryException;
import dev.ferry.fs.FileStamp;
import dev.ferry.fs.SourceChangedException;
import dev.ferry.scp.AtomicScpFileOpener;

/**
 * Copies with the legacy SCP protocol ({@code -O}), for servers without SFTP. The remote path goes
 * to the server's shell as the user wrote it, as OpenSSH's scp sends it.
 *
 * <p>A hostile server is held to what was asked (the scp CVEs): at the top level of a download it
 * may only send the names requested (CVE-2019-6111; {@code -T} relaxes this to names without '/',
 * for remote globs the client cannot know); it may never send an empty name, ".", ".." or a name
 * with '/' (CVE-2018-20685); and its names and messages are stripped of control characters before
 * they are printed (CVE-2019-6109/6110). Files land atomically, as with SFTP.
 */
public final class ScpCopier implements Copier {

    private final ClientSession session;
    private final Throttle throttle;
    private final String server;
    private final TransferOptions options;
    private final boolean strictNames;
    private final TransferListener listener;
    private final List<String> errors = new ArrayList<>();
    private boolean lost;

    public ScpCopier(ClientSession session, String server, TransferOptions options, boolean strictNames,
            TransferListener listener, Throttle throttle) {
        this.session = session;
        this.throttle = throttle;
        this.server = server;
        this.options = options;
        this.strictNames = strictNames;
        this.listener = listener;
    }

    @Override
    public List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public boolean connectionLost() {
        return lost;
    }

    /** A failure of the whole SCP exchange: the lost connection's is said once by the caller (Copier). */
    private void failed(IOException e) {
        if (session.isOpen()) {
            errors.add(message(e));
        } else {
            lost = true;
        }
    }

    private EnumSet<ScpClient.Option> scpOptions() {
        EnumSet<ScpClient.Option> set = EnumSet.noneOf(ScpClient.Option.class);
        if (options.recursive()) {
            set.add(ScpClient.Option.Recursive);
        }
        if (options.preserve()) {
            set.add(ScpClient.Option.PreserveAttributes);
        }
        return set;
    }

    @Override
    public void upload(List<Path> sources, String target) throws FerryException {
        List<Path> existing = new ArrayList<>();
        for (Path source : sources) {
            if (!Files.exists(source)) {
                errors.add(source + ": No such file or directory");
            } else if (Files.isDirectory(source) && !options.recursive()) {
                errors.add(source + ": not a regular file (use -r for directories)");
            } else {
                existing.add(source);
            }
        }
        if (existing.isEmpty()) {
            return;
        }
        EnumSet<ScpClient.Option> set = scpOptions();
        if (existing.size() > 1) {
            set.add(ScpClient.Option.TargetIsDirectory);
        }
        ScpClient scp = ScpClientCreator.instance().createScpClient(session, new AtomicScpFileOpener() {
            @Override
            public InputStream openRead(Session s, Path file, long size, Set<PosixFilePermission> permissions,
                    OpenOption... openOptions) throws IOException {
                FileStamp before = FileStamp.of(file);
                return new Unchanging(throttle.wrap(super.openRead(s, file, size, permissions, openOptions)), file,
                        size, before);
            }
        }, new Events(server, true));
        try {
            scp.upload(existing.toArray(Path[]::new), target.isEmpty() ? "." : target, set);
        } catch (IOException e) {
            failed(e);
        }
    }

    @Override
    public void download(List<String> sources, Path target) throws FerryException {
        boolean intoDir = Files.isDirectory(target);
        if (sources.size() > 1 && !intoDir) {
            throw new FerryException(target + ": not a directory");
        }
        for (String source : sources) {
            EnumSet<ScpClient.Option> set = scpOptions();
            if (intoDir) {
                set.add(ScpClient.Option.TargetIsDirectory);
            }
            PathMatcher requested = strictNames
                    ? FileSystems.getDefault().getPathMatcher("glob:" + RemoteNames.baseName(source)) : null;
            ScpClient scp = ScpClientCreator.instance().createScpClient(session,
                    new CheckedOpener(target, intoDir, requested, throttle), new Events(server, false));
            try {
                scp.download(source, target, set);
            } catch (IOException e) {
                failed(e);
            }
        }
    }

    private String message(IOException e) {
        if (e instanceof SourceChangedException) {
            return Terminal.safe(e.getMessage()); // names the local file, which is what changed
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Terminal.safe(server + ": " + m.strip());
    }

    /**
     * A local file read for SCP, which announces its size first and then sends that many bytes: a
     * file that changed while it was read ({@link FileStamp}) fails before its last bytes go, so the
     * server never has every announced byte. ferryd then drops its temporary file and keeps the old
     * one; OpenSSH's scp writes into the target itself, which is then damaged whatever the client
     * does (use SFTP, the default, to keep the old file).
     */
    private static final class Unchanging extends FilterInputStream {
        private final Path file;
        private final long size;
        private final FileStamp before;
        private long read;

        Unchanging(InputStream in, Path file, long size, FileStamp before) {
            super(in);
            this.file = file;
            this.size = size;
            this.before = before;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, (int) Math.max(1, Math.min(len, size - read)));
            if (n < 0 && read < size) {
                throw new SourceChangedException(file.toString()); // it shrank
            }
            if (n > 0) {
                read += n;
                if (read >= size) { // the last bytes: handed on only if the file held still
                    before.verify(file.toString(), read, FileStamp.after(file));
                }
            }
            return n;
        }
    }

    /**
     * Lands files atomically and checks every name the server sends before it becomes a path:
     * at the top level it must be one that was asked for.
     */
    private static final class CheckedOpener extends AtomicScpFileOpener {
        private final Path top;
        private final boolean topIsDir;
        private final PathMatcher requested;
        private final Throttle throttle;

        CheckedOpener(Path top, boolean topIsDir, PathMatcher requested, Throttle throttle) {
            this.throttle = throttle;
            this.top = top.toAbsolutePath().normalize();
            this.topIsDir = topIsDir;
            this.requested = requested;
        }

        void check(Path where, String name) throws ScpException {
            if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                    || name.indexOf('\0') >= 0) {
                throw new ScpException("protocol error: the server sent an invalid name '" + Terminal.safe(
                        String.valueOf(name)) + "'", ScpAckInfo.ERROR);
            }
            boolean atTop = topIsDir && where.toAbsolutePath().normalize().equals(top);
            if (atTop && requested != null && !requested.matches(Path.of(name))) {
                throw new ScpException("protocol error: filename does not match request ('" + Terminal.safe(name)
                        + "')", ScpAckInfo.ERROR);
            }
        }

        @Override
        protected OutputStream decorate(OutputStream fileStream) {
            return throttle.wrap(fileStream);
        }

        @Override
        public Path resolveIncomingFilePath(Session session, Path localPath, String name, boolean preserve,
                Set<PosixFilePermission> permissions, ScpTimestampCommandDetails time) throws IOException {
            check(localPath, name);
            return super.resolveIncomingFilePath(session, localPath, name, preserve, permissions, time);
        }

        @Override
        public ScpTargetStreamResolver createScpTargetStreamResolver(Session session, Path path) throws IOException {
            return new LocalFileScpTargetStreamResolver(path, this) {
                private boolean intoDevice;

                @Override
                public OutputStream resolveTargetStream(Session s, String name, long length,
                        Set<PosixFilePermission> perms, OpenOption... options) throws IOException {
                    check(path, name);
                    if (isDeviceOrPipe(path)) {
                        // Written into (MINA's resolver refuses anything but a regular file).
                        intoDevice = true;
                        return openWrite(s, path, length, perms, options);
                    }
                    return super.resolveTargetStream(s, name, length, perms, options);
                }

                @Override
                public void postProcessReceivedData(String name, boolean preserve, Set<PosixFilePermission> perms,
                        ScpTimestampCommandDetails time) throws IOException {
                    if (!intoDevice) { // a device's mode and times are not the file's to set
                        super.postProcessReceivedData(name, preserve, perms, time);
                    }
                }
            };
        }
    }

    /** MINA's per-file SCP events, told to the transfer listener. */
    private final class Events implements ScpTransferEventListener {
        private final String server;
        private final boolean upload;
        private long start;

        Events(String server, boolean upload) {
            this.server = server;
            this.upload = upload;
        }

        private TransferListener.FileTransfer transfer(Path file, long length) {
            String local = file.toString();
            String remote = server + ":" + file.getFileName();
            return upload ? new TransferListener.FileTransfer(local, remote, length, "scp")
                    : new TransferListener.FileTransfer(remote, local, length, "scp");
        }

        @Override
        public void startFileEvent(Session s, FileOperation op, Path file, long length,
                Set<PosixFilePermission> perms) {
            start = System.nanoTime();
            listener.started(transfer(file, length));
        }

        @Override
        public void endFileEvent(Session s, FileOperation op, Path file, long length,
                Set<PosixFilePermission> perms, Throwable thrown) {
            listener.finished(transfer(file, length), thrown == null ? length : 0, (System.nanoTime() - start) / 1e9,
                    thrown);
        }
    }
}
