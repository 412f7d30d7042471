package dev.ferry.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ferry.client.cli.RandomFile;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.relay.TcpRelay;

/**
 * Ferry against OpenSSH, side by side in one run: each tool uploads and downloads the same file
 * through the same emulated link (a delay relay; kernel netem is not available), with the same
 * cipher (aes128-gcm), medians of several runs. Writes {@code docs/benchmarks.md} and a chart.
 *
 * <p>Run with {@code scripts/bench} (see docs/benchmarks.md for options).
 */
public final class TransferBenchmark {

    private static final String CIPHER = "aes128-gcm@openssh.com";
    private static final Path SHM = Path.of("/dev/shm/ferry-bench");

    /** One tool on one server, and how it copies up and down. */
    record Tool(String name, String server, Direction up, Direction down) {
    }

    @FunctionalInterface
    interface Direction {
        List<String> command(Endpoint e, Path local, String remote);
    }

    /** Where a tool connects: through the link for this RTT. */
    record Endpoint(int port, Path knownHosts, Path key, String user, Path workDir) {
    }

    /** One measured pair of runs' median. */
    record Row(String tool, String server, String direction, int rttMs, long bytes, double mbps, double clientCpuPerGib,
            double clientSystemPerGib, double serverCpuPerGib, long clientRssMib, int runs, double adjustsPerGib) {
    }

    /**
     * How the receiving side's window adjustments are counted: OpenSSH's ssh and sshd log each one
     * at LogLevel DEBUG2 ("sent adjust"), ferryd logs a channel-window event per channel, and
     * ferry cp -v prints its total.
     */
    private static final List<String> OPENSSH_COUNTS = List.of("-o", "LogLevel=DEBUG2");
    private static final Pattern FERRY_ADJUSTS = Pattern.compile("with (\\d+) window adjustments");
    private static final Pattern FERRYD_ADJUSTS = Pattern.compile("windowAdjusts=(\\d+)");

    private final Path repo;
    private final List<Integer> rtts;
    private final int runs;
    private final long bigSize;
    private final long farSize;
    private final boolean trees;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    TransferBenchmark(Path repo, List<Integer> rtts, int runs, long bigSize, long farSize, boolean trees) {
        this.repo = repo;
        this.trees = trees;
        this.rtts = rtts;
        this.runs = runs;
        this.bigSize = bigSize;
        this.farSize = farSize;
    }

    public static void main(String[] args) throws Exception {
        Options opts = Options.parse(args);
        Path repo = opts.repo();
        // --quick: the rows a session re-measures after a change (RTT 0 and 50, one run each, the tree of
        // 1000 files at RTT 0 only: scp -r alone would take minutes at 50 ms), in under 10 minutes,
        // written beside the full run's report instead of over it.
        boolean quick = opts.get("quick", "false").equals("true");
        List<Integer> rtts = Arrays.stream(opts.get("rtt", quick ? "0,50" : "0,10,50,100").split(","))
                .map(String::strip).map(Integer::parseInt).toList();
        int runs = Integer.parseInt(opts.get("runs", quick ? "1" : "3"));
        long big = Long.parseLong(opts.get("size-mib", "1024")) << 20;
        long far = Long.parseLong(opts.get("far-size-mib", quick ? "128" : "256")) << 20;
        TransferBenchmark bench = new TransferBenchmark(repo, rtts, runs, big, far, !quick);
        bench.run();
        Report.write(repo.resolve("docs"), quick ? "benchmarks-quick" : "benchmarks", bench.rows, bench.notes,
                opts.shown(), quick ? "under 10 minutes" : "about 30 minutes");
    }

