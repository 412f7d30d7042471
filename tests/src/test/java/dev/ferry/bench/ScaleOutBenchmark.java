package dev.ferry.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.ferry.client.cli.RandomFile;
import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Haproxy;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.config.UserEntry;
import dev.ferry.server.config.UsersFile;

/**
 * Scale-out (issue 20): many OpenSSH {@code sftp} uploads at once through HAProxy (TCP mode,
 * {@code send-proxy-v2}, {@code balance leastconn}) to one ferryd node, then to two, the nodes sharing
 * one root on tmpfs, one host key and one users file, each its own process through the {@code ./ferryd}
 * launcher (as {@link LoadBenchmark} runs it). Measures the aggregate MB/s over the wall time from the
 * first client's start to the last one's end, and where the CPU went: each node's, HAProxy's, the
 * clients' (sftp and its ssh), and the machine's busy share from /proc/stat, which shows what other
 * processes took. Writes {@code docs/benchmarks-scale.md}, or {@code docs/benchmarks-scale-quick.md}
 * with {@code --quick}.
 *
 * <p>The clients are OpenSSH's C programs, not JVMs: forty client JVMs on two cores would measure the
 * clients. Run with {@code scripts/bench-scale} (options: --clients=40 --size-mib=256 --nodes=1,2
 * --runs=1 --sources=8 --dir=/dev/shm/ferry-scale --quick).
 */
public final class ScaleOutBenchmark {

    static final String USER = "scale";
    static final String BALANCER = "127.0.0.2";
    /** OpenSSH and ferryd both run AES-GCM on AES-NI; it is what the other benchmarks use. */
    static final String CIPHER = "aes128-gcm@openssh.com";

    /**
     * Runs the commands given as arguments at once, each named by a file holding its words separated
     * by NULs (read as they are: no quoting), and writes each one's exit status and end time
     * (nanoseconds since the epoch) to that file's {@code .status}, its output to its {@code .log}.
     * One shell parent for all: GNU time, around it, then counts every client's CPU (sftp waits for
     * its ssh, the subshells for sftp, the shell for them).
     */
    private static final String CLIENTS = """
            for f in "$@"; do
              ( mapfile -d '' -t cmd < "$f"
                "${cmd[@]}" > "$f.log" 2>&1 < /dev/null
                echo "$? $(date +%s%N)" > "$f.status" ) &
            done
            wait
            """;

    private ScaleOutBenchmark() {
    }

    /** What to run: {@code clients} uploads of {@code bytes} each, to each count of nodes, {@code runs} times. */
    record Plan(int clients, long bytes, List<Integer> nodes, int runs, int sources, Path dir, boolean quick) {

        Plan {
            if (clients < 1 || bytes < 1 || runs < 1 || sources < 1 || sources > 200 || nodes.isEmpty()) {
                throw new IllegalArgumentException("clients, size, runs and sources (at most 200) must be positive, "
                        + "and --nodes name at least one count");
            }
        }

        static Plan of(Options o) {
            boolean quick = Boolean.parseBoolean(o.get("quick", "false"));
            return new Plan(Integer.parseInt(o.get("clients", quick ? "8" : "40")),
                    Long.parseLong(o.get("size-mib", quick ? "64" : "256")) << 20,
                    Arrays.stream(o.get("nodes", "1,2").split(",")).map(String::strip).map(Integer::valueOf).toList(),
                    Integer.parseInt(o.get("runs", "1")), Integer.parseInt(o.get("sources", "8")),
                    Path.of(o.get("dir", "/dev/shm/ferry-scale")), quick);
        }

        long totalBytes() {
            return clients * bytes;
        }

        /** The warm-up's uploads per node: enough for C2 to compile the server's hot code before a measured run. */
        static final int WARM_UPS_PER_NODE = 4;
        static final long WARM_UP_BYTES = 64L << 20;
    }

