package dev.ferry.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import org.apache.sshd.server.SshServer;

import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.auth.Defender;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserDirectory;
import dev.ferry.server.auth.UserLimits;
import dev.ferry.fs.TemporaryFiles;
import dev.ferry.server.journal.TemporaryJournal;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.quota.QuotaTracker;
import dev.ferry.server.quota.Usage;
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
    private final SshServer sshd;
    private final Optional<TemporaryJournal> journal;
    private final QuotaTracker quotas;
    private final CountDownLatch closed = new CountDownLatch(1);

    private FerryServer(ServerConfig config) {
        this.config = config;
        this.defender = new Defender(config.limits(), config.clock(), config.events());
        this.journal = config.uploadJournal().map(TemporaryJournal::new);
        this.quotas = new QuotaTracker(name -> config.users().find(name).map(UserAccount::limits)
                .orElse(UserLimits.NONE));
        this.sshd = SshdAssembler.assemble(config, defender, journal.<TemporaryFiles>map(j -> j).orElse(TemporaryFiles.NONE),
                quotas);
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
            journal.get().start(config.users().all().stream().map(UserAccount::root).toList(), config.events());
        }
        quotas.scan(config.users().all()); // after the journal's clean-up: what is left is what users hold
        sshd.start();
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
        Optional<UserAccount> account = config.users().find(user);
        return account.isEmpty() ? Optional.empty() : Optional.of(quotas.rescan(user, account.get().root()));
    }

    /** The bound port, once started. */
    public int port() {
        for (SocketAddress address : sshd.getBoundAddresses()) {
            if (address instanceof InetSocketAddress inet) {
                return inet.getPort();
            }
        }
        return sshd.getPort();
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
                if (journal.isPresent()) {
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
        private String host = "127.0.0.1";
        private int port = 2222;
        private KeyPair hostKey;
        private final List<UserAccount> users = new ArrayList<>();
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

        private Builder() {
        }

        /** The address to listen on; port 0 picks a free port ({@link #start()} returns it). */
        public Builder listen(String host, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        public Builder hostKey(KeyPair hostKey) {
            this.hostKey = Objects.requireNonNull(hostKey, "hostKey");
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

        public FerryServer build() {
            if (hostKey == null) {
                throw new IllegalStateException("no host key: call hostKey() or hostKeyFile()");
            }
            return new FerryServer(new ServerConfig(host, port, hostKey, new UserDirectory(users), limits, events,
                    clock, sftpMaxRead, scpBufferSize, transport, receiveBudget, algorithms, atomicSftpUploads,
                    Optional.ofNullable(uploadJournal)));
        }
    }
}