    void run() throws Exception {
        deleteTree(SHM); // what an interrupted run left
        Files.createDirectories(SHM);
        Path source = SHM.resolve("source.bin");
        long maxSize = Math.max(bigSize, farSize);
        generate(source, maxSize);
        try (SshdFixture sshd = new SshdFixture(List.of("LogLevel DEBUG2")).start(); FerrydProcess ferryd = FerrydProcess.start(repo, sshd)) {
            notes.add("OpenSSH: " + version(List.of("ssh", "-V")) + "; Java: " + System.getProperty("java.version")
                    + "; cores: " + Runtime.getRuntime().availableProcessors());
            Endpoint direct = endpoint(sshd, ferryd, ferryd.port(), 0);
            Path small = SHM.resolve("warm-up.bin");
            RandomFile.write(small, 1 << 20, 1);
            warmUp(concat(ferryCp(direct), ssh(direct), small.toString(), direct.user() + "@127.0.0.1:warm-up.bin"),
                    direct.workDir());
            for (int rtt : rtts) {
                // The slow tools (OpenSSH's, capped at 2 MiB per RTT) get the smaller file at high RTT;
                // ferry cp always gets the big one, or its set-up costs would swamp the figure.
                long slowSize = rtt >= 50 ? farSize : bigSize;
                Path slowFile = file(slowSize);
                Path bigFile = file(bigSize);
                // RTT 0 is plain loopback, no relay: the anchor RESEARCH.md measured.
                try (TcpRelay toSshd = rtt == 0 ? null : link(sshd.port(), rtt);
                        TcpRelay toFerryd = rtt == 0 ? null : link(ferryd.port(), rtt)) {
                    if (rtt > 0) {
                        notes.add(String.format(Locale.ROOT, "RTT %d ms: the relay measured %.1f ms; files: %d MiB "
                                + "for ferry cp, %d MiB for OpenSSH's tools", rtt, measureRtt(rtt), bigSize >> 20,
                                slowSize >> 20));
                    } else {
                        notes.add("RTT 0: direct loopback, no relay; files of " + (bigSize >> 20) + " MiB");
                    }
                    Endpoint s = endpoint(sshd, toSshd == null ? sshd.port() : toSshd.port(), rtt);
                    Endpoint f = endpoint(sshd, ferryd, toFerryd == null ? ferryd.port() : toFerryd.port(), rtt);
                    for (Tool tool : tools()) {
                        Endpoint e = tool.server().equals("sshd") ? s : f;
                        long serverPid = tool.server().equals("sshd") ? sshd.pid() : ferryd.pid();
                        Supplier<List<String>> serverLog = tool.server().equals("sshd") ? sshd::log : ferryd::log;
                        boolean fast = tool.name().startsWith("ferry");
                        long size = fast ? bigSize : slowSize;
                        Path file = fast ? bigFile : slowFile;
                        measure(tool, "upload", e, file, size, rtt, serverPid, serverLog);
                        measure(tool, "download", e, file, size, rtt, serverPid, serverLog);
                    }
                    if (rtt <= 10 && (trees || rtt == 0)) {
                        manySmallFiles(s, f, rtt, sshd.pid(), ferryd.pid());
                    }
                    if (rtt == 0) {
                        oneSmallFile(s, f);
                    }
                }
            }
            notes.add("ferryd peak RSS over the whole run: " + Run.peakRssKib(ferryd.pid()) / 1024 + " MiB");
        } finally {
            // Gigabytes left in tmpfs are memory taken from the next benchmark (see benchmarks-delta.md)
            deleteTree(SHM);
        }
    }

    /**
     * Two untimed runs of a Ferry command before the measured ones: after a build the launcher's first
     * run writes the class-data-sharing archive (JDK 17) or records the classes (JDK 24 and later) and
     * the second assembles the ahead-of-time cache that later runs start from (both slower for it);
     * and ferryd's first session is its slowest.
     */
    static void warmUp(List<String> command, Path workDir) throws Exception {
        for (int i = 0; i < 2; i++) {
            Run r = Run.of(command, workDir, 600);
            if (r.exit() != 0) {
                throw new IllegalStateException("the warm-up run failed (exit " + r.exit() + "): "
                        + r.output().strip().lines().findFirst().orElse(""));
            }
        }
    }

