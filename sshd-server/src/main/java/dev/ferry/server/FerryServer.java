package dev.ferry.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import dev.ferry.fs.TemporaryFiles;
import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.auth.Defender;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.Network;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserDirectory;
import dev.ferry.server.auth.UserLimits;
import dev.ferry.server.auth.UserSessions;
import dev.ferry.server.auth.Users;
import dev.ferry.server.config.HostPort;
import dev.ferry.server.hook.Hook;
import dev.ferry.server.hook.HookRunner;
import dev.ferry.server.journal.TemporaryJournal;
import dev.ferry.server.lifecycle.TransfersInFlight;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.metrics.Metrics;
import dev.ferry.server.quota.QuotaTracker;
import dev.ferry.server.quota.Usage;
import dev.ferry.server.rate.Bandwidth;
import dev.ferry.transport.ReceiveBudget;
import dev.ferry.transport.TransportProfile;

/**
 * An SFTP and SCP server. Build one, {@link #start()} it, and {@link #close()} it when done:
 *
 * <pre>{@code
 * try (FerryServer server = FerryServer.builder()
 *         .listen("127.0.0.1", 0)
 *         .hostKey(KeyFiles.loadOrGenerateEd25519(stateDir.resolve("host_ed25519_key")))
 *         .user(UserAccount.withKeys("alice", root, keys, FsPolicy.DEFAULT))
 *         .build()) {
 *     int port = server.start();
 *     ...
 * }
 * }</pre>
 */
public final class FerryServer implements AutoCloseable {

    private final ServerConfig config;
    private final Defender defender;
    /** The users' token buckets and connection counts, kept across reloads of the users. */
    private final Bandwidth bandwidth = new Bandwidth(this::limitsOf);
    private final UserSessions sessions;
    private final ListeningServer sshd;
    private final Optional<TemporaryJournal> journal;
    private final Optional<Metrics> metrics;
    private final Optional<HookRunner> hooks;
    private final AtomicReference<Users> users;
    private final QuotaTracker quotas;
    private final TransfersInFlight inFlight = new TransfersInFlight();
    private final CountDownLatch closed = new CountDownLatch(1);

    private FerryServer(ServerConfig given, Optional<Users> store) {
        // Every event goes to the log, then the metrics, then the hook; the hook's failures to the first two.
        this.metrics = given.metrics().map(address -> new Metrics());
        EventSink logged = metrics.map(given.events()::andThen).orElse(given.events());
        this.hooks = given.hook().map(hook -> new HookRunner(hook, logged, Clock.systemUTC()));
        this.config = given.withEvents(hooks.map(logged::andThen).orElse(logged));
        this.users = new AtomicReference<>(store.orElse(config.users()));
        this.defender = new Defender(config.limits(), config.clock(), config.events());
        this.journal = config.uploadJournal().map(TemporaryJournal::new);
        this.sessions = new UserSessions(this::limitsOf, config.events());
        this.quotas = new QuotaTracker(this::limitsOf);
        this.sshd = SshdAssembler.assemble(config, users::get, defender,
                journal.<TemporaryFiles>map(j -> j).orElse(TemporaryFiles.NONE), inFlight, bandwidth, sessions,
                quotas, metrics, hooks);
    }

    /** {@code user}'s limits as the users are now (none for a user no longer there), read at each use. */
    private UserLimits limitsOf(String user) {
        return users.get().find(user).map(UserAccount::limits).orElse(UserLimits.NONE);
    }

    /** The users as they are now (those the server was built with, or a reload's). */
    public Users users() {
        return users.get();
    }

    /**
     * Serves {@code users} and applies {@code limits} from now on, without dropping a connection:
     * each login looks its user up again, so a removed user cannot log in any more while their
     * connections in progress go on (as OpenSSH's sshd leaves a removed account's sessions alone).
     */
    public void reload(Users users, Limits limits) {
        this.users.set(Objects.requireNonNull(users, "users"));
        SshdAssembler.offerPasswords(sshd, users);
        SshdAssembler.applyLimits(sshd, limits);
        defender.update(limits);
    }

    /** The transfers in progress (an SFTP file open, an scp command, a delta operation). */
    public int transfersInFlight() {
        return inFlight.count();
    }

    /**
     * A graceful stop, as on SIGTERM: stops listening at once, lets the transfers in progress
     * finish for up to {@code grace} (their connections may start more meanwhile), then closes
     * every connection. Logged as {@code stopping} and {@code stopped}.
     *
     * @return the transfers that were still running when the grace period ended
     */
    public int stop(Duration grace) throws IOException {
        sshd.stopListening();
        config.events().accept(new ServerEvent.Stopping(inFlight.count(), grace.toSeconds()));
        int interrupted;
        try {
            interrupted = inFlight.awaitNone(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted = inFlight.count();
        }
        close();
        config.events().accept(new ServerEvent.Stopped(interrupted));
        return interrupted;
    }

    /**
     * Every address the server listens on, with the ports bound (useful with port 0), in the order
     * they were configured.
     */
    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> bound = new ArrayList<>();
        for (SocketAddress address : sshd.getBoundAddresses()) {
            if (address instanceof InetSocketAddress inet) {
                bound.add(inet);
            }
        }
        List<HostPort> order = config.listen();
        bound.sort(Comparator.comparingInt(a -> rank(order, a)));
        return bound;
    }