    /**
     * One measured run through the balancer to {@code nodes} nodes.
     *
     * @param seconds         wall time, from the start of the clients' shell to the last client's end
     * @param firstEndSeconds when the first client ended (the spread shows how fair the sharing was)
     * @param nodeCpu         each node's user + system CPU seconds during the run
     * @param nodeGc          each node's garbage collections during the run
     * @param nodeUploads     the uploads each node logged as done during the run
     * @param clientsCpu      the clients' user + system CPU seconds (sftp, ssh and the shell around them)
     * @param busyCpu         CPU seconds the whole machine was busy (all its cores, every process)
     * @param busyFraction    {@code busyCpu} over the cores' time
     * @param errors          what went wrong: a client's exit status, a file's size or checksum
     */
    record Measured(int nodes, int run, double seconds, double firstEndSeconds, List<Double> nodeCpu, List<Gc> nodeGc,
            List<Integer> nodeUploads, double haproxyCpu, double clientsCpu, double clientsSystemCpu, double busyCpu,
            double busyFraction, List<String> errors) {

        double mbps(Plan plan) {
            return plan.totalBytes() / seconds / 1e6;
        }

        double ferrydCpu() {
            return nodeCpu.stream().mapToDouble(Double::doubleValue).sum();
        }

        double gcSeconds() {
            return nodeGc.stream().mapToDouble(Gc::cpuSeconds).sum();
        }

        /** CPU seconds of the whole path: the nodes, HAProxy and the clients. */
        double pathCpu() {
            return ferrydCpu() + haproxyCpu + clientsCpu;
        }

        /** The cores the path had on average: its CPU over the wall time. */
        double pathCores() {
            return pathCpu() / seconds;
        }

        /** Busy CPU not spent by the nodes, HAProxy or the clients: other processes on the machine. */
        double otherCpu() {
            return Math.max(0, busyCpu - pathCpu());
        }
    }

    /** All runs to one count of nodes, with each node's peak RSS over them (VmHWM, from the launch). */
    record Setup(int nodes, List<Measured> runs, List<Long> peakRssKib, String transport) {

        /** This setup's runs and {@code later}'s, each node's peak the higher of the two. */
        Setup plus(Setup later) {
            List<Measured> all = new ArrayList<>(runs);
            all.addAll(later.runs());
            List<Long> rss = new ArrayList<>();
            for (int i = 0; i < peakRssKib.size(); i++) {
                rss.add(Math.max(peakRssKib.get(i), later.peakRssKib().get(i)));
            }
            return new Setup(nodes, all, rss, transport);
        }
    }

    /**
     * A node's garbage collections so far, from its GC log ({@code -Xlog:gc,gc+cpu}, given to the node
     * through JAVA_TOOL_OPTIONS: the launcher sets the JVM's other options): the pauses, and the CPU
     * the collector's threads used in them, which on a busy machine is less than the pauses' length.
     */
    record Gc(long young, long full, double cpuSeconds, double pauseSeconds) {

        private static final Pattern CPU = Pattern.compile("User=([0-9.]+)s Sys=([0-9.]+)s Real=([0-9.]+)s");