    private Path file(long size) throws IOException {
        Path file = SHM.resolve("file-" + (size >> 20) + "m.bin");
        if (!Files.exists(file) || Files.size(file) != size) {
            generate(file, size);
        }
        return file;
    }

    /** 1000 files of 64 KiB, recursive, both ways: scp -r against ferry cp -r, on each server. */
    private void manySmallFiles(Endpoint s, Endpoint f, int rtt, long sshdPid, long ferrydPid) throws Exception {
        Path tree = SHM.resolve("tree");
        if (!Files.exists(tree)) {
            Files.createDirectories(tree);
            for (int i = 0; i < 1000; i++) {
                RandomFile.write(tree.resolve(String.format("f%04d.bin", i)), 64 << 10, i);
            }
        }
        long bytes = 1000L * (64 << 10);
        for (Endpoint e : List.of(s, f)) {
            String server = e == s ? "sshd" : "ferryd";
            long pid = e == s ? sshdPid : ferrydPid;
            String remote = remotePath(e, "tree-" + rtt);
            Tool scp = new Tool("scp -r (1000 x 64 KiB)", server,
                    (ep, local, r) -> concat(List.of("scp", "-r", "-q", "-c", CIPHER, "-P", String.valueOf(ep.port())),
                            ssh(ep), local.toString(), ep.user() + "@127.0.0.1:" + r),
                    (ep, local, r) -> concat(List.of("scp", "-r", "-q", "-c", CIPHER, "-P", String.valueOf(ep.port())),
                            ssh(ep), ep.user() + "@127.0.0.1:" + r, local.toString()));
            Tool ferry = new Tool("ferry cp -r (1000 x 64 KiB)", server,
                    (ep, local, r) -> concat(ferryCp(ep), ssh(ep), "-r", local.toString(), ep.user() + "@127.0.0.1:" + r),
                    (ep, local, r) -> concat(ferryCp(ep), ssh(ep), "-r", ep.user() + "@127.0.0.1:" + r,
                            local.toString()));
            for (Tool tool : List.of(scp, ferry)) {
                measureTree(tool, e, tree, remote, bytes, rtt, pid);
            }
        }
    }

