package dev.ferry.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.Network;
import dev.ferry.server.hook.Hook;
import dev.ferry.server.log.LogFormat;

/**
 * ferryd's effective configuration: its defaults, then what {@code ferryd.yaml} sets
 * ({@link ConfigFile}), then what flags set, each later one winning, as sshd's {@code -o} wins over
 * sshd_config. Immutable; {@link #toMap()} is what {@code ferryd --print-config} prints, and what
 * a reload compares to tell what changed.
 *
 * @param listen          addresses to listen on, IPv4 and IPv6, each with its port
 * @param hostKeys        host key files; none: {@code <state-dir>/host_ed25519_key}, generated if missing
 * @param algorithms      the algorithm profile and OpenSSH-style changes to its lists
 * @param limits          limits against abuse, the ban policy among them
 * @param log             the event log's format and file
 * @param metrics         where the Prometheus metrics are served; none: not served
 * @param transport       windows, the receive budget, DSCP
 * @param usersFile       the users file; none: {@code <state-dir>/users.yaml}
 * @param usersDatabase   a JDBC URL of the PostgreSQL database holding the users, instead of a file
 * @param hook            the command run after transfers; none: no hook
 * @param proxyProtocolFrom the load balancers whose PROXY headers ferryd takes (then from them only);
 *                        empty: no PROXY protocol
 * @param sftpInPlace     SFTP uploads written in place rather than atomically
 * @param stopGracePeriod how long a stop (SIGTERM) waits for transfers in progress
 */
