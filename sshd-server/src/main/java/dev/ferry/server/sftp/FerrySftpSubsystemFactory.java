package dev.ferry.server.sftp;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.apache.sshd.sftp.common.extensions.openssh.AbstractOpenSSHExtensionParser.OpenSSHExtension;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import dev.ferry.fs.QuotaExceededException;
import dev.ferry.fs.TemporaryFiles;
import dev.ferry.server.fs.ConfinedFileSystemProvider;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.rate.Bandwidth;
import dev.ferry.server.quota.QuotaLog;

/**
 * MINA's SFTP subsystem with what the file system layer cannot do: MINA creates a directory and then
 * sets the mode the client sent ({@code 0777} from OpenSSH), which would undo the umask, so the
 * requested mode is masked before it is applied; a directory named with a trailing slash, as
 * mkdir(2) allows; the OpenSSH extensions OpenSSH's own sftp uses beyond MINA's ({@link OpenSshExtensions});
 * and uploads that replace a file whole or not at all ({@link AtomicUploads}), whose handles it
 * tells apart when the client closes them.
 *
 * <p>Against hostile clients, as OpenSSH's sftp-server where MINA differs: a message whose length
 * is below the shortest or above {@link #MAX_MESSAGE} ends the channel (exit status 1), where MINA
 * buffered up to the channel's whole window waiting for the rest of a lying length, or failed on a
 * negative one; a request cut short inside its message is answered {@code SSH_FX_BAD_MESSAGE}
 * (MINA ended the channel); requests before {@code SSH_FXP_INIT}, and a second INIT, are refused
 * (MINA served them); at most {@link #MAX_OPEN_HANDLES} handles per channel (MINA: no limit); an
 * unknown handle is {@code SSH_FX_INVALID_HANDLE} (MINA: "no such file"); a name with NUL or
 * bytes that are not UTF-8 is refused (MINA acted on another name). Every error status but the
 * everyday ones (no such file, end of file, already exists) is logged through the {@link RefusalLog}.
 *
 * <p>Reads and writes are held to the user's {@link Bandwidth} on the subsystem's own thread, which
 * releases the channel's window only once a request is done, so a client held to its rate waits
 * on the window.
 */
public final class FerrySftpSubsystemFactory extends SftpSubsystemFactory {

    /**
     * The longest SFTP message accepted, OpenSSH's sftp-server's limit ({@code SFTP_MAX_MSG_LENGTH}):
     * every client works with it, so none sends more (a 255 KiB write is the largest request).
     */
    public static final int MAX_MESSAGE = 256 * 1024;
    /** A message's type and request id: the shortest there is. */
    static final int MIN_MESSAGE = 5;
    /**
     * Handles one SFTP channel may hold open at once (MINA's default is unlimited): each is a file
     * descriptor of the server's, shared by every user. {@code ferry cp -r} keeps 256 files open.
     */
    public static final int MAX_OPEN_HANDLES = 1024;

    /** Statuses every client meets in normal use (a stat of a file yet to be made, a read to the end, mkdir of a directory there). */
    private static final Set<Integer> EVERYDAY = Set.of(SftpConstants.SSH_FX_OK, SftpConstants.SSH_FX_EOF,
            SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH, SftpConstants.SSH_FX_FILE_ALREADY_EXISTS);

    private final Function<ServerSession, FsPolicy> policies;
    private final RefusalLog refusals;
    private final Bandwidth bandwidth;

    /**
     * @param policies      the policy of the session's (authenticated) user
     * @param refusals      where refused and malformed requests are logged
     * @param atomicUploads write uploads that replace a file into a temporary file renamed at the
     *                      client's close ({@link AtomicUploads}); false: in place, as OpenSSH's sftp-server
     * @param temps         told of each such temporary file (ferryd's journal)
     * @param bandwidth     the users' rates, which reads and writes are held to
     */
    public FerrySftpSubsystemFactory(Function<ServerSession, FsPolicy> policies, RefusalLog refusals,
            boolean atomicUploads, TemporaryFiles temps, Bandwidth bandwidth) {
        this.policies = policies;
        this.refusals = refusals;
        this.bandwidth = bandwidth;
        setFileSystemAccessor(new AtomicUploads(atomicUploads, temps));
        setErrorStatusDataHandler(SAYS_WHY);
    }

