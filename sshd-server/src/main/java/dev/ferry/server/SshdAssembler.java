package dev.ferry.server;

import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
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
import dev.ferry.server.auth.Network;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.Users;
import dev.ferry.server.auth.UserSessions;
import dev.ferry.server.config.HostPort;
import dev.ferry.server.delta.DeltaSubsystemFactory;
import dev.ferry.server.fs.ConfinedFileSystemFactory;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.server.hook.HookRunner;
import dev.ferry.server.lifecycle.TransfersInFlight;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.metrics.Metrics;
import dev.ferry.server.proxy.ProxyProtocol;
import dev.ferry.server.quota.QuotaTracker;
import dev.ferry.server.rate.Bandwidth;
import dev.ferry.server.scp.ExecCommands;
import dev.ferry.server.sftp.FerrySftpSubsystemFactory;
import dev.ferry.server.sftp.SftpTransferLog;
import dev.ferry.server.sftp.SftpTransfersInFlight;
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

    /** The limits in force, which a reload replaces ({@link #applyLimits}). */
    static final AttributeKey<Limits> LIMITS = new AttributeKey<>();

    private SshdAssembler() {
    }

    /**
     * Sets the limits that MINA reads from the server's properties when it needs them (so new
     * connections and logins see a reload's values), and those Ferry's classes read.
     */
    static void applyLimits(SshServer sshd, Limits limits) {
        sshd.setAttribute(LIMITS, limits);
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(sshd, limits.maxAuthTries());
        CoreModuleProperties.AUTH_TIMEOUT.set(sshd, limits.authTimeout());
        CoreModuleProperties.IDLE_TIMEOUT.set(sshd, limits.idleTimeout());
    }

    /**
     * @param users     the users as they are now: a reload replaces them, and each login, each
     *                  channel's file system and policy, looks them up again
     * @param temps     told of every upload's temporary file (the server's journal, or nothing)
     * @param inFlight  counts the transfers in progress, for a graceful stop
     * @param bandwidth the users' upload and download rates
     * @param sessions  each user's connections at once, held to their maxSessions
     * @param quotas    what users with a quota hold
     * @param metrics   counts connections and reads the receive budget, if served
     * @param hooks     told of SFTP deletes and renames, if there is a hook
     */
    static ListeningServer assemble(ServerConfig config, Supplier<? extends Users> users, Defender defender,
            TemporaryFiles temps, TransfersInFlight inFlight, Bandwidth bandwidth, UserSessions sessions,
            QuotaTracker quotas, Optional<Metrics> metrics, Optional<HookRunner> hooks) {
        HostPort first = config.listen().get(0);
        ListeningServer sshd = (ListeningServer) ServerBuilder.builder()
                .factory(() -> new ListeningServer(config.listen().subList(1, config.listen().size())))
                .build();
        sshd.setHost(first.host());
        sshd.setPort(first.port());
        sshd.setKeyPairProvider(KeyPairProvider.wrap(config.hostKeys().toArray(KeyPair[]::new)));
        sshd.setAttribute(TransfersInFlight.KEY, inFlight);
        CoreModuleProperties.SERVER_IDENTIFICATION.set(sshd, IDENTIFICATION);

        // 1. Algorithms: strong only (see AlgorithmPolicy); strict key exchange is MINA's default.
        AlgorithmPolicy.applyTo(sshd, ServerBuilder.DH2KEX, config.algorithms());

        // 2. Transport: big windows and packets, socket buffers, TCP_NODELAY, DSCP (see TransportProfile).
        config.transport().applyTo(sshd);

        // 3. Limits against abuse.
        applyLimits(sshd, config.limits());
        CoreModuleProperties.SOCKET_BACKLOG.set(sshd, LISTEN_BACKLOG);
        // MINA's MAX_CONCURRENT_SESSIONS counts connections per user; OpenSSH's MaxSessions
        // (channels per connection) is ChannelLimit, which refuses the channel and keeps the connection.
        // What clients are refused is logged, the first lines of each connection only (see RefusalLog).
        RefusalLog refusals = new RefusalLog(config.events());
        sshd.setServiceFactories(List.of(ServerUserAuthServiceFactory.INSTANCE,
                new ChannelLimit(() -> sshd.getAttribute(LIMITS).maxSessionsPerConnection(), refusals)));
        if (!config.proxyProtocolFrom().isEmpty()) {
            // Before the defender: a stranger's connection is refused before it counts anywhere, and a
            // balancer's waits for its header to be admitted by its client's address.
            List<Network> balancers = config.proxyProtocolFrom();
            ProxyProtocol proxy = new ProxyProtocol(a -> balancers.stream().anyMatch(n -> n.contains(a)),
                    config.events(), defender::admitProxied);
            sshd.setServerProxyAcceptor(proxy);
            sshd.addSessionListener(proxy);
            defender.deferProxied(proxy::trusts);
        }
        sshd.addSessionListener(defender); // first, so that a refused connection goes no further
        sshd.addSessionListener(refusals); // before the connection's own line, which then comes last
        sshd.addSessionListener(new ConnectionLog(config.events(), config.transport()));
        sshd.addSessionListener(new NegotiationLog(config.events()));
        sshd.addSessionListener(sessions); // after the login's own line: refused after it, for the user's limit
        sshd.addChannelListener(sessions);

        // 4. Authentication: keys for everyone, passwords only when some user has one.
        Authenticators auth = new Authenticators(users, defender, config.events());
        sshd.setPublickeyAuthenticator(auth.publicKey());
        sshd.setPasswordAuthenticator(auth.password());
        offerPasswords(sshd, users.get());
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);

        // 5. What an authenticated user may open: session channels only; no forwarding, no agent.
        // Each channel's window comes out of one budget, so many uploads onto a slow disk cannot fill the heap.
        ReceiveBudget budget = new ReceiveBudget(config.receiveBudget(), ReceiveBudget.DEFAULT_FLOOR);
        metrics.ifPresent(m -> sshd.addSessionListener(m.watch(() -> sshd.getActiveSessions().size(), budget)));
        sshd.setChannelFactories(List.of(CoalescingChannelSession.factory(config.events()::accept, budget, refusals,
                bandwidth)));
        sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        sshd.setAgentFactory(null);

        // 6. Files: each user confined to their root, with their policy; changes counted in their quota.
        sshd.setFileSystemFactory(new ConfinedFileSystemFactory(session -> users.get()
                .find(session.getUsername())
                .map(u -> new ConfinedFileSystemFactory.Confinement(u.root(), u.policy(), quotas.account(u)))
                .orElse(null)));
        FerrySftpSubsystemFactory sftp = new FerrySftpSubsystemFactory(session -> users.get()
                .find(session.getUsername()).map(UserAccount::policy).orElse(FsPolicy.DEFAULT), refusals,
                config.atomicSftpUploads(), temps, bandwidth);
        sftp.addSftpEventListener(new SftpTransferLog(config.events()));
        sftp.addSftpEventListener(new SftpTransfersInFlight());
        hooks.ifPresent(h -> sftp.addSftpEventListener(h.sftpListener()));
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

    /**
     * Password authentication is offered only when some user has a password, so that a client
     * with no key for a keys-only server is not asked for one in vain; a reload may change that
     * (new connections see the change).
     */
    static void offerPasswords(SshServer sshd, Users users) {
        boolean any = users.anyPasswords();
        sshd.setUserAuthFactories(any
                ? List.<UserAuthFactory>of(UserAuthPublicKeyFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE)
                : List.<UserAuthFactory>of(UserAuthPublicKeyFactory.INSTANCE));
    }
}