public record FerrydConfig(List<HostPort> listen, List<Path> hostKeys, AlgorithmSettings algorithms, Limits limits,
        LogSettings log, Optional<HostPort> metrics, TransportSettings transport, Optional<Path> usersFile,
        Optional<String> usersDatabase, Optional<Hook> hook, List<Network> proxyProtocolFrom, boolean sftpInPlace,
        Duration stopGracePeriod) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 2222);
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(30);

    public FerrydConfig {
        listen = List.copyOf(listen);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("no address to listen on");
        }
        hostKeys = List.copyOf(hostKeys);
        proxyProtocolFrom = List.copyOf(proxyProtocolFrom);
        Objects.requireNonNull(algorithms, "algorithms");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(transport, "transport");
        if (stopGracePeriod.isNegative()) {
            throw new IllegalArgumentException("the stop grace period cannot be negative");
        }
    }

    /**
     * The algorithm profile ({@code modern} or {@code strict}) and sshd_config-style lists, each
     * null when not given.
     */
    public record AlgorithmSettings(String profile, String kexAlgorithms, String ciphers, String macs,
            String hostKeyAlgorithms) {
        public static final AlgorithmSettings DEFAULT = new AlgorithmSettings("modern", null, null, null, null);
    }

    /** The event log: {@code text} or {@code json}, on stderr or appended to a file (reopened at reload). */
    public record LogSettings(LogFormat format, Optional<Path> file) {
        public static final LogSettings DEFAULT = new LogSettings(LogFormat.TEXT, Optional.empty());
    }

    /** Transport settings that differ from {@code TransportProfile.DEFAULT}; empty: its default. */
    public record TransportSettings(Optional<Long> window, Optional<Long> receiveBudget, Optional<String> ipqos) {
        public static final TransportSettings DEFAULT = new TransportSettings(Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** The defaults: what ferryd does with neither a config file nor flags. */
    public static FerrydConfig defaults() {
        return new FerrydConfig(List.of(DEFAULT_LISTEN), List.of(), AlgorithmSettings.DEFAULT, Limits.DEFAULT,
                LogSettings.DEFAULT, Optional.empty(), TransportSettings.DEFAULT, Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), false, DEFAULT_STOP_GRACE);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The configuration in {@code ferryd.yaml}'s shape, every setting present with its effective
     * value (defaults included), so that it can be printed, read back, and compared key by key.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("listen", listen.stream().map(HostPort::toString).toList());
        m.put("hostKeys", hostKeys.stream().map(Path::toString).toList());
        Map<String, Object> alg = new LinkedHashMap<>();
        alg.put("profile", algorithms.profile());
        putIfSet(alg, "kexAlgorithms", algorithms.kexAlgorithms());
        putIfSet(alg, "ciphers", algorithms.ciphers());
        putIfSet(alg, "macs", algorithms.macs());
        putIfSet(alg, "hostKeyAlgorithms", algorithms.hostKeyAlgorithms());
        m.put("algorithms", alg);
        Map<String, Object> lim = new LinkedHashMap<>();
        lim.put("maxAuthTries", limits.maxAuthTries());
        lim.put("loginGraceTime", time(limits.authTimeout()));
        lim.put("idleTimeout", time(limits.idleTimeout()));
        lim.put("maxSessions", limits.maxSessionsPerConnection());
        lim.put("maxStartups", limits.maxUnauthenticated());
        lim.put("perSourceMaxStartups", limits.maxUnauthenticatedPerSource());
        m.put("limits", lim);
        BanPolicy b = limits.bans();
        Map<String, Object> bans = new LinkedHashMap<>();
        bans.put("threshold", b.threshold());
        bans.put("window", time(b.window()));
        bans.put("time", time(b.firstBan()));
        bans.put("maxTime", time(b.maxBan()));
        bans.put("exempt", b.exempt().stream().map(Network::toString).toList());
        m.put("bans", bans);
        Map<String, Object> logMap = new LinkedHashMap<>();
        logMap.put("format", log.format().name().toLowerCase(java.util.Locale.ROOT));
        logMap.put("file", log.file().map(Path::toString).orElse("stderr"));
        m.put("log", logMap);
        m.put("metrics", metrics.map(HostPort::toString).orElse("off"));
        Map<String, Object> tr = new LinkedHashMap<>();
        tr.put("window", transport.window().map(FerrydConfig::size).orElse("default"));
        tr.put("receiveBudget", transport.receiveBudget().map(FerrydConfig::size).orElse("default"));
        tr.put("ipqos", transport.ipqos().orElse("none"));
        m.put("transport", tr);
        Map<String, Object> users = new LinkedHashMap<>();
        usersFile.ifPresent(f -> users.put("file", f.toString())); // else the state directory's, which only ferryd knows
        usersDatabase.ifPresent(url -> users.put("database", url.replaceAll("(?i)(password=)[^&]*", "$1***")));
        if (!users.isEmpty()) {
            m.put("users", users);
        }
        if (hook.isPresent()) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("command", hook.get().command());
            h.put("events", hook.get().events().stream().sorted().map(Hook.Event::label).toList());
            h.put("timeout", time(hook.get().timeout()));
            m.put("hook", h);
        }
        if (!proxyProtocolFrom.isEmpty()) {
            m.put("proxyProtocol", Map.of("from", proxyProtocolFrom.stream().map(Network::toString).toList()));
        }
        Map<String, Object> sftp = new LinkedHashMap<>();
        sftp.put("inPlace", sftpInPlace);
        m.put("sftp", sftp);
        m.put("stopGracePeriod", time(stopGracePeriod));
        return m;
    }

    private static void putIfSet(Map<String, Object> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** A duration as sshd_config writes one: the largest unit that divides it. */
    static String time(Duration d) {
        long s = d.toSeconds();
        if (s > 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s > 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /** A size with the largest binary unit that divides it. */
    static String size(long bytes) {
        String[] units = {"", "K", "M", "G"};
        int u = 0;
        while (u < units.length - 1 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            u++;
        }
        return bytes + units[u];
    }

    /** Changes one setting at a time; {@link #build()} checks the whole. */
    public static final class Builder {
        private List<HostPort> listen;
        private List<Path> hostKeys;
        private AlgorithmSettings algorithms;
        private Limits limits;
        private LogSettings log;
        private Optional<HostPort> metrics;
        private TransportSettings transport;
        private Optional<Path> usersFile;
        private Optional<String> usersDatabase;
        private Optional<Hook> hook;
        private List<Network> proxyProtocolFrom;
        private boolean sftpInPlace;
        private Duration stopGracePeriod;

        private Builder(FerrydConfig from) {
            listen = new ArrayList<>(from.listen);
            hostKeys = new ArrayList<>(from.hostKeys);
            algorithms = from.algorithms;
            limits = from.limits;
            log = from.log;
            metrics = from.metrics;
            transport = from.transport;
            usersFile = from.usersFile;
            usersDatabase = from.usersDatabase;
            hook = from.hook;
            proxyProtocolFrom = from.proxyProtocolFrom;
            sftpInPlace = from.sftpInPlace;
            stopGracePeriod = from.stopGracePeriod;
        }

        public Limits limits() {
            return limits;
        }

        public AlgorithmSettings algorithms() {
            return algorithms;
        }

        public LogSettings log() {
            return log;
        }

        public TransportSettings transport() {
            return transport;
        }

        public Optional<Hook> hook() {
            return hook;
        }

        public Builder listen(List<HostPort> addresses) {
            this.listen = new ArrayList<>(addresses);
            return this;
        }

        public Builder hostKeys(List<Path> files) {
            this.hostKeys = new ArrayList<>(files);
            return this;
        }

        public Builder algorithms(AlgorithmSettings settings) {
            this.algorithms = settings;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        public Builder log(LogSettings settings) {
            this.log = settings;
            return this;
        }

        public Builder metrics(Optional<HostPort> address) {
            this.metrics = address;
            return this;
        }

        public Builder transport(TransportSettings settings) {
            this.transport = settings;
            return this;
        }

        public Builder usersFile(Path file) {
            this.usersFile = Optional.of(file);
            return this;
        }

        /** The users in PostgreSQL, at this JDBC URL (its password may come from FERRY_DATABASE_PASSWORD). */
        public Builder usersDatabase(String jdbcUrl) {
            this.usersDatabase = Optional.of(jdbcUrl);
            return this;
        }

        public Builder hook(Optional<Hook> settings) {
            this.hook = settings;
            return this;
        }

        public Builder proxyProtocolFrom(List<Network> balancers) {
            this.proxyProtocolFrom = List.copyOf(balancers);
            return this;
        }

        public Builder sftpInPlace(boolean inPlace) {
            this.sftpInPlace = inPlace;
            return this;
        }

        public Builder stopGracePeriod(Duration grace) {
            this.stopGracePeriod = grace;
            return this;
        }

        public FerrydConfig build() {
            return new FerrydConfig(listen, hostKeys, algorithms, limits, log, metrics, transport, usersFile,
                    usersDatabase, hook, proxyProtocolFrom, sftpInPlace, stopGracePeriod);
        }
    }
}