    /**
     * A failure's own words where they tell the client something and nothing of the disk: MINA
     * answers every failure "General failure", so a full disk reached ferry cp, rclone or sftp -v
     * as that. An {@code IOException}'s message ("No space left on device", "Disk quota
     * exceeded", ferryd's own sentences) is passed on; a {@code FileSystemException}'s names real
     * paths outside what the user sees, and keeps MINA's text.
     */
    private static final SftpErrorStatusDataHandler SAYS_WHY = new SftpErrorStatusDataHandler() {
        /**
         * A quota refusal is SSH_FX_QUOTA_EXCEEDED (15, from version 5 of the drafts; MINA's client and
         * SFTPGo's know it, OpenSSH's sftp prints "Unknown status" and fails the transfer all the same).
         */
        @Override
        public int resolveSubStatus(SftpSubsystemEnvironment sftp, int id, Throwable e, int cmd, Object... args) {
            if (e instanceof QuotaExceededException) {
                return SftpConstants.SSH_FX_QUOTA_EXCEEDED;
            }
            return SftpErrorStatusDataHandler.super.resolveSubStatus(sftp, id, e, cmd, args);
        }

        @Override
        public String resolveErrorMessage(SftpSubsystemEnvironment sftp, int id, Throwable e, int subStatus, int cmd,
                Object... args) {
            if ((subStatus == SftpConstants.SSH_FX_FAILURE || subStatus == SftpConstants.SSH_FX_QUOTA_EXCEEDED)
                    && e instanceof IOException && e.getMessage() != null && !(e instanceof FileSystemException)) {
                return e.getMessage();
            }
            return SftpErrorStatusDataHandler.super.resolveErrorMessage(sftp, id, e, subStatus, cmd, args);
        }
    };

    @Override
    public Command createSubsystem(ChannelSession channel) throws IOException {
        String user = channel.getSession().getUsername();
        SftpSubsystem subsystem = new FerrySubsystem(channel, this, policies, refusals, bandwidth.upload(user),
                bandwidth.download(user));
        GenericUtils.forEach(getRegisteredListeners(), subsystem::addSftpEventListener);
        return subsystem;
    }

    private static final class FerrySubsystem extends SftpSubsystem {
        private final Function<ServerSession, FsPolicy> policies;
        private final RefusalLog refusals;
        private final Bandwidth.Throttle uploads;
        private final Bandwidth.Throttle downloads;
        /** Why the client's stream of messages could not be read on; set once, then the channel ends. */
        private volatile String malformed;
        /** Whether SSH_FXP_INIT came (requests are processed on one thread, one at a time). */
        private boolean initialized;

        FerrySubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator,
                Function<ServerSession, FsPolicy> policies, RefusalLog refusals, Bandwidth.Throttle uploads,
                Bandwidth.Throttle downloads) {
            super(channel, configurator);
            this.policies = policies;
            this.refusals = refusals;
            this.uploads = uploads;
            this.downloads = downloads;
        }

        /**
         * MINA's framing with bounds on the length: MINA keeps everything until a message's length
         * has arrived, so a lying length held up to the whole window (64 MiB) per channel and
         * answered nothing, and a negative one threw from the connection's I/O thread.
         */
        @Override
        public int data(ChannelSession channel, byte[] buf, int start, int len) throws IOException {
            if (malformed != null) {
                return 0; // the channel is ending; what else comes is dropped
            }
            buffer.compact();
            buffer.putRawBytes(buf, start, len);
            while (buffer.available() >= Integer.BYTES) {
                int rpos = buffer.rpos();
                long length = buffer.getUInt();
                if (length < MIN_MESSAGE || length > MAX_MESSAGE) {
                    endMalformed("message length " + length + " outside " + MIN_MESSAGE + ".." + MAX_MESSAGE);
                    return 0;
                }
                int msglen = (int) length;
                if (buffer.available() < msglen) {
                    buffer.rpos(rpos);
                    break;
                }
                Buffer b = new ByteArrayBuffer(msglen + Integer.BYTES + Long.SIZE /* as MINA: a bit extra */, false);
                b.putUInt(msglen);
                b.putRawBytes(buffer.array(), buffer.rpos(), msglen);
                requests.add(b);
                buffer.rpos(rpos + msglen + Integer.BYTES);
            }
            return 0;
        }

        private void endMalformed(String reason) throws IOException {
            malformed = "malformed SFTP stream: " + reason;
            refusals.refused(getServerSession(), "sftp", "packet", malformed);
            buffer.clear();
            close(); // the processing thread ends, closes every handle and exits (status 1, below)
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            super.setExitCallback((exitValue, exitMessage, closeImmediately) -> {
                String why = malformed;
                callback.onExit(why == null ? exitValue : 1, why == null ? exitMessage : why, closeImmediately);
            });
        }

        /**
         * The client's own CLOSE: only this puts an atomic upload in place. MINA closes the handles
         * that are still open when the channel ends through the same {@code Handle.close()}, and
         * those drop their temporary files.
         */
        @Override
        protected void doClose(int id, String handle) throws IOException {
            Handle h = handles.get(handle);
            if (h != null) {
                h.setAttribute(AtomicUploads.CLOSED_BY_CLIENT, Boolean.TRUE);
            }
            super.doClose(id, handle);
        }

