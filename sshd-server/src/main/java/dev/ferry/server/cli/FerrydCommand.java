package dev.ferry.server.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.ferry.config.TimeFormat;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.FerryServer;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.Network;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserDirectory;
import dev.ferry.server.auth.Users;
import dev.ferry.server.config.ConfigFile;
import dev.ferry.server.config.FerrydConfig;
import dev.ferry.server.config.HostPort;
import dev.ferry.server.config.UsersFile;
import dev.ferry.server.postgres.PostgresUsers;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.server.hook.Hook;
import dev.ferry.server.journal.TemporaryJournal;
import dev.ferry.server.log.EventLog;
import dev.ferry.server.log.LogFormat;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.scp.ShellWords;
import dev.ferry.transport.IpQos;
import dev.ferry.transport.TransportProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ferryd}: serves SFTP and SCP. With no arguments it serves {@code ./ferry-data/files/} on
 * 127.0.0.1:2222 to the current user, with the keys in {@code ~/.ssh/authorized_keys}; with a users
 * file (see {@code ferryd user}) it serves those users instead.
 */
@Command(name = "ferryd", mixinStandardHelpOptions = true, version = "ferryd 0.1",
        subcommands = {UserCommand.class, BanCommand.class},
        description = {"Serves SFTP and SCP with strong algorithms only, each user confined to a root.", "",
            "With no options: listens on 127.0.0.1:2222, keeps its state in ./ferry-data and serves "
                + "./ferry-data/files to the current user, who logs in with a key from "
                + "~/.ssh/authorized_keys. If the users file (--config, default ./ferry-data/users.yaml) "
                + "exists, its users are served instead."})
public final class FerrydCommand implements Callable<Integer> {

    @Mixin
    StateOptions state;

    @Mixin
    BanOptions bans;

    @Mixin
    AlgorithmOptions algorithms;

    @Option(names = "--config-file", paramLabel = "FILE",
            description = "ferryd's settings (YAML; default <state-dir>/ferryd.yaml if it exists). Flags given "
                    + "as well win over it.")
    Path configFile;

    @Option(names = "--check-config", description = "Check the settings, the users file and the host keys, then exit.")
    boolean checkConfig;

    @Option(names = "--print-config", description = "Print the effective settings (defaults, file and flags) as "
            + "ferryd.yaml, then exit.")
    boolean printConfig;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Address to listen on, repeatable for several (IPv4 and IPv6; default 127.0.0.1:2222).")
    List<String> listen = new ArrayList<>();

    @Option(names = "--root", paramLabel = "DIR", description = "Directory served to --user (default <state-dir>/files).")
    Path root;

    @Option(names = "--user", paramLabel = "NAME", description = "The single user to serve (default: the current OS user).")
    String user;

    @Option(names = "--authorized-keys", paramLabel = "FILE",
            description = "Keys that may log in as --user (default ~/.ssh/authorized_keys), read at each login.")
    Path authorizedKeys;

    @Option(names = "--host-key", paramLabel = "FILE",
            description = "Host key, repeatable for several types; with none an ed25519 key is used from, or generated "
                    + "at, <state-dir>/host_ed25519_key.")
    List<Path> hostKeys = new ArrayList<>();

    @Option(names = "--read-only", description = "Serve --user read-only.")
    boolean readOnly;

    @Option(names = "--umask", paramLabel = "OCTAL", description = "Umask for files --user creates (default 022).")
    String umask;

    @Option(names = "--login-grace-time", paramLabel = "TIME",
            description = "Time a connection has to log in before it is closed, as OpenSSH's LoginGraceTime (default 30s).")
    String loginGraceTime;

    @Option(names = "--max-startups", paramLabel = "N",
            description = "Connections from all addresses that may be authenticating at once (default 512, at most 10 "
                    + "from one address); when full, a newcomer takes the place of the oldest of the address with the "
                    + "most, if that address has more than the newcomer's would.")
    Integer maxStartups;

