package dev.ferry.server.sftp;

import java.io.IOException;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import dev.ferry.server.fs.FsPolicy;

/**
 * MINA's SFTP subsystem with the one change the file system layer cannot make: MINA creates a
 * directory and then sets the mode the client sent ({@code 0777} from OpenSSH), which would undo
 * the umask, so the requested mode is masked before it is applied.
 */
public final class FerrySftpSubsystemFactory extends SftpSubsystemFactory {

    private final Function<ServerSession, FsPolicy> policies;

    /** @param policies the policy of the session's (authenticated) user */
    public FerrySftpSubsystemFactory(Function<ServerSession, FsPolicy> policies) {
        this.policies = policies;
    }

    @Override
    public Command createSubsystem(ChannelSession channel) throws IOException {
        SftpSubsystem subsystem = new UmaskSubsystem(channel, this, policies);
        GenericUtils.forEach(getRegisteredListeners(), subsystem::addSftpEventListener);
        return subsystem;
    }

    private static final class UmaskSubsystem extends SftpSubsystem {
        private final Function<ServerSession, FsPolicy> policies;

        UmaskSubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator,
                Function<ServerSession, FsPolicy> policies) {
            super(channel, configurator);
            this.policies = policies;
        }

        @Override
        protected void doMakeDirectory(int id, String path, Map<String, ?> attrs) throws IOException {
            Map<String, Object> masked = new HashMap<>(attrs);
            if (masked.get("permissions") instanceof Set<?> requested) {
                @SuppressWarnings("unchecked")
                Set<PosixFilePermission> perms = (Set<PosixFilePermission>) requested;
                masked.put("permissions", policies.apply(getServerSession()).mask(perms));
            }
            super.doMakeDirectory(id, path, masked);
        }
    }
}