        /** The bytes read go out once the user's download rate lets them. */
        @Override
        protected int doRead(int id, String handle, long offset, int length, byte[] data, int doff,
                AtomicReference<Boolean> eof) throws IOException {
            int read = super.doRead(id, handle, offset, length, data, doff, eof);
            downloads.pass(Math.max(read, 0));
            return read;
        }

        /** A write that failed (no space left, say) is remembered: the upload is dropped at its close. */
        @Override
        protected void doWrite(int id, String handle, long offset, int length, byte[] data, int doff, int remaining)
                throws IOException {
            uploads.pass(length);
            try {
                super.doWrite(id, handle, offset, length, data, doff, remaining);
            } catch (IOException | RuntimeException e) {
                Handle h = handles.get(handle);
                if (h != null && h.getAttribute(AtomicUploads.WRITE_FAILED) == null) {
                    h.setAttribute(AtomicUploads.WRITE_FAILED, e);
                }
                throw e;
            }
        }

        /** An atomic upload's attributes are its temporary file's: its size so far, and the mode and time to come. */
        @Override
        protected Map<String, Object> doFStat(int id, String handle, int flags) throws IOException {
            Path temp = AtomicUploads.temporaryOf(handles.get(handle));
            if (temp == null) {
                return super.doFStat(id, handle, flags);
            }
            return resolveFileAttributes(temp, flags, true, LinkOption.NOFOLLOW_LINKS);
        }

        /** Set on the temporary file, so that the rename brings them along ({@code put -p}). */
        @Override
        protected void doFSetStat(int id, String handle, Map<String, ?> attrs) throws IOException {
            Path temp = AtomicUploads.temporaryOf(handles.get(handle));
            if (temp == null) {
                super.doFSetStat(id, handle, attrs);
                return;
            }
            // Following links is moot (ferryd made the file, a regular one) and must be asked
            // for: Linux cannot chmod without following them, and MINA then fails the request.
            doSetAttributes(SftpConstants.SSH_FXP_FSETSTAT, "", temp, attrs, true);
        }

        /**
         * Each request with its own memory of the places it has checked (see oneRequest). A request
         * whose fields run past its message is answered {@code SSH_FX_BAD_MESSAGE}, as its id is
         * known; MINA let the exception end the channel.
         */
        @Override
        protected void doProcess(Buffer buffer, int length, int type, int id) throws IOException {
            // As OpenSSH's sftp-server: INIT first, and once (MINA served requests before it, and a second one).
            if ((type == SftpConstants.SSH_FXP_INIT) == initialized) {
                String reason = initialized ? "SSH_FXP_INIT again" : "SSH_FXP_INIT must come first";
                refusals.refused(getServerSession(), "sftp", SftpConstants.getCommandMessageName(type), reason);
                super.sendStatus(prepareReply(buffer), id, SftpConstants.SSH_FX_FAILURE, reason, "");
                return;
            }
            initialized = true;
            try (ConfinedFileSystemProvider.Request checks = ConfinedFileSystemProvider.oneRequest()) {
                super.doProcess(buffer, length, type, id);
            } catch (RuntimeException e) {
                if (type == SftpConstants.SSH_FXP_INIT) {
                    throw e;
                }
                String reason = "malformed " + SftpConstants.getCommandMessageName(type) + ": "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
                refusals.refused(getServerSession(), "sftp", SftpConstants.getCommandMessageName(type), reason);
                super.sendStatus(prepareReply(buffer), id, SftpConstants.SSH_FX_BAD_MESSAGE, reason, "");
            }
        }

        /**
         * A name with NUL, or with the replacement character MINA's decoding puts where the client's
         * bytes were not UTF-8, is refused: MINA would act on another name than the one sent (the
         * bytes before a NUL; U+FFFD in place of the bytes), so a client could create a file it
         * could not name again. OpenSSH's sftp-server passes bytes through; MINA cannot.
         */
        @Override
        protected Path resolveFile(String remotePath) throws IOException, InvalidPathException {
            if (remotePath.indexOf('\0') >= 0) {
                throw new InvalidPathException(remotePath, "NUL in a name");
            }
            if (remotePath.indexOf('\uFFFD') >= 0) {
                throw new InvalidPathException(remotePath, "a name that is not valid UTF-8");
            }
            return super.resolveFile(remotePath);
        }