    private static int rank(List<HostPort> order, InetSocketAddress bound) {
        for (int i = 0; i < order.size(); i++) {
            HostPort want = order.get(i);
            try {
                if ((want.port() == 0 || want.port() == bound.getPort())
                        && InetAddress.getByName(want.host()).equals(bound.getAddress())) {
                    return i;
                }
            } catch (UnknownHostException e) {
                // a name that no longer resolves: ranked last
            }
        }
        return order.size();
    }

    /** The guard of the listening socket: its bans can be listed and lifted while serving. */
    public Defender defender() {
        return defender;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Removes what uploads left when the server last stopped without cleaning up (when it has a
     * journal: each removal logged as {@code leftover-removed}), then binds and starts serving;
     * returns the port bound (useful with port 0).
     */
    public int start() throws IOException {
        if (journal.isPresent()) {
            journal.get().start(users.get().all().stream().map(UserAccount::root).toList(), config.events());
        }
        quotas.scan(users.get().all()); // after the journal's clean-up: what is left is what users hold
        if (metrics.isPresent()) {
            InetSocketAddress address = config.metrics().orElseThrow();
            metrics.get().serve(address.getHostString(), address.getPort());
        }
        try {
            sshd.start();
        } catch (IOException | RuntimeException e) {
            metrics.ifPresent(Metrics::close);
            throw e;
        }
        return port();
    }

    /** What users with a quota hold, as counted since the start. */
    public QuotaTracker quotas() {
        return quotas;
    }

    /**
     * Walks {@code user}'s root again and counts their quota from it (after a reload that gave them
     * a quota or a new root, or changes made beside the server); empty for an unknown user.
     */
    public Optional<Usage> rescan(String user) throws IOException {
        Optional<UserAccount> account = users.get().find(user);
        return account.isEmpty() ? Optional.empty() : Optional.of(quotas.rescan(user, account.get().root()));
    }

    /** The port the metrics are served on ({@code http://host:port/metrics}) once started; -1 without metrics. */
    public int metricsPort() {
        return metrics.map(Metrics::port).orElse(-1);
    }

    /** The bound port of the first address, once started. */
    public int port() {
        List<InetSocketAddress> bound = addresses();
        return bound.isEmpty() ? sshd.getPort() : bound.get(0).getPort();
    }

    public ServerConfig config() {
        return config;
    }

    /** The host key's SHA256 fingerprint, as {@code ssh} shows it. */
    public String hostKeyFingerprint() {
        return KeyFiles.fingerprint(config.hostKey().getPublic());
    }

    public boolean isOpen() {
        return sshd.isOpen() && sshd.isStarted();
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() throws IOException {
        try {
            sshd.stop(true);
        } finally {
            try {
                defender.stopSharing(); // what was queued for the shared bans, briefly
                hooks.ifPresent(HookRunner::close); // runs what is queued, within the hook's timeout
                metrics.ifPresent(Metrics::close);
                if (journal.isPresent()) {
                    journal.get().removeInFlight(config.events());
                    journal.get().close();
                }
            } finally {
                closed.countDown();
            }
        }
    }

    /** Blocks until {@link #close()} is called (by another thread, or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /** Collects the server's settings; every one has a default but the host key and the users. */
    public static final class Builder {
        private final List<HostPort> listen = new ArrayList<>();
        private final List<KeyPair> hostKeys = new ArrayList<>();
        private final List<UserAccount> users = new ArrayList<>();
        private Users store;
        private Limits limits = Limits.DEFAULT;
        private EventSink events = EventSink.NONE;
        private Clock clock = Clock.systemUTC();
        private int sftpMaxRead = ServerConfig.DEFAULT_SFTP_MAX_READ;
        private int scpBufferSize = ServerConfig.DEFAULT_SCP_BUFFER;
        private TransportProfile transport = TransportProfile.DEFAULT;
        private long receiveBudget = ReceiveBudget.forHeap(Runtime.getRuntime().maxMemory()).capacity();
        private AlgorithmPolicy.Algorithms algorithms = AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.MODERN);
        private boolean atomicSftpUploads = true;
        private Path uploadJournal;
        private InetSocketAddress metrics;
        private Hook hook;
        private List<Network> proxyProtocolFrom = List.of();

        private Builder() {
        }

        /**
         * The address to listen on; port 0 picks a free port ({@link #start()} returns it). Replaces
         * the default 127.0.0.1:2222 and what {@link #alsoListen} added.
         */
        public Builder listen(String host, int port) {
            listen.clear();
            return alsoListen(host, port);
        }

        /** Another address to listen on, with a port of its own (IPv4 and IPv6, say). */
        public Builder alsoListen(String host, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            listen.add(new HostPort(Objects.requireNonNull(host, "host"), port));
            return this;
        }

        /** The host key; replaces those given before. */
        public Builder hostKey(KeyPair hostKey) {
            hostKeys.clear();
            return alsoHostKey(hostKey);
        }

        /** Another host key (of another type: an ed25519 key and an RSA key for older clients, say). */
        public Builder alsoHostKey(KeyPair hostKey) {
            hostKeys.add(Objects.requireNonNull(hostKey, "hostKey"));
            return this;
        }

        /** Loads the host key at {@code file}, generating an ed25519 key there on first use. */
        public Builder hostKeyFile(Path file) throws IOException {
            return hostKey(KeyFiles.loadOrGenerateEd25519(file));
        }

        public Builder user(UserAccount user) {
            users.add(Objects.requireNonNull(user, "user"));
            return this;
        }

        public Builder users(UserDirectory directory) {
            users.addAll(directory.all());
            return this;
        }

        /**
         * Users looked up in {@code store} at each login (PostgreSQL, say) instead of those given
         * by {@link #user} and {@link #users(UserDirectory)}.
         */
        public Builder userStore(Users store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Where connection, authentication and transfer events go. */
        public Builder events(EventSink events) {
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        /** The clock the defender's bans run on. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The longest SFTP read served in one request (MINA's default is 63 KiB). */
        public Builder sftpMaxRead(int bytes) {
            if (bytes < 32 * 1024 || bytes > 1024 * 1024) {
                throw new IllegalArgumentException("sftpMaxRead must be within 32 KiB..1 MiB: " + bytes);
            }
            this.sftpMaxRead = bytes;
            return this;
        }

        /** Windows, packets, socket buffers and DSCP (default: {@link TransportProfile#DEFAULT}). */
        public Builder transport(TransportProfile profile) {
            this.transport = Objects.requireNonNull(profile, "transport");
            return this;
        }

        /**
         * Bytes all clients together may have in flight towards the server, so that uploads onto a
         * slow disk cannot fill the heap (default: a quarter of the maximum heap).
         */
        public Builder receiveBudget(long bytes) {
            if (bytes < ReceiveBudget.DEFAULT_FLOOR) {
                throw new IllegalArgumentException("the receive budget must be at least 2 MiB: " + bytes);
            }
            this.receiveBudget = bytes;
            return this;
        }

        /** The key exchanges, ciphers, MACs and signatures offered (default: the modern profile). */
        public Builder algorithms(AlgorithmPolicy.Algorithms algorithms) {
            this.algorithms = Objects.requireNonNull(algorithms, "algorithms");
            return this;
        }

        /**
         * Whether an SFTP upload that replaces a file is written into a temporary file renamed
         * at the client's close (true, the default: an interrupted upload leaves the old file),
         * or in place as OpenSSH's sftp-server does (a partial file that {@code reput} continues).
         */
        public Builder atomicSftpUploads(boolean atomic) {
            this.atomicSftpUploads = atomic;
            return this;
        }

        /**
         * A file that lists the temporary files of the uploads in flight (ferryd keeps it in its
         * state directory), so that {@link #start()} removes those a killed server left. Without
         * one nothing is recorded, and a server killed mid-upload leaves hidden temporary files
         * ({@code .NAME.ferry-sftp-*}, {@code .ferry-upload-*.part}, {@code .NAME.ferry-delta-*}).
         */
        public Builder uploadJournal(Path file) {
            this.uploadJournal = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Serves Prometheus metrics at {@code http://host:port/metrics}, a listener of its own
         * (port 0 picks a free one: see {@link FerryServer#metricsPort()}). Default: none.
         */
        public Builder metrics(String host, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("metrics port out of range: " + port);
            }
            this.metrics = InetSocketAddress.createUnresolved(Objects.requireNonNull(host, "host"), port);
            return this;
        }

        /** A command run after each completed upload (or the other events {@code hook} names). Default: none. */
        public Builder hook(Hook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Serves only connections from {@code balancers}, each starting with a PROXY header (v1 or v2,
         * HAProxy's {@code send-proxy} or {@code send-proxy-v2}) whose client address then drives logs,
         * per-address limits and bans. A connection from elsewhere, or without a valid header, is refused
         * and logged ({@code proxy-header-refused}). Empty (the default): no PROXY protocol.
         */
        public Builder proxyProtocolFrom(List<Network> balancers) {
            this.proxyProtocolFrom = List.copyOf(balancers);
            return this;
        }

        public FerryServer build() {
            if (hostKeys.isEmpty()) {
                throw new IllegalStateException("no host key: call hostKey() or hostKeyFile()");
            }
            List<HostPort> addresses = listen.isEmpty() ? List.of(new HostPort("127.0.0.1", 2222)) : listen;
            return new FerryServer(new ServerConfig(addresses, hostKeys, new UserDirectory(users), limits, events,
                    clock, sftpMaxRead, scpBufferSize, transport, receiveBudget, algorithms, atomicSftpUploads,
                    Optional.ofNullable(uploadJournal), Optional.ofNullable(metrics), Optional.ofNullable(hook),
                    proxyProtocolFrom), Optional.ofNullable(store));
        }
    }
}
