package dev.ferry.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real OpenSSH server ({@code /usr/sbin/sshd}) on 127.0.0.1 for a test class, for testing
 * Ferry's client against stock OpenSSH. Everything lives in a fresh temporary directory: the
 * server's ed25519 host key, the {@code sshd_config} written here, a client key pair whose public
 * half is the only line of {@code authorized_keys}, a {@code known_hosts} holding the host key under
 * {@code [127.0.0.1]:port}, and {@link #root()}, a directory for tests to copy into. The server
 * user is the current OS user ({@link #user()}), so absolute paths on the server side are ordinary
 * paths on this machine. Port forwarding is allowed (for {@code ProxyJump} through the server).
 * <p>
 * Register with {@code @RegisterExtension static final SshdFixture sshd = new SshdFixture();}, or
 * for a second server inside one test, {@code try (SshdFixture other = new SshdFixture().start())}.
 * <p>
 * <b>The port.</b> OpenSSH refuses {@code Port 0} ("Badly formatted port number", checked with
 * OpenSSH 9.2), so it cannot be asked for an ephemeral port and read back. Instead sshd is started on
 * a random port in {@value #PORT_MIN}-{@value #PORT_MAX}; when that port is taken, the bind fails
 * ("Address already in use", then "Cannot bind any address" and exit) and sshd is started again on
 * another port. Nothing is probed and released beforehand, so there is no window in which the port
 * could be taken between choosing and binding; the port is the one sshd reports it listens on.
 * <p>
 * When {@code /usr/sbin/sshd} is missing the test class is skipped on a developer's machine and
 * fails under {@code CI=true}, as {@link Peers} does for clients.
 */
public final class SshdFixture implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    public static final String SSHD = "/usr/sbin/sshd";
    static final int PORT_MIN = 20000;
    static final int PORT_MAX = 60000;
    private static final int PORT_TRIES = 20;
    private static final long START_TIMEOUT_MILLIS = 15_000;
    private static final long STOP_TIMEOUT_SECONDS = 5;
    /** sshd's privilege separation directory (Debian's path); sshd running as root refuses to start without it. */
    private static final Path PRIVSEP_DIR = Path.of("/run/sshd");

    private final List<String> extraConfig;
    /** sshd's stderr, a new list for each start attempt (a failed attempt's reader may still add to its own). */
    private volatile List<String> log = new CopyOnWriteArrayList<>();
    private Path base;
    private Path config;
    private Path hostKey;
    private Path clientKey;
    private Path authorizedKeys;
    private Path knownHosts;
    private Path root;
    private String hostKeyFingerprint;
    private Process process;
    private Thread shutdownHook;
    private int port;

    public SshdFixture() {
        this(List.of());
    }

    /** @param extraConfig lines appended to the generated {@code sshd_config} (later tests' own options) */
    public SshdFixture(List<String> extraConfig) {
        this.extraConfig = List.copyOf(extraConfig);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    /**
     * Creates the keys and files, starts sshd and waits until it greets a TCP client; the steps in
     * order. Returns this fixture, to be closed by {@link #close()}.
     */
    public SshdFixture start() throws IOException, InterruptedException {
        if (base != null) {
            throw new IllegalStateException("already started");
        }
        requireSshd();
        try {
            createFilesAndListen();
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            close(); // nothing left behind, also when used outside JUnit's callbacks
            throw e;
        }
        return this;
    }

    private void createFilesAndListen() throws IOException, InterruptedException {
        String keygen = Peers.require("ssh-keygen");
        base = Files.createTempDirectory("ferry-sshd-");
        root = Files.createDirectories(base.resolve("root"));

        hostKey = base.resolve("ssh_host_ed25519_key");
        generateKey(keygen, hostKey, "ferry-sshd-fixture-host");
        hostKeyFingerprint = fingerprint(keygen, hostKey);

        clientKey = base.resolve("id_ed25519");
        generateKey(keygen, clientKey, "ferry-sshd-fixture-client");
        authorizedKeys = base.resolve("authorized_keys");
        Files.copy(publicKeyOf(clientKey), authorizedKeys);

        ensurePrivsepDir();
        config = base.resolve("sshd_config");
        knownHosts = base.resolve("known_hosts");
        shutdownHook = new Thread(this::stopProcess, "sshd-fixture-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook); // no orphaned sshd if the JVM is killed mid-class
        listenOnSomePort();
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + hostPublicKeyLine() + "\n");
    }

    /** Stops sshd (and the per-connection children it forked) and deletes the temporary directory. */
    @Override
    public void close() throws IOException {
        stopProcess();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            shutdownHook = null;
        }
        if (base != null) {
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            base = null;
        }
        port = 0;
    }

    /**
     * Starts sshd on random ports until one binds (see the class comment): a retry after a refused
     * bind is race-free, unlike probing a port first.
     */
    private void listenOnSomePort() throws IOException, InterruptedException {
        List<String> attempts = new ArrayList<>();
        for (int attempt = 1; attempt <= PORT_TRIES; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(PORT_MIN, PORT_MAX + 1);
            writeConfig(candidate);
            checkConfig();
            log = new CopyOnWriteArrayList<>();
            process = new ProcessBuilder(SSHD, "-D", "-e", "-f", config.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            readStderr(process);
            Outcome outcome = awaitListening(candidate);
            if (outcome == Outcome.LISTENING) {
                port = candidate;
                awaitGreeting();
                return;
            }
            stopProcess();
            if (outcome != Outcome.PORT_IN_USE) {
                fail("sshd did not start on port " + candidate + ":\n" + String.join("\n", log));
            }
            attempts.add(candidate + ": " + String.join(" / ", log));
        }
        fail("sshd found no free port in " + PORT_TRIES + " tries:\n" + String.join("\n", attempts));
    }

    private enum Outcome { LISTENING, PORT_IN_USE, FAILED }

    /** Watches sshd's stderr for "Server listening on 127.0.0.1 port N." or a failed bind. */
    private Outcome awaitListening(int candidate) throws InterruptedException {
        String listening = "Server listening on 127.0.0.1 port " + candidate + ".";
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            for (String line : log) {
                if (line.contains(listening)) {
                    return Outcome.LISTENING;
                }
                if (line.contains("Address already in use")) {
                    return Outcome.PORT_IN_USE;
                }
            }
            if (!process.isAlive()) {
                process.waitFor();
                Thread.sleep(100); // let the reader thread take the last lines
                return log.stream().anyMatch(l -> l.contains("Address already in use"))
                        ? Outcome.PORT_IN_USE : Outcome.FAILED;
            }
            Thread.sleep(20);
        }
        return Outcome.FAILED;
    }

    /** Connects until the server sends its SSH-2.0-OpenSSH greeting, within the start time limit. */
    private void awaitGreeting() throws InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        String last = "no attempt";
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                fail("sshd exited (" + process.exitValue() + ") before greeting:\n" + String.join("\n", log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                socket.setSoTimeout(2000);
                String greeting = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                if (greeting != null && greeting.startsWith("SSH-2.0-OpenSSH")) {
                    return;
                }
                last = "greeting " + greeting;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        fail("sshd on port " + port + " did not greet within " + START_TIMEOUT_MILLIS + " ms (" + last + "):\n"
                + String.join("\n", log));
    }

    private void writeConfig(int candidate) throws IOException {
        // sshd keeps the first value it reads for a keyword, so the extra lines go first: they
        // override the defaults below (LogLevel DEBUG2 for the benchmark's window counts, say).
        List<String> lines = new ArrayList<>(extraConfig);
        lines.addAll(List.of(
                "ListenAddress 127.0.0.1",
                "Port " + candidate,
                "HostKey " + hostKey,
                "PidFile none",
                "UsePAM no",
                "StrictModes no",                  // the temporary directory's modes are not sshd's business
                "AuthorizedKeysFile " + authorizedKeys,
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password", // the tests run as root
                "Subsystem sftp internal-sftp",
                // Commands (scp -t, rsync --server) run through the user's shell, and bash started
                // by sshd reads ~/.bashrc unless it is nested: a heavy one (pyenv init on some
                // machines: 0.5 s) would be timed as OpenSSH's and rsync's start in the benchmarks.
                "SetEnv SHLVL=5",
                "LogLevel VERBOSE",
                "AllowTcpForwarding yes",          // ProxyJump through this server
                "MaxStartups 50"));
        Files.write(config, lines, StandardCharsets.UTF_8);
    }

    /** {@code sshd -t}: a bad config (including a bad extra line) fails with sshd's own words. */
    private void checkConfig() {
        Proc.Result r = Proc.run(List.of(SSHD, "-t", "-f", config.toString()), base, 30);
        if (r.exit() != 0) {
            fail("sshd rejects its config " + config + ":\n" + r.err().strip() + "\n--- config\n" + readConfig());
        }
    }

    private String readConfig() {
        try {
            return Files.readString(config);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void readStderr(Process p) {
        List<String> sink = log;
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    sink.add(line);
                }
            } catch (IOException ignored) {
                // sshd ended
            }
        }, "sshd-stderr");
        t.setDaemon(true);
        t.start();
    }

    /** SIGTERM to sshd and its per-connection children, then SIGKILL after {@value #STOP_TIMEOUT_SECONDS} s. */
    private synchronized void stopProcess() {
        Process p = process;
        if (p == null) {
            return;
        }
        process = null;
        List<ProcessHandle> children = p.descendants().toList(); // the listener does not end them itself
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            for (ProcessHandle child : children) {
                try {
                    child.onExit().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    child.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    private static void requireSshd() {
        Peers.requireAt(Path.of(SSHD)); // /usr/sbin is often not in PATH
    }

    /** sshd as root needs its privilege separation directory; a package install normally makes it at boot. */
    private static void ensurePrivsepDir() throws IOException {
        if (Files.isDirectory(PRIVSEP_DIR)) {
            return;
        }
        try {
            Files.createDirectories(PRIVSEP_DIR);
            Files.setPosixFilePermissions(PRIVSEP_DIR, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (AccessDeniedException notRoot) {
            // sshd not running as root does not use it; if it does, sshd -t says so
        }
    }

    private static void generateKey(String keygen, Path file, String comment) {
        Proc.Result r = Proc.run(List.of(keygen, "-q", "-t", "ed25519", "-N", "", "-C", comment,
                "-f", file.toString()), null, 30);
        if (r.exit() != 0) {
            fail("ssh-keygen could not make " + file + ":\n" + r.all());
        }
    }

    /** {@code SHA256:...}, the second field of {@code ssh-keygen -lf}. */
    private static String fingerprint(String keygen, Path key) {
        Proc.Result r = Proc.run(List.of(keygen, "-lf", publicKeyOf(key).toString()), null, 30);
        String[] fields = r.out().strip().split("\\s+");
        if (r.exit() != 0 || fields.length < 2 || !fields[1].startsWith("SHA256:")) {
            fail("ssh-keygen -lf " + key + " gave no fingerprint:\n" + r.all());
        }
        return fields[1];
    }

    private static Path publicKeyOf(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
    }

    private void requireStarted() {
        if (base == null || port == 0) {
            throw new IllegalStateException("sshd fixture not started");
        }
    }

    /** The port sshd listens on at 127.0.0.1. */
    public int port() {
        requireStarted();
        return port;
    }

    /** The login name on this server: the current OS user. */
    public String user() {
        return System.getProperty("user.name");
    }

    /** The host key's fingerprint as OpenSSH prints it, {@code SHA256:...}. */
    public String hostKeyFingerprint() {
        requireStarted();
        return hostKeyFingerprint;
    }

    /** The host key as a public key line, {@code ssh-ed25519 AAAA... comment}. */
    public String hostPublicKeyLine() {
        requireStarted();
        try {
            return Files.readString(publicKeyOf(hostKey)).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The private key the server accepts (OpenSSH format, no passphrase, mode 0600); {@code .pub} beside it. */
    public Path clientKey() {
        requireStarted();
        return clientKey;
    }

    /** The server's {@code authorized_keys}, read at each login: a test may append keys of its own. */
    public Path authorizedKeys() {
        requireStarted();
        return authorizedKeys;
    }

    /** A known_hosts file holding the host key under {@code [127.0.0.1]:port}. */
    public Path knownHosts() {
        requireStarted();
        return knownHosts;
    }

    /** A directory for tests to copy into; its absolute path is the remote path too. */
    public Path root() {
        requireStarted();
        return root;
    }

    /** The generated {@code sshd_config}. */
    public Path config() {
        requireStarted();
        return config;
    }

    /** A scratch directory for the client side of a test, new on each call. */
    public Path newLocalDir() throws IOException {
        requireStarted();
        return Files.createTempDirectory(base, "local-");
    }

    /** What sshd has written on stderr so far (LogLevel VERBOSE: connections, logins, refusals). */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** The listening sshd process. */
    public ProcessHandle process() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("sshd is not running");
        }
        return p.toHandle();
    }

    public long pid() {
        return process().pid();
    }

    /**
     * OpenSSH client options for this server: no user config, this fixture's known_hosts with strict
     * checking, and only {@link #clientKey()}. The port and destination are the caller's (the flag
     * differs: {@code ssh -p}, {@code sftp}/{@code scp -P}).
     */
    public List<String> openSshOptions() {
        return List.of("-F", "/dev/null",
                "-o", "UserKnownHostsFile=" + knownHosts(),
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=20",
                "-i", clientKey().toString());
    }

    /**
     * {@code ferry cp} options for this server: batch mode, its port, the test key, this
     * fixture's known_hosts and no user config; the operands are the caller's.
     */
    public List<String> ferryOptions() {
        return List.of("-B", "-P", String.valueOf(port()), "-i", clientKey().toString(),
                "-o", "UserKnownHostsFile=" + knownHosts(), "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null");
    }
}
