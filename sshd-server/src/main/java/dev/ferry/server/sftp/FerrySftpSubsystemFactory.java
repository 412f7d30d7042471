package dev.ferry.server.sftp;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.extensions.openssh.AbstractOpenSSHExtensionParser.OpenSSHExtension;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import dev.ferry.fs.TemporaryFiles;
import dev.ferry.server.fs.ConfinedFileSystemProvider;
import dev.ferry.server.fs.FsPolicy;

/**
 * MINA's SFTP subsystem with what the file system layer cannot do: MINA creates a directory and then
 * sets the mode the client sent ({@code 0777} from OpenSSH), which would undo the umask, so the
 * requested mode is masked before it is applied; a directory named with a trailing slash, as
 * mkdir(2) allows; the OpenSSH extensions OpenSSH's own sftp uses beyond MINA's ({@link OpenSshExtensions});
 * and uploads that replace a file whole or not at all ({@link AtomicUploads}), whose handles it
 * tells apart when the client closes them.
 */
public final class FerrySftpSubsystemFactory extends SftpSubsystemFactory {

    private final Function<ServerSession, FsPolicy> policies;

    /**
     * @param policies      the policy of the session's (authenticated) user
     * @param atomicUploads write uploads that replace a file into a temporary file renamed at the
     *                      client's close ({@link AtomicUploads}); false: in place, as OpenSSH's sftp-server
     * @param temps         told of each such temporary file (ferryd's journal)
     */
    public FerrySftpSubsystemFactory(Function<ServerSession, FsPolicy> policies, boolean atomicUploads,
            TemporaryFiles temps) {
        this.policies = policies;
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
        @Override
        public String resolveErrorMessage(SftpSubsystemEnvironment sftp, int id, Throwable e, int subStatus, int cmd,
                Object... args) {
            if (subStatus == SftpConstants.SSH_FX_FAILURE && e instanceof IOException && e.getMessage() != null
                    && !(e instanceof FileSystemException)) {
                return e.getMessage();
            }
            return SftpErrorStatusDataHandler.super.resolveErrorMessage(sftp, id, e, subStatus, cmd, args);
        }
    };

    @Override
    public Command createSubsystem(ChannelSession channel) throws IOException {
        SftpSubsystem subsystem = new FerrySubsystem(channel, this, policies);
        GenericUtils.forEach(getRegisteredListeners(), subsystem::addSftpEventListener);
        return subsystem;
    }

    private static final class FerrySubsystem extends SftpSubsystem {
        private final Function<ServerSession, FsPolicy> policies;

        FerrySubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator,
                Function<ServerSession, FsPolicy> policies) {
            super(channel, configurator);
            this.policies = policies;
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

        /** A write that failed (no space left, say) is remembered: the upload is dropped at its close. */
        @Override
        protected void doWrite(int id, String handle, long offset, int length, byte[] data, int doff, int remaining)
                throws IOException {
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

        /** Each request with its own memory of the places it has checked (see oneRequest). */
        @Override
        protected void doProcess(Buffer buffer, int length, int type, int id) throws IOException {
            try (ConfinedFileSystemProvider.Request checks = ConfinedFileSystemProvider.oneRequest()) {
                super.doProcess(buffer, length, type, id);
            }
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