        static Gc of(Path log) throws IOException {
            long young = 0;
            long full = 0;
            double cpu = 0;
            double pause = 0;
            for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
                Matcher m = CPU.matcher(line);
                if (m.find()) {
                    cpu += Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2));
                    pause += Double.parseDouble(m.group(3));
                } else if (line.contains("Pause Young")) {
                    young++;
                } else if (line.contains("Pause Full")) {
                    full++;
                }
            }
            return new Gc(young, full, cpu, pause);
        }

        Gc minus(Gc before) {
            return new Gc(young - before.young, full - before.full, cpuSeconds - before.cpuSeconds,
                    pauseSeconds - before.pauseSeconds);
        }
    }

    /** The files every node shares, and the client's key. */
    record Shared(Path root, Path hostKey, Path users, Path clientKey, Path source, String sourceSha256) {
    }

    public static void main(String[] args) throws Exception {
        Options opts = Options.parse(args);
        Path repo = opts.repo();
        Plan plan = Plan.of(opts);
        long start = System.nanoTime();
        String loadBefore = LoadBenchmark.uptime();
        TransferBenchmark.deleteTree(plan.dir());
        Shared shared = prepare(plan);
        // The launcher records its start-up cache at a first run's exit and uses it from the next: one
        // run before the measured ones, so that every measured node starts the same way.
        node(repo, plan, shared, "prime").close();
        // The counts of nodes take turns, run by run, so that a change in the machine's other load
        // over the minutes falls on each of them alike.
        List<Setup> setups = new ArrayList<>();
        for (int r = 1; r <= plan.runs(); r++) {
            for (int k = 0; k < plan.nodes().size(); k++) {
                Setup one = measure(repo, plan, shared, plan.nodes().get(k), r);
                System.out.println("run " + r + ", " + ScaleReport.summary(plan, one, k == 0 ? one : setups.get(0)));
                if (r == 1) {
                    setups.add(one);
                } else {
                    setups.set(k, setups.get(k).plus(one));
                }
            }
        }
        String ferrydJava;
        try (FerrydProcess probe = node(repo, plan, shared, "probe")) {
            ferrydJava = ProcessHandle.of(probe.pid()).flatMap(p -> p.info().command()).orElse("java");
        }
        String loadAfter = LoadBenchmark.uptime();
        // where the files went changes no figure
        String shown = String.join(" ", Arrays.stream(opts.shown().split(" "))
                .filter(a -> !a.isBlank() && !a.startsWith("--dir=")).toList());
        Path md = repo.resolve(plan.quick() ? "docs/benchmarks-scale-quick.md" : "docs/benchmarks-scale.md");
        ScaleReport.write(md, plan, setups, new ScaleReport.Context(shown, loadBefore, loadAfter,
                ScaleReport.machine(ferrydJava), (System.nanoTime() - start) / 60e9));
        System.out.println("wrote " + md);
        TransferBenchmark.deleteTree(plan.dir());
        if (setups.stream().flatMap(s -> s.runs().stream()).anyMatch(r -> !r.errors().isEmpty())) {
            System.exit(1);
        }
    }

    /** The shared root, host key and users file (one user who logs in with a new ed25519 key), and the source file. */
    static Shared prepare(Plan plan) throws IOException {
        Path dir = Files.createDirectories(plan.dir());
        Path root = Files.createDirectories(dir.resolve("root"));
        Path hostKey = dir.resolve("host_ed25519_key");
        KeyFiles.loadOrGenerateEd25519(hostKey);
        Path clientKey = dir.resolve("id_ed25519");
        KeyFiles.loadOrGenerateEd25519(clientKey);
        Path users = dir.resolve("users.yaml");
        UsersFile file = UsersFile.read(users);
        file.put(USER, UserEntry.of(root.toString()).withKey(Files.readString(Path.of(clientKey + ".pub")).strip()));
        file.write();
        Path source = dir.resolve("source.bin");
        String sha = RandomFile.write(source, plan.bytes(), 20);
        return new Shared(root, hostKey, users, clientKey, source, sha);
    }

    /** A ferryd node through the launcher: the shared files, a state directory of its own, PROXY headers from HAProxy. */
    static FerrydProcess node(Path repo, Plan plan, Shared shared, String name) throws IOException, InterruptedException {
        Path state = Files.createDirectories(plan.dir().resolve(name));
        return FerrydProcess.launch(plan.dir(), Map.of("JAVA_TOOL_OPTIONS", "-Xlog:gc,gc+cpu:file=" + gcLog(state)), List.of(repo.resolve("ferryd").toString(), "--listen", "127.0.0.1:0",
                "--state-dir", state.toString(), "--host-key", shared.hostKey().toString(), "--config",
                shared.users().toString(), "--proxy-protocol-from", "127.0.0.1/32", "--log-format", "json"));
    }

    /** Where a node's JVM logs its collections. */
    static Path gcLog(Path state) {
        return state.resolve("gc.log");
    }

    /** Starts {@code n} nodes and HAProxy before them, warms the nodes up, and measures run {@code run}. */
    static Setup measure(Path repo, Plan plan, Shared shared, int n, int run) throws Exception {
        List<FerrydProcess> nodes = new ArrayList<>();
        List<Path> gcLogs = new ArrayList<>();
        try {
            for (int i = 1; i <= n; i++) {
                String name = "node-" + n + "-" + i + "-run-" + run;
                nodes.add(node(repo, plan, shared, name));
                gcLogs.add(gcLog(plan.dir().resolve(name)));
            }
            Path dir = Files.createDirectories(plan.dir().resolve("haproxy-" + n + "-run-" + run));
            int port = Haproxy.freePort(BALANCER);
            StringBuilder config = new StringBuilder(Haproxy.defaults()).append("frontend sftp\n    bind ")
                    .append(BALANCER).append(':').append(port).append("\n    default_backend ferryd\nbackend ferryd\n")
                    // leastconn: the uploads are long, and the next goes where the fewest are
                    .append("    balance leastconn\n");
            for (int i = 0; i < n; i++) {
                config.append("    server node").append(i + 1).append(" 127.0.0.1:").append(nodes.get(i).port())
                        .append(" send-proxy-v2\n");
            }
            try (Haproxy haproxy = Haproxy.start(dir, config.toString(), BALANCER, port)) {
                long haproxyPid = pidOf(dir.resolve("haproxy.cfg"));
                Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "[" + BALANCER + "]:" + port + " "
                        + Files.readString(Path.of(shared.hostKey() + ".pub")).strip() + "\n");
                Clients clients = new Clients(plan, shared, port, knownHosts, dir);
                // not measured: C2 compiles each node's hot code (cipher, SFTP writes) before the runs
                long warmBytes = Math.min(Plan.WARM_UP_BYTES, plan.bytes());
                Run warm = clients.run(n * Plan.WARM_UPS_PER_NODE, "warm-up", shared.source(), warmBytes);
                List<String> warmErrors = clients.check(n * Plan.WARM_UPS_PER_NODE, "warm-up", warmBytes, warm);
                if (!warmErrors.isEmpty()) {
                    throw new IllegalStateException("the warm-up failed: " + warmErrors + "\n" + haproxy.output());
                }
                clients.clean();
                Measured measured = once(plan, shared, clients, nodes, gcLogs, haproxyPid, run);
                clients.clean(); // 40 x 256 MiB on tmpfs is 10 GiB of memory
                List<Long> rss = new ArrayList<>();
                for (FerrydProcess node : nodes) {
                    rss.add(Run.peakRssKib(node.pid()));
                }
                String transport = nodes.get(0).stderr().stream().filter(l -> l.contains("\"event\":\"transport\""))
                        .findFirst().orElse("");
                return new Setup(n, List.of(measured), rss, transport);
            }
        } finally {
            for (FerrydProcess node : nodes) {
                node.close();
            }
        }
    }

    private static Measured once(Plan plan, Shared shared, Clients clients, List<FerrydProcess> nodes, List<Path> gcLogs,
            long haproxyPid, int run) throws Exception {
        double[] cpuBefore = new double[nodes.size()];
        int[] uploadsBefore = new int[nodes.size()];
        Gc[] gcBefore = new Gc[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            gcBefore[i] = Gc.of(gcLogs.get(i));
            cpuBefore[i] = Run.cpuOf(nodes.get(i).pid());
            uploadsBefore[i] = uploads(nodes.get(i));
        }
        double haproxyBefore = Run.cpuOf(haproxyPid);
        long[] machineBefore = machineTicks();
        long startNanos = System.currentTimeMillis() * 1_000_000L;
        Run r = clients.run(plan.clients(), "up", shared.source(), plan.bytes());
        long[] machineAfter = machineTicks();
        double haproxyCpu = Run.cpuOf(haproxyPid) - haproxyBefore;
        List<Double> nodeCpu = new ArrayList<>();
        List<Integer> nodeUploads = new ArrayList<>();
        List<Gc> nodeGc = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            nodeCpu.add(Run.cpuOf(nodes.get(i).pid()) - cpuBefore[i]);
            nodeGc.add(Gc.of(gcLogs.get(i)).minus(gcBefore[i]));
            nodeUploads.add(uploads(nodes.get(i)) - uploadsBefore[i]);
        }
        List<String> errors = clients.check(plan.clients(), "up", plan.bytes(), r);
        // a sample of the landed files against the source: the first client's and the last one's
        for (int i : new int[] {0, plan.clients() - 1}) {
            Path landed = shared.root().resolve(Clients.name("up", i));
            if (Files.exists(landed) && !sha256(landed).equals(shared.sourceSha256())) {
                errors.add(landed.getFileName() + ": its SHA-256 differs from the source's");
            }
        }
        double firstEnd = clients.endTimes(plan.clients(), "up").stream().mapToLong(Long::longValue).min()
                .orElse(startNanos) - startNanos;
        long busy = machineAfter[0] - machineBefore[0];
        long total = machineAfter[1] - machineBefore[1];
        return new Measured(nodes.size(), run, r.seconds(), Math.max(0, firstEnd / 1e9), nodeCpu, nodeGc, nodeUploads,
                haproxyCpu, r.cpuSeconds(), r.systemSeconds(), busy / 100.0, total == 0 ? 0 : (double) busy / total, errors);
    }

    /** The uploads a node has logged as done (the JSON event log's transfer lines). */
    private static int uploads(FerrydProcess node) {
        return (int) node.stderr().stream().filter(l -> l.contains("\"event\":\"transfer\"")
                && l.contains("\"direction\":\"upload\"") && l.contains("\"error\":\"\"")).count();
    }

    /** The machine's busy and total CPU ticks (all cores) from /proc/stat's first line. */
    static long[] machineTicks() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
        long[] f = Arrays.stream(cpu.substring(3).strip().split("\\s+")).mapToLong(Long::parseLong).toArray();
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        long idle = f[3] + f[4];
        long total = 0;
        for (int i = 0; i < Math.min(8, f.length); i++) {
            total += f[i];
        }
        return new long[] {total - idle, total};
    }

    /** HAProxy's process, a child of this one, found by its configuration file. */
    private static long pidOf(Path config) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(config.toString())).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no haproxy process runs " + config)).pid();
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0;) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** OpenSSH sftp clients through the balancer, all started at once under one shell and GNU time. */
    record Clients(Plan plan, Shared shared, int port, Path knownHosts, Path dir) {

        static String name(String prefix, int i) {
            return String.format(Locale.ROOT, "%s-%03d.bin", prefix, i);
        }

        /** Client {@code i}'s words: its own batch file and its own name, from one of {@code plan.sources()} loopback addresses. */
        private List<String> command(int i, String prefix, Path source) throws IOException {
            Path batch = Files.writeString(dir.resolve(prefix + "-" + i + ".batch"), "put " + source + " "
                    + name(prefix, i) + "\n");
            return List.of("sftp", "-b", batch.toString(), "-P", String.valueOf(port), "-F", "/dev/null",
                    "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
                    "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                    "-i", shared.clientKey().toString(), "-c", CIPHER,
                    // ferryd lets 10 connections of one address log in at once; the balancer passes each one's
                    "-o", "BindAddress=127.0.0." + (10 + i % plan.sources()), USER + "@" + BALANCER);
        }

        private Path args(int i, String prefix) {
            return dir.resolve(prefix + "-" + i + ".args");
        }

        /** Runs {@code count} uploads of {@code source} (of which the first {@code bytes} only, for the warm-up) at once. */
        Run run(int count, String prefix, Path source, long bytes) throws IOException, InterruptedException {
            Path from = source;
            if (bytes < Files.size(source)) {
                from = dir.resolve(prefix + ".bin");
                RandomFile.write(from, bytes, 21);
            }
            List<String> command = new ArrayList<>(List.of("bash", "-c", CLIENTS, "clients"));
            for (int i = 0; i < count; i++) {
                Path file = args(i, prefix);
                Files.deleteIfExists(Path.of(file + ".status"));
                Files.write(file, String.join("\0", command(i, prefix, from)).concat("\0").getBytes(StandardCharsets.UTF_8));
                command.add(file.toString());
            }
            // every upload at 2 MB/s at worst, and ten minutes at least
            int timeout = (int) Math.max(600, count * bytes / 2_000_000);
            return Run.of(command, dir, timeout);
        }

        /** Each client's exit status, and the size of what landed under each one's name; the errors found. */
        List<String> check(int count, String prefix, long bytes, Run run) throws IOException {
            List<String> errors = new ArrayList<>();
            if (run.exit() != 0) {
                errors.add("the clients' shell exited " + run.exit() + ": " + run.output().strip());
            }
            for (int i = 0; i < count; i++) {
                Path status = Path.of(args(i, prefix) + ".status");
                String s = Files.exists(status) ? Files.readString(status).strip() : "none";
                if (!s.startsWith("0 ")) {
                    errors.add(name(prefix, i) + ": sftp exited " + s.split(" ")[0] + ": "
                            + readOr(Path.of(args(i, prefix) + ".log")).strip());
                }
                Path landed = shared.root().resolve(name(prefix, i));
                long size = Files.exists(landed) ? Files.size(landed) : -1;
                if (size != bytes) {
                    errors.add(name(prefix, i) + ": " + (size < 0 ? "missing" : size + " bytes, not " + bytes));
                }
            }
            try (Stream<Path> files = Files.list(shared.root())) {
                long extra = files.filter(f -> !f.getFileName().toString().startsWith(prefix + "-")).count();
                if (extra > 0) {
                    errors.add(extra + " other files in the root (temporary files left?)");
                }
            }
            return errors;
        }

        /** When each client ended, in nanoseconds since the epoch (those that wrote a status). */
        List<Long> endTimes(int count, String prefix) throws IOException {
            List<Long> ends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Path status = Path.of(args(i, prefix) + ".status");
                if (Files.exists(status)) {
                    String[] f = Files.readString(status).strip().split(" ");
                    if (f.length == 2) {
                        ends.add(Long.parseLong(f[1]));
                    }
                }
            }
            return ends;
        }

        /** Deletes what the clients uploaded, between runs. */
        void clean() throws IOException {
            try (Stream<Path> files = Files.list(shared.root())) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }

        private static String readOr(Path file) throws IOException {
            return Files.exists(file) ? Files.readString(file) : "";
        }
    }
}