        /** A handle never given (or closed) is an invalid handle, where MINA answered "no such file". */
        @Override
        protected <H extends Handle> H validateHandle(String handle, Handle h, Class<H> type) throws IOException {
            if (h == null) {
                throw new SftpException(SftpConstants.SSH_FX_INVALID_HANDLE, "no such handle");
            }
            return super.validateHandle(handle, h, type);
        }

        @Override
        protected void doUnsupportedExtension(Buffer buffer, int id, String extension) throws IOException {
            refusals.refused(getServerSession(), "sftp", "SSH_FXP_EXTENDED " + extension, "unknown extension");
            super.doUnsupportedExtension(buffer, id, extension);
        }

        @Override
        protected void doUnsupported(Buffer buffer, int length, int type, int id) throws IOException {
            refusals.refused(getServerSession(), "sftp", "type " + type, "unknown request type");
            super.doUnsupported(buffer, length, type, id);
        }

        /**
         * Every error answered to a request, logged unless it is an everyday one; a quota refusal
         * as {@code quota-exceeded}, once per upload (a client's writes sent ahead all fail with it).
         */
        @Override
        protected void sendStatus(Buffer buffer, int id, Throwable e, int cmd, Object... args) throws IOException {
            int status = getErrorStatusDataHandler().resolveSubStatus(this, id, e, cmd, args);
            if (QuotaExceededException.in(e) != null) {
                QuotaLog.report(event -> refusals.report(getServerSession(), event), getServerSession(), "sftp", e);
            } else if (!EVERYDAY.contains(status)) {
                String request = SftpConstants.getCommandMessageName(cmd) + (args == null || args.length == 0 ? ""
                        : " " + Arrays.stream(args).map(String::valueOf).collect(Collectors.joining(" ")));
                refusals.refused(getServerSession(), "sftp", request, SftpConstants.getStatusName(status) + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            super.sendStatus(buffer, id, e, cmd, args);
        }

        @Override
        protected void doMakeDirectory(int id, String path, Map<String, ?> attrs) throws IOException {
            Map<String, Object> masked = new HashMap<>(attrs);
            if (masked.get("permissions") instanceof Set<?> requested) {
                @SuppressWarnings("unchecked")
                Set<PosixFilePermission> perms = (Set<PosixFilePermission>) requested;
                masked.put("permissions", policies.apply(getServerSession()).mask(perms));
            }
            super.doMakeDirectory(id, withoutTrailingSlashes(path), masked);
        }

        @Override
        protected void doRemoveDirectory(int id, String path) throws IOException {
            super.doRemoveDirectory(id, withoutTrailingSlashes(path));
        }

        /**
         * {@code "dir/"} as {@code "dir"}: mkdir(2) and rmdir(2) take a directory's name either way
         * (OpenSSH's sftp-server passes it through; rsync-like clients name target directories so),
         * while MINA's subsystem on a rooted file system answers "no such file" (mkdir) or "failure"
         * (rmdir) for it.
         */
        private static String withoutTrailingSlashes(String path) {
            int end = path.length();
            while (end > 1 && path.charAt(end - 1) == '/') {
                end--;
            }
            return path.substring(0, end);
        }

        @Override
        protected List<OpenSSHExtension> resolveOpenSSHExtensions(ServerSession session) {
            List<OpenSSHExtension> all = new ArrayList<>(super.resolveOpenSSHExtensions(session));
            all.addAll(OpenSshExtensions.ADVERTISED);
            return all;
        }

        @Override
        protected void executeExtendedCommand(Buffer buffer, int id, String extension) throws IOException {
            try {
                switch (extension) {
                    case OpenSshExtensions.STATVFS -> {
                        Path path = resolveFile(buffer.getString());
                        boolean readOnly = policies.apply(getServerSession()).readOnly();
                        replyExtended(buffer, id, OpenSshExtensions.statvfs(path, readOnly));
                    }
                    case OpenSshExtensions.EXPAND_PATH -> {
                        // then as realpath: MINA's own resolution, so the name is the one the user sees
                        String expanded = OpenSshExtensions.expandHome(buffer.getString());
                        Path path = doRealPathV345(id, expanded, resolveFile(expanded)).getKey();
                        sendPath(prepareReply(buffer), id, path, Map.of());
                    }
                    default -> super.executeExtendedCommand(buffer, id, extension);
                }
            } catch (IOException | RuntimeException e) {
                sendStatus(prepareReply(buffer), id, e, SftpConstants.SSH_FXP_EXTENDED, extension);
            }
        }

        private void replyExtended(Buffer buffer, int id, long[] values) throws IOException {
            Buffer reply = prepareReply(buffer);
            reply.putByte((byte) SftpConstants.SSH_FXP_EXTENDED_REPLY);
            reply.putUInt(id);
            for (long v : values) {
                reply.putLong(v);
            }
            send(reply);
        }
    }
}
