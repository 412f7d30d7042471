package dev.ferry.server;

import java.util.List;

import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.UserAuthFactory;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.session.ServerUserAuthServiceFactory;
import org.apache.sshd.sftp.SftpModuleProperties;

import dev.ferry.fs.TemporaryFiles;
import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.server.auth.Authenticators;
import dev.ferry.server.auth.Defender;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.delta.DeltaSubsystemFactory;
import dev.ferry.server.fs.ConfinedFileSystemFactory;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.quota.QuotaTracker;
import dev.ferry.server.scp.ExecCommands;
import dev.ferry.server.sftp.FerrySftpSubsystemFactory;
import dev.ferry.server.sftp.SftpTransferLog;
import dev.ferry.transport.ReceiveBudget;

/**
 * Turns a {@link ServerConfig} into a configured MINA {@link SshServer}. This is the one place that
 * sets MINA's properties and factories on the server side, so every choice is visible here in order.
 */
final class SshdAssembler {

    /** The software version in the SSH identification string. */
    static final String IDENTIFICATION = "Ferry_0.1";

    /**
     * Connections the kernel completes and queues before ferryd accepts them (Linux caps it at
     * net.core.somaxconn, 4096 by default). MINA asks for the JDK's default, 50: under a flood, or
     * 200 clients connecting at once, the queue overflowed, the kernel dropped the handshakes' last
     * ACKs, and clients that believed themselves connected waited seconds for SYN-ACK retransmits or
     * were reset (docs/benchmarks-load.md). OpenSSH's sshd asks for 128.
     */
    static final int LISTEN_BACKLOG = 1024;

    private SshdAssembler() {
    }

    /**
     * @param temps  told of every upload's temporary file (the server's journal, or nothing)
     * @param quotas what users with a quota hold
     */
    static SshServer assemble(ServerConfig config, Defender defender, TemporaryFiles temps, QuotaTracker quotas) {
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost(config.host());
        sshd.setPort(config.port());
        sshd.setKeyPairProvider(KeyPairProvider.wrap(config.hostKey()));
        CoreModuleProperties.SERVER_IDENTIFICATION.set(sshd, IDENTIFICATION);

        // 1. Algorithms: strong only (see AlgorithmPolicy); strict key exchange is MINA's default.
        AlgorithmPolicy.applyTo(sshd, ServerBuilder.DH2KEX, config.algorithms());

        // 2. Transport: big windows and packets, socket buffers, TCP_NODELAY, DSCP (see TransportProfile).
        config.transport().applyTo(sshd);

        // 3. Limits against abuse.
        Limits limits = config.limits();
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(sshd, limits.maxAuthTries());
        CoreModuleProperties.AUTH_TIMEOUT.set(sshd, limits.authTimeout());
        CoreModuleProperties.IDLE_TIMEOUT.set(sshd, limits.idleTimeout());
        CoreModuleProperties.SOCKET_BACKLOG.set(sshd, LISTEN_BACKLOG);
        // MINA's MAX_CONCURRENT_SESSIONS counts connections per user; OpenSSH's MaxSessions
        // (channels per connection) is ChannelLimit, which refuses the channel and keeps the connection.
        // What clients are refused is logged, the first lines of each connection only (see RefusalLog).
        RefusalLog refusals = new RefusalLog(config.events());
        sshd.setServiceFactories(List.of(ServerUserAuthServiceFactory.INSTANCE,
                new ChannelLimit(limits.maxSessionsPerConnection(), refusals)));
        sshd.addSessionListener(defender); // first, so that a refused connection goes no further
        sshd.addSessionListener(refusals); // before the connection's own line, which then comes last
        sshd.addSessionListener(new ConnectionLog(config.events(), config.transport()));
        sshd.addSessionListener(new NegotiationLog(config.events()));

        // 4. Authentication: keys for everyone, passwords only when some user has one.
        Authenticators auth = new Authenticators(config.users(), defender, config.events());
        sshd.setPublickeyAuthenticator(auth.publicKey());
        if (auth.anyPasswords()) {
            sshd.setPasswordAuthenticator(auth.password());
            sshd.setUserAuthFactories(List.<UserAuthFactory>of(UserAuthPublicKeyFactory.INSTANCE,
                    UserAuthPasswordFactory.INSTANCE));
        } else {
            sshd.setPasswordAuthenticator(null);
            sshd.setUserAuthFactories(List.<UserAuthFactory>of(UserAuthPublicKeyFactory.INSTANCE));
        }
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);

        // 5. What an authenticated user may open: session channels only; no forwarding, no agent.
        // Each channel's window comes out of one budget, so many uploads onto a slow disk cannot fill the heap.
        ReceiveBudget budget = new ReceiveBudget(config.receiveBudget(), ReceiveBudget.DEFAULT_FLOOR);
        sshd.setChannelFactories(List.of(CoalescingChannelSession.factory(config.events()::accept, budget, refusals)));
        sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        sshd.setAgentFactory(null);

        // 6. Files: each user confined to their root, with their policy; changes counted in their quota.
        sshd.setFileSystemFactory(new ConfinedFileSystemFactory(session -> config.users()
                .find(session.getUsername())
                .map(u -> new ConfinedFileSystemFactory.Confinement(u.root(), u.policy(), quotas.account(u)))
                .orElse(null)));
        FerrySftpSubsystemFactory sftp = new FerrySftpSubsystemFactory(session -> config.users()
                .find(session.getUsername()).map(UserAccount::policy).orElse(FsPolicy.DEFAULT), refusals,
                config.atomicSftpUploads(), temps);
        sftp.addSftpEventListener(new SftpTransferLog(config.events()));
        SftpModuleProperties.MAX_READDATA_PACKET_LENGTH.set(sshd, config.sftpMaxRead());
        // MINA's default is unlimited: each handle is a file descriptor of the whole server's
        SftpModuleProperties.MAX_OPEN_HANDLES_PER_SESSION.set(sshd, FerrySftpSubsystemFactory.MAX_OPEN_HANDLES);
        // Ferry's delta sync, on the same confined file system as SFTP.
        sshd.setSubsystemFactories(List.of(sftp, new DeltaSubsystemFactory(config.events()::accept, temps)));

        // 7. Exec: scp -t / scp -f without a shell; everything else refused.
        ExecCommands exec = new ExecCommands(config.events(), refusals, config.scpBufferSize(), temps);
        sshd.setCommandFactory(exec);
        sshd.setShellFactory(exec);
        return sshd;
    }
}
