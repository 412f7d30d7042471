package dev.ferry.server.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.ferry.security.KeyFiles;
import dev.ferry.server.FerryServer;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserDirectory;
import dev.ferry.server.config.UsersFile;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.server.hook.Hook;
import dev.ferry.server.journal.TemporaryJournal;
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

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (default ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:2222")
    String listen;

    @Option(names = "--root", paramLabel = "DIR", description = "Directory served to --user (default <state-dir>/files).")
    Path root;

    @Option(names = "--user", paramLabel = "NAME", description = "The single user to serve (default: the current OS user).")
    String user;

    @Option(names = "--authorized-keys", paramLabel = "FILE",
            description = "Keys that may log in as --user (default ~/.ssh/authorized_keys), read at each login.")
    Path authorizedKeys;

    @Option(names = "--host-key", paramLabel = "FILE",
            description = "Host key; an ed25519 key is generated there if missing (default <state-dir>/host_ed25519_key).")
    Path hostKey;

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

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            description = "Event log on stderr: text lines or JSON objects (default ${DEFAULT-VALUE}).")
    String logFormat;

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

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics, a listener of its own (default: none).")
    String metrics;

    @Option(names = "--hook-command", paramLabel = "CMD",
            description = "Run CMD after each completed upload, with the event as one JSON object on its standard input "
                    + "and in FERRY_* variables; CMD is split into words as a shell would, and run without one.")
    String hookCommand;

    @Option(names = "--hook-events", paramLabel = "LIST", defaultValue = "upload",
            description = "The events --hook-command runs for: upload, download, delete, rename (default ${DEFAULT-VALUE}).")
    String hookEvents;

    @Option(names = "--hook-timeout", paramLabel = "TIME",
            description = "How long one run of --hook-command may take before it is killed (default 30s).")
    String hookTimeout;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        LogFormat format = LogFormat.parse(logFormat);
        HostPort address = HostPort.parse(listen);
        Path stateDir = state.stateDir();
        Files.createDirectories(stateDir);
        Path keyFile = hostKey != null ? hostKey : stateDir.resolve("host_ed25519_key");

        UserDirectory users = users(stateDir);
        PrintStream out = System.out;
        FerryServer.Builder builder = FerryServer.builder()
                .limits(limits())
                .algorithms(algorithms.algorithms());
        if (receiveBudget != null) {
            builder.receiveBudget(TransportProfile.parseSize(receiveBudget));
        }
        if (metrics != null) {
            HostPort at = HostPort.parse("--metrics", metrics);
            builder.metrics(at.host(), at.port());
        }
        hook().ifPresent(builder::hook);
        FerryServer server = builder
                .listen(address.host(), address.port())
                .hostKeyFile(keyFile)
                .users(users)
                .events(format.sink(System.err, Clock.systemUTC()))
                .transport(transport())
                .atomicSftpUploads(!sftpInPlace)
                .uploadJournal(stateDir.resolve(TemporaryJournal.FILE_NAME))
                .build();
        int port = server.start();
        new BanLedger(stateDir, server.defender()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }, "ferryd-shutdown"));
        format.sink(System.err, Clock.systemUTC()).accept(
                new ServerEvent.Listening(address.host() + ":" + port, server.hostKeyFingerprint()));
        String metricsUrl = null;
        if (server.metricsPort() >= 0) {
            String host = HostPort.parse("--metrics", metrics).host();
            metricsUrl = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.metricsPort()
                    + "/metrics";
        }
        printBanner(out, address.host(), port, server.hostKeyFingerprint(), keyFile, users, metricsUrl);
        server.awaitClose();
        return 0;
    }

    private Limits limits() {
        if (maxStartups != null && maxStartups < 1) {
            throw new IllegalArgumentException("--max-startups must be at least 1");
        }
        return Limits.DEFAULT.withBans(bans.policy())
                .withAuthTimeout(BanOptions.time("--login-grace-time", loginGraceTime, Limits.DEFAULT.authTimeout()))
                .withMaxUnauthenticated(maxStartups != null ? maxStartups : Limits.DEFAULT.maxUnauthenticated());
    }

    private Optional<Hook> hook() {
        Set<Hook.Event> events = Hook.parseEvents(hookEvents);
        if (hookCommand == null) {
            if (hookTimeout != null || !events.equals(Set.of(Hook.Event.UPLOAD))) {
                throw new IllegalArgumentException("--hook-events and --hook-timeout need --hook-command");
            }
            return Optional.empty();
        }
        List<String> command;
        try {
            command = ShellWords.split(hookCommand);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--hook-command: " + e.getMessage(), e);
        }
        return Optional.of(new Hook(command, events,
                BanOptions.time("--hook-timeout", hookTimeout, Hook.DEFAULT_TIMEOUT)));
    }

    private TransportProfile transport() {
        TransportProfile.Builder profile = TransportProfile.DEFAULT.newBuilder();
        if (window != null) {
            profile.windowSize(TransportProfile.parseSize(window));
        }
        if (ipqos != null) {
            profile.ipQos(IpQos.parse(ipqos));
        }
        return profile.build();
    }

    private UserDirectory users(Path stateDir) throws IOException {
        Path usersFile = state.usersFile();
        List<UserAccount> accounts = new ArrayList<>();
        boolean single = user != null || root != null || authorizedKeys != null;
        if (Files.exists(usersFile)) {
            accounts.addAll(UsersFile.read(usersFile).toDirectory().all());
        } else if (state.configGiven()) {
            throw new IOException(usersFile + " does not exist (create it with 'ferryd user add')");
        }
        if (single || accounts.isEmpty()) {
            accounts.add(singleUser(stateDir));
        }
        return new UserDirectory(accounts);
    }

    private UserAccount singleUser(Path stateDir) throws IOException {
        String name = user != null ? user : System.getProperty("user.name");
        Path dir = root != null ? root : stateDir.resolve("files");
        if (root == null) {
            Files.createDirectories(dir);
        } else if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "--root is not a directory");
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

    private static void printBanner(PrintStream out, String host, int port, String fingerprint, Path keyFile,
            UserDirectory users, String metricsUrl) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        out.println("ferryd listening on " + h + ":" + port);
        out.println("host key " + fingerprint + " (" + keyFile + ")");
        if (metricsUrl != null) {
            out.println("metrics at " + metricsUrl);
        }
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
        UserAccount first = users.all().iterator().next();
        out.println("connect with:");
        out.println("  sftp -P " + port + " " + first.name() + "@" + h);
        out.println("  scp -P " + port + " FILE " + first.name() + "@" + h + ":");
        out.println("stop with Ctrl-C");
        out.flush();
    }
}