    @Option(names = "--log-format", paramLabel = "text|json",
            description = "Event log lines: text or JSON objects (default text).")
    String logFormat;

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "Append the event log to FILE (reopened on SIGHUP, for logrotate) instead of stderr.")
    Path logFile;

    @Option(names = "--window", paramLabel = "SIZE", description = "Channel window offered to clients (default 64M).")
    String window;

    @Option(names = "--receive-budget", paramLabel = "SIZE",
            description = "Bytes all clients together may have in flight towards the server; windows shrink to share it "
                    + "(default: a quarter of the heap).")
    String receiveBudget;

    @Option(names = "--ipqos", paramLabel = "VALUE",
            description = "DSCP mark for the server's packets, OpenSSH's IPQoS names or a number (default: unmarked).")
    String ipqos;

    @Option(names = "--sftp-in-place",
            description = "Write SFTP uploads directly into the target, as OpenSSH's sftp-server does (an interrupted "
                    + "upload leaves a partial file, which sftp's reput continues), instead of into a temporary file "
                    + "renamed over the target when the client closes it (the default: the old file stays until "
                    + "the new one is whole).")
    boolean sftpInPlace;

    @Option(names = "--stop-grace-period", paramLabel = "TIME",
            description = "On SIGTERM, how long ferryd waits for transfers in progress before closing their "
                    + "connections (default 30s; 0 closes at once).")
    String stopGracePeriod;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics, a listener of its own (default: none).")
    String metrics;

    @Option(names = "--hook-command", paramLabel = "CMD",
            description = "Run CMD after each completed upload, with the event as one JSON object on its standard input "
                    + "and in FERRY_* variables; CMD is split into words as a shell would, and run without one.")
    String hookCommand;

    @Option(names = "--hook-events", paramLabel = "LIST",
            description = "The events --hook-command runs for: upload, download, delete, rename (default upload).")
    String hookEvents;

    @Option(names = "--hook-timeout", paramLabel = "TIME",
            description = "How long one run of --hook-command may take before it is killed (default 30s).")
    String hookTimeout;

    @Option(names = "--proxy-protocol-from", paramLabel = "CIDR", split = ",",
            description = "Serve only connections from these load balancers (e.g. 127.0.0.1/32,10.0.0.0/8), each "
                    + "starting with a PROXY header (v1 or v2, HAProxy's send-proxy[-v2]) whose client address then "
                    + "drives logs, per-address limits and bans; others are refused (default: no PROXY protocol).")
    List<String> proxyProtocolFrom = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces of errors.")
    boolean verbose;

    /** What a reload changes only at the next start, by their names in ferryd.yaml. */
    static final Set<String> RESTART_ONLY = Set.of("listen", "hostKeys", "algorithms", "metrics", "transport", "sftp",
            "hook", "proxyProtocol");

    private FerryServer server;
    private EventLog log;
    /** The configuration in force (what a reload could not change stays as the start set it). */
    private FerrydConfig applied;

    @Override
    public Integer call() throws Exception {
        FerrydConfig config = config();
        Path stateDir = state.stateDir();
        if (printConfig) {
            FerrydConfig shown = config.usersFile().isPresent() ? config
                    : config.toBuilder().usersFile(state.usersFile().toAbsolutePath()).build();
            System.out.print(ConfigFile.write(shown));
            System.out.flush();
            return 0;
        }
        if (checkConfig) {
            Users users = users(stateDir, config, false);
            for (Path key : config.hostKeys()) {
                KeyFiles.load(key);
            }
            AlgorithmOptions.algorithms(config.algorithms());
            System.out.println("ferryd: the configuration is valid (" + configFile().map(Path::toString)
                    .orElse("no ferryd.yaml") + ", " + users.all().size() + " user(s))");
            return 0;
        }
        Files.createDirectories(stateDir);
        Users users = users(stateDir, config, true);
        log = EventLog.open(config.log().format(), config.log().file(), System.err, Clock.systemUTC());
        FerryServer.Builder builder = FerryServer.builder()
                .limits(config.limits())
                .algorithms(AlgorithmOptions.algorithms(config.algorithms()));
        if (config.transport().receiveBudget().isPresent()) {
            builder.receiveBudget(config.transport().receiveBudget().get());
        }
        List<Path> keyFiles = config.hostKeys().isEmpty() ? List.of(stateDir.resolve("host_ed25519_key"))
                : config.hostKeys();
        if (config.hostKeys().isEmpty()) {
            builder.hostKeyFile(keyFiles.get(0));
        } else {
            for (Path key : keyFiles) {
                builder.alsoHostKey(KeyFiles.load(key));
            }
        }
        config.metrics().ifPresent(m -> builder.metrics(m.host(), m.port()));
        config.hook().ifPresent(builder::hook);
        builder.proxyProtocolFrom(config.proxyProtocolFrom());
        builder.listen(config.listen().get(0).host(), config.listen().get(0).port());
        for (HostPort more : config.listen().subList(1, config.listen().size())) {
            builder.alsoListen(more.host(), more.port());
        }
        if (users instanceof UserDirectory directory) {
            builder.users(directory);
        } else {
            builder.userStore(users);
        }
        server = builder
                .events(log)
                .transport(transport(config.transport()))
                .atomicSftpUploads(!config.sftpInPlace())
                .uploadJournal(stateDir.resolve(TemporaryJournal.FILE_NAME))
                .build();
        server.start();
        applied = config;
        new BanLedger(stateDir, server.defender()).start();
        if (users instanceof PostgresUsers database) {
            // the nodes reading one user database share their bans in it too
            server.defender().share(database.bans(), Duration.ofSeconds(1));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(), "ferryd-shutdown"));
        Signals.onHangup(this::reload);
        List<String> bound = server.addresses().stream().map(a -> ServerEvent.address(a)).toList();
        log.accept(new ServerEvent.Listening(String.join(",", bound), server.hostKeyFingerprint()));
        Optional<String> metricsUrl = config.metrics().map(m -> "http://"
                + new HostPort(m.host(), server.metricsPort()) + "/metrics");
        printBanner(System.out, server.addresses(), server.hostKeyFingerprint(), keyFiles, users, metricsUrl);
        server.awaitClose();
        return 0;
    }

    /** SIGTERM or Ctrl-C: stop listening, let transfers finish within the grace period, close. */
    private void stop() {
        try {
            server.stop(applied.stopGracePeriod());
        } catch (IOException ignored) {
            // exiting anyway
        } finally {
            log.close();
        }
    }

    /**
     * SIGHUP: reads the config file and the users file again and applies what can change while
     * connections go on (users, limits, bans, the log); what cannot is reported. An invalid file
     * changes nothing: the error is logged and the server goes on as it was.
     */
    synchronized void reload() {
        try {
            FerrydConfig next = config();
            // Users in a database are read at each login: a reload has nothing to read again.
            boolean inDatabase = database(next).isPresent();
            Users users = inDatabase ? server.users() : users(state.stateDir(), next, true);
            Map<String, Object> was = applied.toMap();
            Map<String, Object> now = next.toMap();
            List<String> changed = new ArrayList<>();
            List<String> restart = new ArrayList<>();
            Set<String> keys = new LinkedHashSet<>(was.keySet());
            keys.addAll(now.keySet());
            for (String key : keys) {
                if (!Objects.equals(was.get(key), now.get(key))) {
                    (RESTART_ONLY.contains(key) ? restart : changed).add(key);
                }
            }
            String userChanges = inDatabase ? "" : userChanges(server.users(), users);
            if (!userChanges.isEmpty()) {
                changed.add("users (" + userChanges + ")");
            }
            log.reopen(next.log().format(), next.log().file());
            Users before = server.users();
            server.reload(users, next.limits());
            if (!inDatabase) {
                rescanQuotas(before, users);
            }
            applied = next.toBuilder().listen(applied.listen()).hostKeys(applied.hostKeys())
                    .algorithms(applied.algorithms()).metrics(applied.metrics()).transport(applied.transport())
                    .sftpInPlace(applied.sftpInPlace()).hook(applied.hook())
                    .proxyProtocolFrom(applied.proxyProtocolFrom()).build();
            log.accept(new ServerEvent.Reloaded(changed.isEmpty() ? "nothing" : String.join(", ", changed),
                    String.join(", ", restart)));
        } catch (IOException | RuntimeException e) {
            log.accept(new ServerEvent.ReloadFailed(FerrydMain.sentence(e)));
        }
    }

    /**
     * Counts again what a user holds when a reload gave them a quota, another quota or another
     * root (the count kept since the start would not fit); the users file's other changes keep it.
     */
    private void rescanQuotas(Users before, Users after) throws IOException {
        for (UserAccount u : after.all()) {
            Optional<UserAccount> old = before.find(u.name());
            boolean same = old.isPresent() && old.get().root().equals(u.root())
                    && old.get().limits().quotaBytes() == u.limits().quotaBytes()
                    && old.get().limits().quotaFiles() == u.limits().quotaFiles();
            if (u.limits().hasQuota() && !same) {
                server.rescan(u.name());
            }
        }
    }

    /** {@code +carol -bob ~alice}: users added, removed, changed. */
    static String userChanges(Users before, Users after) {
        List<String> changes = new ArrayList<>();
        for (UserAccount u : after.all()) {
            Optional<UserAccount> old = before.find(u.name());
            if (old.isEmpty()) {
                changes.add("+" + u.name());
            } else if (!old.get().equals(u)) {
                changes.add("~" + u.name());
            }
        }
        for (UserAccount u : before.all()) {
            if (after.find(u.name()).isEmpty()) {
                changes.add("-" + u.name());
            }
        }
        return String.join(" ", changes);
    }

    /** The config file named, else {@code <state-dir>/ferryd.yaml} if it exists. */
    private Optional<Path> configFile() throws IOException {
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new NoSuchFileException(configFile.toString(), null, "no such config file");
            }
            return Optional.of(configFile);
        }
        Path standard = state.stateDir().resolve(ConfigFile.NAME);
        return Files.exists(standard) ? Optional.of(standard) : Optional.empty();
    }

    /** Defaults, then the config file, then the flags. */
    FerrydConfig config() throws IOException {
        FerrydConfig.Builder b = FerrydConfig.defaults().toBuilder();
        Optional<Path> file = configFile();
        if (file.isPresent()) {
            ConfigFile.read(file.get(), b);
        }
        if (!listen.isEmpty()) {
            List<HostPort> addresses = new ArrayList<>();
            for (String a : listen) {
                try {
                    addresses.add(HostPort.parse(a));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--listen: " + e.getMessage());
                }
            }
            b.listen(addresses);
        }
        if (!hostKeys.isEmpty()) {
            b.hostKeys(hostKeys);
        }
        b.algorithms(algorithms.over(b.algorithms()));
        AlgorithmOptions.algorithms(b.algorithms()); // a name outside the policy is refused now
        if (maxStartups != null && maxStartups < 1) {
            throw new IllegalArgumentException("--max-startups must be at least 1");
        }
        Limits limits = b.limits();
        limits = limits.withBans(bans.policy(limits.bans()))
                .withAuthTimeout(BanOptions.time("--login-grace-time", loginGraceTime, limits.authTimeout()))
                .withMaxUnauthenticated(maxStartups != null ? maxStartups : limits.maxUnauthenticated());
        b.limits(limits);
        FerrydConfig.LogSettings logSettings = b.log();
        b.log(new FerrydConfig.LogSettings(logFormat != null ? LogFormat.parse(logFormat) : logSettings.format(),
                logFile != null ? Optional.of(logFile) : logSettings.file()));
        FerrydConfig.TransportSettings t = b.transport();
        b.transport(new FerrydConfig.TransportSettings(
                window != null ? Optional.of(size("--window", window)) : t.window(),
                receiveBudget != null ? Optional.of(size("--receive-budget", receiveBudget)) : t.receiveBudget(),
                ipqos != null ? Optional.of(ipqos) : t.ipqos()));
        if (state.configGiven()) {
            b.usersFile(state.usersFile());
        }
        if (!proxyProtocolFrom.isEmpty()) {
            b.proxyProtocolFrom(Network.parseAll("--proxy-protocol-from", proxyProtocolFrom));
        }
        if (sftpInPlace) {
            b.sftpInPlace(true);
        }
        if (metrics != null) {
            try {
                b.metrics(metrics.equals("off") ? Optional.empty() : Optional.of(HostPort.parse(metrics)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--metrics: " + e.getMessage());
            }
        }
        b.hook(hook(b.hook()));
        if (stopGracePeriod != null) {
            b.stopGracePeriod(TimeFormat.parse(stopGracePeriod).orElseThrow(() -> new IllegalArgumentException(
                    "--stop-grace-period " + stopGracePeriod + ": use a time such as 90s, 10m or 1h")));
        }
        return b.build();
    }

    /** The hook the flags give, over {@code base} (the config file's): a command replaces it, events and timeout change it. */
    private Optional<Hook> hook(Optional<Hook> base) {
        Set<Hook.Event> events = hookEvents == null ? null : Hook.parseEvents(hookEvents);
        if (hookCommand == null && base.isEmpty()) {
            if (hookTimeout != null || hookEvents != null) {
                throw new IllegalArgumentException("--hook-events and --hook-timeout need --hook-command");
            }
            return Optional.empty();
        }
        Hook hook = base.orElse(null);
        if (hookCommand != null) {
            List<String> command;
            try {
                command = ShellWords.split(hookCommand);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--hook-command: " + e.getMessage(), e);
            }
            hook = hook == null ? Hook.onUpload(command) : new Hook(command, hook.events(), hook.timeout());
        }
        if (events != null) {
            hook = hook.withEvents(events);
        }
        if (hookTimeout != null) {
            hook = hook.withTimeout(BanOptions.time("--hook-timeout", hookTimeout, Hook.DEFAULT_TIMEOUT));
        }
        return Optional.of(hook);
    }

    private static long size(String flag, String value) {
        try {
            return TransportProfile.parseSize(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static TransportProfile transport(FerrydConfig.TransportSettings settings) {
        TransportProfile.Builder profile = TransportProfile.DEFAULT.newBuilder();
        settings.window().ifPresent(profile::windowSize);
        settings.ipqos().ifPresent(q -> profile.ipQos(IpQos.parse(q)));
        return profile.build();
    }

    /** The user database: --database (or FERRY_DATABASE_URL), else ferryd.yaml's users.database. */
    private Optional<String> database(FerrydConfig config) {
        return state.database().or(config::usersDatabase);
    }

    /**
     * The users file's users (the one named, else {@code <state-dir>/users.yaml}), or the single
     * user the flags describe.
     *
     * @param create whether the single user's default root may be created
     */
    private Users users(Path stateDir, FerrydConfig config, boolean create) throws IOException {
        if (database(config).isPresent()) {
            return PostgresUsers.open(database(config).get());
        }
        Path usersFile = config.usersFile().orElse(state.usersFile());
        List<UserAccount> accounts = new ArrayList<>();
        boolean single = user != null || root != null || authorizedKeys != null;
        if (Files.exists(usersFile)) {
            accounts.addAll(UsersFile.read(usersFile).toDirectory().all());
        } else if (config.usersFile().isPresent()) {
            throw new IOException(usersFile + " does not exist (create it with 'ferryd user add')");
        }
        if (single || accounts.isEmpty()) {
            accounts.add(singleUser(stateDir, create));
        }
        return new UserDirectory(accounts);
    }

    private UserAccount singleUser(Path stateDir, boolean create) throws IOException {
        String name = user != null ? user : System.getProperty("user.name");
        Path dir = root != null ? root : stateDir.resolve("files");
        if (root != null && !Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "--root is not a directory");
        } else if (root == null && create) {
            Files.createDirectories(dir);
        }
        Path keys = authorizedKeys != null ? authorizedKeys
                : Path.of(System.getProperty("user.home"), ".ssh", "authorized_keys");
        if (authorizedKeys != null && !Files.isReadable(keys)) {
            throw new NoSuchFileException(keys.toString(), null, "cannot read --authorized-keys");
        }
        KeyFiles.readAuthorizedKeys(keys); // a malformed file is reported now rather than at each login
        int mask = umask == null ? FsPolicy.DEFAULT_UMASK : FsPolicy.Modes.parseOctal(umask);
        return new UserAccount(name, dir, Optional.empty(), List.of(), Optional.of(keys),
                new FsPolicy(readOnly, mask, false));
    }

    private static void printBanner(PrintStream out, List<InetSocketAddress> addresses, String fingerprint,
            List<Path> keyFiles, Users users, Optional<String> metricsUrl) {
        out.println("ferryd listening on " + String.join(", ", addresses.stream().map(ServerEvent::address).toList()));
        out.println("host key " + fingerprint + " (" + keyFiles.get(0) + ")");
        metricsUrl.ifPresent(url -> out.println("metrics at " + url));
        InetSocketAddress main = addresses.get(0);
        String address = ServerEvent.address(main);
        String h = address.substring(0, address.lastIndexOf(':'));
        int port = main.getPort();
        for (UserAccount u : users.all()) {
            String how = u.authorizedKeysFile().map(f -> "keys in " + f).orElse(
                    u.authorizedKeys().size() + " key(s)" + (u.passwordHash().isPresent() ? ", password" : ""));
            out.println("user " + u.name() + ": " + u.root() + (u.policy().readOnly() ? " (read-only)" : "")
                    + ", " + how);
            if (u.authorizedKeysFile().isPresent() && u.authorizedKeys().isEmpty()
                    && !Files.exists(u.authorizedKeysFile().get())) {
                out.println("  warning: " + u.authorizedKeysFile().get()
                        + " does not exist, so nobody can log in as " + u.name() + " yet");
            }
        }
        if (users.all().isEmpty()) {
            out.println("no users yet: add them with 'ferryd user add --database ...'");
        } else {
            UserAccount first = users.all().iterator().next();
            out.println("connect with:");
            out.println("  sftp -P " + port + " " + first.name() + "@" + h);
            out.println("  scp -P " + port + " FILE " + first.name() + "@" + h + ":");
        }
        out.println("stop with Ctrl-C");
        out.flush();
    }
}