    private void measureTree(Tool tool, Endpoint e, Path tree, String remote, long bytes, int rtt, long pid)
            throws Exception {
        List<Double> up = new ArrayList<>();
        List<Double> down = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            deleteTree(remoteFile(e, remote));
            Run r = Run.of(tool.up().command(e, tree, remote), e.workDir(), 1800);
            if (r.exit() != 0) {
                notes.add(tool.name() + " / " + tool.server() + " upload failed: " + r.output().strip());
                return;
            }
            up.add(bytes / r.seconds() / 1e6);
            Path back = SHM.resolve("tree-back");
            deleteTree(back);
            Run d = Run.of(tool.down().command(e, back, remote), e.workDir(), 1800);
            if (d.exit() != 0) {
                notes.add(tool.name() + " / " + tool.server() + " download failed: " + d.output().strip());
                return;
            }
            down.add(bytes / d.seconds() / 1e6);
            deleteTree(back);
        }
        deleteTree(remoteFile(e, remote));
        rows.add(new Row(tool.name(), tool.server(), "upload", rtt, bytes, median(up), 0, 0, 0, 0, runs, Double.NaN));
        rows.add(new Row(tool.name(), tool.server(), "download", rtt, bytes, median(down), 0, 0, 0, 0, runs, Double.NaN));
        System.out.printf(Locale.ROOT, "%s %s rtt %d: up %.1f MB/s, down %.1f MB/s%n", tool.name(), tool.server(), rtt,
                median(up), median(down));
    }

    /**
     * One 1 KiB file up: the wall time of the whole command, start-up included (median of 5), on a
     * new connection and over a reused one (ControlMaster=auto with ControlPersist, for scp and for
     * ferry cp alike; the run that starts the master is not counted).
     */
    private void oneSmallFile(Endpoint s, Endpoint f) throws Exception {
        Path tiny = SHM.resolve("tiny.bin");
        RandomFile.write(tiny, 1024, 1);
        Path control = Files.createDirectories(SHM.resolve("control"));
        Files.setPosixFilePermissions(control, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        for (Endpoint e : List.of(s, f)) {
            String server = e == s ? "sshd" : "ferryd";
            String remote = remotePath(e, "tiny.bin");
            String to = e.user() + "@127.0.0.1:" + remote;
            List<String> scpMaster = reuse(control.resolve("scp-%C"));
            List<String> ferryMaster = reuse(control.resolve("ferry-%C"));
            Map<String, List<String>> commands = new LinkedHashMap<>();
            commands.put("scp", concat(List.of("scp", "-q", "-P", String.valueOf(e.port())), ssh(e), tiny.toString(), to));
            commands.put("ferry cp", concat(ferryCp(e), ssh(e), tiny.toString(), to));
            commands.put("scp, reused connection", concat(List.of("scp", "-q", "-P", String.valueOf(e.port())),
                    concat(ssh(e), scpMaster), tiny.toString(), to));
            commands.put("ferry cp, reused connection", concat(ferryCp(e), concat(ssh(e), ferryMaster),
                    tiny.toString(), to));
            for (Map.Entry<String, List<String>> c : commands.entrySet()) {
                if (c.getKey().endsWith("reused connection")) {
                    Run.of(c.getValue(), e.workDir(), 300); // starts the master
                }
                List<Double> seconds = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    Run r = Run.of(c.getValue(), e.workDir(), 300);
                    if (r.exit() != 0) {
                        notes.add("one 1 KiB file to " + server + " with " + c.getKey() + " failed: "
                                + r.output().strip().lines().findFirst().orElse("exit " + r.exit()));
                        break;
                    }
                    seconds.add(r.seconds());
                }
                if (seconds.isEmpty()) {
                    continue;
                }
                notes.add(String.format(Locale.ROOT, "one 1 KiB file to %s with %s: %.2f s wall (median of 5)", server,
                        c.getKey(), median(seconds)));
            }
            Run.of(concat(List.of("ssh", "-O", "exit", "-p", String.valueOf(e.port())), concat(ssh(e), scpMaster),
                    e.user() + "@127.0.0.1"), e.workDir(), 60);
            List<String> ferryExit = concat(ferryCommand(), List.of("-O", "exit", "-P", String.valueOf(e.port()), "-F",
                    "/dev/null"));
            Run.of(concat(ferryExit, ferryMaster, e.user() + "@127.0.0.1"), e.workDir(), 60);
        }
    }

    /** OpenSSH's spelling of a reused connection, which ferry shares. */
    private static List<String> reuse(Path controlPath) {
        return List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + controlPath, "-o", "ControlPersist=60");
    }

    /** A link to {@code port} on loopback with {@code rttMs} of round-trip delay added (TcpRelay; no netem here). */
    static TcpRelay link(int port, int rttMs) throws IOException {
        return TcpRelay.builder(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", port))
                .delay(Duration.ofMillis(rttMs)).buffer(1 << 20).socketBuffer(8 << 20).start();
    }

    /** Round trip of one byte through a fresh relay to a local echo server (best of 5). */
    static double measureRtt(int rttMs) throws IOException {
        try (ServerSocket echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException ignored) {
                    // done
                }
            });
            t.setDaemon(true);
            t.start();
            try (TcpRelay relay = TcpRelay.builder(new InetSocketAddress("127.0.0.1", 0),
                    new InetSocketAddress("127.0.0.1", echo.getLocalPort())).delay(Duration.ofMillis(rttMs)).start();
                    Socket s = new Socket("127.0.0.1", relay.port())) {
                s.setTcpNoDelay(true);
                long best = Long.MAX_VALUE;
                for (int i = 0; i < 5; i++) {
                    long start = System.nanoTime();
                    s.getOutputStream().write(i);
                    s.getInputStream().read();
                    best = Math.min(best, System.nanoTime() - start);
                }
                return best / 1e6;
            }
        }
    }

    private Endpoint endpoint(SshdFixture sshd, int port, int rtt) throws IOException {
        Path dir = Files.createDirectories(SHM.resolve("sshd-" + rtt));
        Path kh = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + port + " " + sshd.hostPublicKeyLine() + "\n");
        return new Endpoint(port, kh, sshd.clientKey(), sshd.user(), dir);
    }

    private Endpoint endpoint(SshdFixture sshd, FerrydProcess ferryd, int port, int rtt) throws IOException {
        Path dir = Files.createDirectories(SHM.resolve("ferryd-" + rtt));
        Path kh = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + port + " " + ferryd.hostKeyLine() + "\n");
        return new Endpoint(port, kh, sshd.clientKey(), sshd.user(), dir);
    }

    /** The remote path of a tool's copy: absolute for sshd (the user is this user), in the root for ferryd. */
    private static String remotePath(Endpoint e, String name) {
        return e.workDir().getFileName().toString().startsWith("sshd") ? SHM.resolve("remote-" + name).toString()
                : name;
    }

    /** OpenSSH client options for an endpoint, which ferry takes too: no user config, its known_hosts, its key. */
    static List<String> ssh(Endpoint e) {
        return List.of("-F", "/dev/null", "-o", "UserKnownHostsFile=" + e.knownHosts(), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes", "-i", e.key().toString(), "-o", "IdentitiesOnly=yes");
    }

    static List<String> concat(List<String> a, List<String> b, String... rest) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(List.of(rest));
        return all;
    }

    private List<String> ferryCommand() {
        return List.of(repo.resolve("ferry").toString()); // the launcher, with its JVM options
    }

    private List<String> ferryCp(Endpoint e) {
        return concat(ferryCommand(), List.of("cp", "-B", "-q", "-v", "-c", CIPHER, "-P", String.valueOf(e.port())));
    }

    private List<Tool> tools() {
        List<Tool> tools = new ArrayList<>();
        for (String server : List.of("sshd", "ferryd")) {
            tools.add(new Tool("scp", server,
                    (e, local, remote) -> concat(concat(List.of("scp", "-c", CIPHER, "-P", String.valueOf(e.port())), OPENSSH_COUNTS), ssh(e),
                            local.toString(), e.user() + "@127.0.0.1:" + remote),
                    (e, local, remote) -> concat(concat(List.of("scp", "-c", CIPHER, "-P", String.valueOf(e.port())), OPENSSH_COUNTS), ssh(e),
                            e.user() + "@127.0.0.1:" + remote, local.toString())));
            tools.add(new Tool("scp -O", server,
                    (e, local, remote) -> concat(concat(List.of("scp", "-O", "-c", CIPHER, "-P", String.valueOf(e.port())), OPENSSH_COUNTS),
                            ssh(e), local.toString(), e.user() + "@127.0.0.1:" + remote),
                    (e, local, remote) -> concat(concat(List.of("scp", "-O", "-c", CIPHER, "-P", String.valueOf(e.port())), OPENSSH_COUNTS),
                            ssh(e), e.user() + "@127.0.0.1:" + remote, local.toString())));
            tools.add(new Tool("sftp", server,
                    (e, local, remote) -> sftp(e, "put " + local + " " + remote),
                    (e, local, remote) -> sftp(e, "get " + remote + " " + local)));
            tools.add(new Tool("ferry cp --streams 4", server,
                    (e, local, remote) -> concat(ferryCp(e), ssh(e), "--streams", "4", local.toString(),
                            e.user() + "@127.0.0.1:" + remote),
                    (e, local, remote) -> concat(ferryCp(e), ssh(e), "--streams", "4", e.user() + "@127.0.0.1:" + remote,
                            local.toString())));
            tools.add(new Tool("ferry cp", server,
                    (e, local, remote) -> concat(ferryCp(e), ssh(e), local.toString(), e.user() + "@127.0.0.1:" + remote),
                    (e, local, remote) -> concat(ferryCp(e), ssh(e), e.user() + "@127.0.0.1:" + remote,
                            local.toString())));
        }
        return tools;
    }

    private List<String> sftp(Endpoint e, String command) {
        Path batch = e.workDir().resolve("batch-" + Math.abs(command.hashCode()));
        try {
            Files.writeString(batch, command + "\n");
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        return concat(concat(List.of("sftp", "-b", batch.toString(), "-o", "Ciphers=" + CIPHER, "-P",
                String.valueOf(e.port())), OPENSSH_COUNTS), ssh(e), e.user() + "@127.0.0.1");
    }

    private void measure(Tool tool, String direction, Endpoint e, Path file, long size, int rtt, long serverPid,
            Supplier<List<String>> serverLog) throws Exception {
        String name = tool.name().replaceAll("[^a-z]", "") + "-" + tool.server() + "-" + rtt + ".bin";
        String remote = remotePath(e, name);
        Path localDown = SHM.resolve("down-" + name);
        List<Double> speeds = new ArrayList<>();
        List<Double> clientCpu = new ArrayList<>();
        List<Double> clientSystem = new ArrayList<>();
        List<Double> serverCpu = new ArrayList<>();
        long rss = 0;
        long adjusts = -1;
        if (direction.equals("download")) {
            Files.copy(file, remoteFile(e, remote), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        for (int i = 0; i < runs; i++) {
            double before = Run.cpuOf(serverPid);
            int logBefore = serverLog.get().size();
            Run r = Run.of(direction.equals("upload") ? tool.up().command(e, file, remote)
                    : tool.down().command(e, localDown, remote), e.workDir(), 1800);
            Thread.sleep(300); // let sshd reap its child so its CPU is counted
            double after = Run.cpuOf(serverPid);
            if (r.exit() != 0) {
                System.out.println(tool.name() + " / " + tool.server() + " " + direction + " failed (exit " + r.exit() + "): "
                        + r.output().strip());
                notes.add(tool.name() + " / " + tool.server() + " " + direction + " at " + rtt + " ms failed: "
                        + r.output().strip().lines().findFirst().orElse("exit " + r.exit()));
                return;
            }
            speeds.add(size / r.seconds() / 1e6);
            clientCpu.add(r.cpuSeconds() / (size / (double) (1L << 30)));
            clientSystem.add(r.systemSeconds() / (size / (double) (1L << 30)));
            serverCpu.add((after - before) / (size / (double) (1L << 30)));
            rss = Math.max(rss, r.maxRssKib());
            // The receiver counts: the server for an upload, the client for a download.
            List<String> serverLines = serverLog.get(); // one snapshot: the log grows as we read it
            List<String> receiverLog = direction.equals("upload")
                    ? serverLines.subList(Math.min(logBefore, serverLines.size()), serverLines.size())
                    : r.output().lines().toList();
            adjusts = countAdjusts(receiverLog);
            Files.deleteIfExists(direction.equals("upload") ? remoteFile(e, remote) : localDown);
        }
        if (direction.equals("download")) {
            Files.deleteIfExists(remoteFile(e, remote)); // tmpfs is memory: keep only what the next run needs
        }
        Row row = new Row(tool.name(), tool.server(), direction, rtt, size, median(speeds), median(clientCpu), median(clientSystem),
                median(serverCpu), rss / 1024, runs, adjusts < 0 ? Double.NaN : adjusts / (size / (double) (1L << 30)));
        rows.add(row);
        System.out.printf(Locale.ROOT, "%-9s %-6s %-8s rtt %3d ms: %7.1f MB/s  cpu/GiB client %.2f s (system %.2f) server %.2f s  rss %d MiB%n",
                row.tool(), row.server(), row.direction(), rtt, row.mbps(), row.clientCpuPerGib(), row.clientSystemPerGib(),
                row.serverCpuPerGib(),
                row.clientRssMib());
    }

    /** Window adjustments in a receiver's log lines (-1: none of the known forms found). */
    static long countAdjusts(List<String> lines) {
        long count = 0;
        boolean seen = false;
        for (String line : lines) {
            if (line.contains("sent adjust")) {
                count++;
                seen = true;
                continue;
            }
            Matcher m = FERRY_ADJUSTS.matcher(line);
            if (!m.find()) {
                m = FERRYD_ADJUSTS.matcher(line);
                if (!m.find()) {
                    continue;
                }
            }
            count += Long.parseLong(m.group(1));
            seen = true;
        }
        return seen ? count : -1;
    }

    private static Path remoteFile(Endpoint e, String remote) {
        return remote.startsWith("/") ? Path.of(remote) : SHM.resolve("ferryd-root").resolve(remote);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void generate(Path file, long size) throws IOException {
        RandomFile.write(file, size, 7);
    }

    static String version(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return v;
    }

    /** ferryd as its own process (so that its CPU and memory can be read), serving /dev/shm. */
    static final class FerrydProcess implements AutoCloseable {
        private final Process process;
        private final int port;
        private final Path state;
        private final List<String> log;

        private FerrydProcess(Process process, int port, Path state, List<String> log) {
            this.process = process;
            this.port = port;
            this.state = state;
            this.log = log;
        }

        /** ferryd's channel-window events so far. */
        List<String> log() {
            return List.copyOf(log);
        }

        static FerrydProcess start(Path repo, SshdFixture sshd) throws IOException {
            return start(repo, SHM.resolve("ferryd-root"), SHM.resolve("ferryd-state"), sshd.user(),
                    Path.of(sshd.clientKey() + ".pub"), List.of());
        }

        /** ./ferryd serving {@code root} to {@code user} with the key in {@code authorizedKey}, plus {@code extra} flags. */
        static FerrydProcess start(Path repo, Path root, Path state, String user, Path authorizedKey,
                List<String> extra) throws IOException {
            Files.createDirectories(root);
            Files.createDirectories(state);
            List<String> command = new ArrayList<>(List.of(repo.resolve("ferryd").toString(), "--listen",
                    "127.0.0.1:0", "--root", root.toString(), "--user", user, "--authorized-keys",
                    authorizedKey.toString(), "--state-dir", state.toString()));
            command.addAll(extra);
            Process p = new ProcessBuilder(command).start();
            List<String> log = new CopyOnWriteArrayList<>();
            Thread events = new Thread(() -> {
                try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = err.readLine()) != null) {
                        if (line.contains("channel-window")) { // what the benchmark counts
                            log.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // ended
                }
            });
            events.setDaemon(true);
            events.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("ferryd listening on .*:(\\d+)$");
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    Thread drain = new Thread(() -> {
                        try {
                            out.transferTo(java.io.Writer.nullWriter());
                        } catch (IOException ignored) {
                            // ended
                        }
                    });
                    drain.setDaemon(true);
                    drain.start();
                    return new FerrydProcess(p, Integer.parseInt(m.group(1)), state, log);
                }
            }
            throw new IOException("ferryd did not start");
        }

        int port() {
            return port;
        }

        long pid() {
            return process.pid();
        }

        boolean alive() {
            return process.isAlive();
        }

        String hostKeyLine() throws IOException {
            return Files.readString(state.resolve("host_ed25519_key.pub")).strip();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String now() {
        return Instant.now().toString();
    }
}
