package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.ferry.bench.TransferBenchmark.Endpoint;
import dev.ferry.bench.TransferBenchmark.FerrydProcess;
import dev.ferry.bench.TreeTools.Server;
import dev.ferry.bench.TreeTools.Tool;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.relay.TcpRelay;

/**
 * Trees of many files (issue 17): {@code ferry cp -r} and {@code ferry sync -r} against scp -r,
 * sftp -r, rsync -a and lftp's mirror, to ferryd and to OpenSSH's sshd, up and down, on loopback
 * through the delayed relay of {@link TransferBenchmark}. Every received tree is checked against
 * its source (paths and sizes) before its time counts. Writes {@code docs/benchmarks-trees.md}
 * ({@code --quick}: {@code docs/benchmarks-trees-quick.md}; {@code --smoke}: tiny trees, a report
 * under {@code tests/target}, to show every row works).
 *
 * <p>Run with {@code scripts/bench-trees} (options there).
 */
public final class TreeBenchmark {

    static final Path WORK = Path.of("/dev/shm/ferry-bench-trees");
    static final String UP = "upload";
    static final String DOWN = "download";
    static final String NEW_TREE = "new tree";
    static final String NO_CHANGE = "nothing changed";
    static final String ONE_CHANGED = "one file changed";
    /** The row of one file as large as tree (a), the tree's yardstick. */
    static final String ONE_FILE = "one file";
    /** A row whose run took longer is not run again: minutes of scp at 50 ms say what one run says. */
    private static final double REPEAT_UNDER_SECONDS = 30;

    enum Mode { SMOKE, QUICK, FULL }

    /** A tree to copy: its letter, what it is (for the report), where it is and what it holds. */
    record Tree(String key, String label, Path path, Listing listing) {

        static Tree of(String key, String label, Path path) throws IOException {
            return new Tree(key, label, path, Listing.of(path));
        }
    }

    /**
     * One measured row: medians of its runs (the client's peak RSS and the server's open files:
     * the largest). {@code part} says when the tool was timed on the tree's first files only.
     */
    record Row(String tree, String part, String tool, String server, String direction, String change, int rttMs,
            int files, long bytes, double seconds, double clientCpu, double serverCpu, long clientRssMib,
            int serverOpenFiles, int runs) {

        double mbps() {
            return bytes / seconds / 1e6;
        }

        double filesPerSecond() {
            return files / seconds;
        }
    }

    /** One timed run's figures. */
    record Sample(double seconds, double clientCpu, double serverCpu, long clientRssKib, int serverOpenFiles) {
    }

    /** Whether a tool runs on a tree at an RTT: on all of it, on its first {@code cap} files, or not; why not all. */
    record Choice(boolean runs, int cap, String why) {

        static final Choice WHOLE = new Choice(true, 0, "");

        static Choice capped(int cap, String why) {
            return new Choice(true, cap, why);
        }

        static Choice skip(String why) {
            return new Choice(false, 0, why);
        }
    }

    /** A tool's failure (exit code, timeout, or a received tree unlike its source), in one line. */
    static final class ToolFailed extends Exception {
        private final boolean timedOut;

        ToolFailed(String message) {
            this(message, false);
        }

        ToolFailed(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }

        boolean timedOut() {
            return timedOut;
        }
    }

    @FunctionalInterface
    private interface TimedRun {
        Sample run() throws IOException, InterruptedException, ToolFailed;
    }

    private final Path repo;
    private final Mode mode;
    private final List<Integer> rtts;
    private final int runs;
    private final Set<String> treeKeys;
    private final Path sourcesJar;
    /** A directory for control sockets: ssh and ferry refuse one that others may enter. */
    private static final java.nio.file.attribute.FileAttribute<?> PRIVATE = java.nio.file.attribute.PosixFilePermissions
            .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

    private final List<Tool> tools;
    /** scp -r, rsync -a, ferry cp -r and ferry sync -r over connections control masters keep (RTT 0). */
    private final List<Tool> reusedTools;
    private final List<Row> rows = new ArrayList<>();
    /** Set-up facts, then what was capped, skipped or failed: each said once. */
    private final Set<String> notes = new LinkedHashSet<>();
    private final Map<String, Tree> trees = new LinkedHashMap<>();

    private TreeBenchmark(Path repo, Mode mode, List<Integer> rtts, int runs, Set<String> treeKeys, Path sourcesJar) {
        this.repo = repo;
        this.mode = mode;
        this.rtts = rtts;
        this.runs = runs;
        this.treeKeys = treeKeys;
        this.sourcesJar = sourcesJar;
        this.tools = TreeTools.all(repo, WORK.resolve("batches"));
        Path control = WORK.resolve("control");
        this.reusedTools = List.of(TreeTools.reused(TreeTools.scp(), control), TreeTools.reused(TreeTools.rsync(), control),
                TreeTools.reused(TreeTools.ferryCp(repo), control), TreeTools.reused(TreeTools.ferrySync(repo), control));
    }

    public static void main(String[] args) throws Exception {
        Options opts = Options.parse(args);
        Mode mode = opts.values().containsKey("smoke") ? Mode.SMOKE
                : opts.values().containsKey("quick") ? Mode.QUICK : Mode.FULL;
        // quick: RTT 0 and 50, one run, trees (a) and (b) (under 10 minutes); full: 0, 10 and 50, three
        // runs, and the 100,000 files at RTT 0; smoke: tiny trees at RTT 0, to see that every row works
        List<Integer> rtts = Arrays.stream(opts.get("rtt", mode == Mode.FULL ? "0,10,50" : mode == Mode.QUICK
                ? "0,50" : "0").split(",")).map(String::strip).map(Integer::parseInt).toList();
        int runs = Integer.parseInt(opts.get("runs", mode == Mode.FULL ? "3" : "1"));
        Set<String> trees = new LinkedHashSet<>(Arrays.asList(opts.get("trees", mode == Mode.QUICK ? "a,b" : "a,b,c")
                .split(",")));
        Path jar = Path.of(System.getProperty("bench.sourcesJar", "bcprov-jdk18on-1.84-sources.jar")); // the script's
        TreeBenchmark bench = new TreeBenchmark(opts.repo(), mode, rtts, runs, trees, jar);
        long start = System.nanoTime();
        boolean complete = true;
        try {
            bench.run();
        } catch (Exception e) { // an hour's rows are worth a report of what was measured before
            e.printStackTrace();
            bench.notes.add("The run stopped early; the rows below are what it measured before: " + e);
            complete = false;
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        bench.notes.add(String.format(Locale.ROOT, "This run took %.1f minutes.", minutes));
        Path report = opts.repo().resolve(opts.get("report", switch (mode) { // --report: a trial's, kept out of docs
            case SMOKE -> "tests/target/benchmarks-trees-smoke.md";
            case QUICK -> "docs/benchmarks-trees-quick.md";
            case FULL -> "docs/benchmarks-trees.md";
        }));
        String duration = switch (mode) {
            case FULL -> "about an hour";
            case QUICK -> "under 10 minutes";
            case SMOKE -> "a few minutes";
        };
        TreeReport.write(report, "scripts/bench-trees" + (opts.shown().isBlank() ? "" : " " + opts.shown()), duration,
                bench.rows, List.copyOf(bench.notes));
        System.out.printf(Locale.ROOT, "wrote %s (%.1f minutes)%n", report, minutes);
        if (!complete) {
            System.exit(1);
        }
    }

    void run() throws Exception {
        TransferBenchmark.deleteTree(WORK); // what an interrupted run left
        Files.createDirectories(WORK.resolve("local"));
        Files.createDirectories(WORK.resolve("sshd-side"));
        Files.createDirectories(WORK.resolve("batches"));
        Files.createDirectories(WORK.resolve("control"), PRIVATE);
        try (SshdFixture sshd = new SshdFixture().start();
                FerrydProcess ferryd = FerrydProcess.start(repo, WORK.resolve("ferryd-root"),
                        WORK.resolve("ferryd-state"), sshd.user(), Path.of(sshd.clientKey() + ".pub"), List.of())) {
            notes.add("OpenSSH: " + TransferBenchmark.version(List.of("ssh", "-V")) + "; rsync: "
                    + firstLine(TransferBenchmark.version(List.of("rsync", "--version"))) + "; lftp: "
                    + firstLine(TransferBenchmark.version(List.of("lftp", "--version"))) + "; benchmark JVM: Java "
                    + System.getProperty("java.version") + " (ferry and ferryd: the JDK their launcher picks); cores: "
                    + Runtime.getRuntime().availableProcessors());
            String loadBefore = loadAverage();
            makeTrees();
            warmUp(sshd, ferryd);
            for (int rtt : rtts) {
                atRtt(rtt, sshd, ferryd);
            }
            notes.add("ferryd's peak RSS over the whole run: " + Run.peakRssKib(ferryd.pid()) / 1024 + " MiB.");
            // the machine is shared: what else ran shows in the load, and in the rows' noise
            notes.add("Load average (1, 5, 15 min) at the start: " + loadBefore + "; at the end: " + loadAverage()
                    + ".");
        } finally {
            TransferBenchmark.deleteTree(WORK); // tmpfs is memory: the next benchmark's
        }
    }

    /** Every row at one RTT: the copies of each tree, the syncs of the source tree, one file of tree (a)'s size. */
    private void atRtt(int rtt, SshdFixture sshd, FerrydProcess ferryd) throws Exception {
        // RTT 0 is plain loopback (no relay), as in the single-file benchmark
        try (TcpRelay toSshd = rtt == 0 ? null : TransferBenchmark.link(sshd.port(), rtt);
                TcpRelay toFerryd = rtt == 0 ? null : TransferBenchmark.link(ferryd.port(), rtt)) {
            if (rtt > 0) {
                notes.add(String.format(Locale.ROOT, "RTT %d ms: the relay measured %.1f ms.", rtt,
                        TransferBenchmark.measureRtt(rtt)));
            }
            List<Server> servers = List.of(
                    server("sshd", sshd.pid(), toSshd == null ? sshd.port() : toSshd.port(), sshd.hostPublicKeyLine(),
                            sshd, WORK.resolve("sshd-side"), false, rtt),
                    server("ferryd", ferryd.pid(), toFerryd == null ? ferryd.port() : toFerryd.port(),
                            ferryd.hostKeyLine(), sshd, WORK.resolve("ferryd-root"), true, rtt));
            for (Tree tree : trees.values()) {
                if (!tree.key().equals("c") || rtt == 0) { // 100,000 files: at RTT 0 only
                    copies(tree, servers, rtt, tools);
                }
            }
            if (trees.containsKey("b") && (mode != Mode.QUICK || rtt == 0)) {
                syncs(trees.get("b"), servers, rtt, tools);
            }
            if (rtt == 0) {
                reusedConnections(servers);
            }
            if (rtt == 0) {
                commandStart(servers.get(0));
            }
            if (trees.containsKey("a")) {
                oneFile(trees.get("a"), servers, rtt);
            }
        }
    }

    private static Server server(String name, long pid, int port, String hostKeyLine, SshdFixture sshd, Path side,
            boolean rooted, int rtt) throws IOException {
        Path dir = Files.createDirectories(WORK.resolve(name + "-" + rtt));
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + port + " " + hostKeyLine + "\n");
        return new Server(name, pid, new Endpoint(port, knownHosts, sshd.clientKey(), sshd.user(), dir), side, rooted);
    }

    /**
     * What scp and rsync pay before their first byte and an SFTP tool does not: sshd starts a
     * command through the user's shell; an SFTP session starts no shell. The fixture's sshd keeps
     * bash from reading ~/.bashrc (on the machine this was written on, root's ran pyenv init: 0.6 s,
     * which earlier runs of this benchmark counted as OpenSSH's and rsync's). Both timed as whole
     * commands, median of 3, for the report's notes.
     */
    private void commandStart(Server sshd) throws IOException, InterruptedException {
        Path empty = Files.writeString(WORK.resolve("batches").resolve("empty"), "");
        List<String> command = TransferBenchmark.concat(List.of("ssh", "-p", sshd.port()),
                TransferBenchmark.ssh(sshd.endpoint()), sshd.login(), "true");
        List<String> session = TransferBenchmark.concat(List.of("sftp", "-q", "-b", empty.toString(), "-P",
                sshd.port()), TransferBenchmark.ssh(sshd.endpoint()), sshd.login());
        try {
            List<Double> shell = new ArrayList<>();
            List<Double> sftp = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                shell.add(runOrFail(command, 60).seconds());
                sftp.add(runOrFail(session, 60).seconds());
            }
            notes.add(String.format(Locale.ROOT, "`ssh host true` (how rsync starts its server side) took %.2f s "
                    + "here, an SFTP session that does nothing %.2f s (median of 3): sshd runs a command through the "
                    + "user's shell (kept from reading ~/.bashrc: SetEnv SHLVL in the benchmark's sshd_config); every "
                    + "scp and rsync row includes that start, the SFTP tools' rows do not.", TransferBenchmark.median(shell), TransferBenchmark.median(sftp)));
        } catch (ToolFailed e) {
            notes.add("`ssh host true` failed: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- the trees

    private void makeTrees() throws IOException {
        boolean smoke = mode == Mode.SMOKE;
        Path dir = Files.createDirectories(WORK.resolve("trees"));
        if (treeKeys.contains("a")) {
            int perDir = smoke ? 10 : 100;
            int dirs = smoke ? 2 : 10;
            add("a", String.format(Locale.ROOT, "%d random files of 64 KiB in %d directories", dirs * perDir, dirs),
                    Trees.random(dir.resolve("a"), dirs, perDir, 64 << 10, 17));
        }
        if (treeKeys.contains("b")) {
            Path unpacked = Trees.sources(sourcesJar, dir.resolve("b"));
            if (smoke) {
                unpacked = Trees.firstFiles(unpacked, 60, dir.resolve("b-first-60"));
            }
            add("b", "the sources of " + sourcesJar.getFileName() + (smoke ? ", its first 60 files" : "")
                    + " (Maven Central), unpacked", unpacked);
        }
        if (treeKeys.contains("c")) {
            int perDir = smoke ? 50 : 1000;
            int dirs = smoke ? 2 : 100;
            add("c", String.format(Locale.ROOT, "%,d random files of 1 KiB in %d directories", dirs * perDir, dirs),
                    Trees.random(dir.resolve("c"), dirs, perDir, 1 << 10, 19));
        }
    }

    private void add(String key, String label, Path path) throws IOException {
        Tree tree = Tree.of(key, label, path);
        trees.put(key, tree);
        long dirs = tree.listing().entries().values().stream().filter(s -> s == Listing.DIRECTORY).count();
        notes.add(String.format(Locale.ROOT, "Tree (%s): %s: %,d files, %.1f MB, %d directories.", key, label,
                tree.listing().files(), tree.listing().bytes() / 1e6, dirs));
    }

    /** The first {@code n} files of a tree, made once. */
    private Tree part(Tree tree, int n) throws IOException {
        String key = tree.key() + "-first-" + n;
        Path path = WORK.resolve("trees").resolve(key);
        if (!Files.exists(path)) {
            Trees.firstFiles(tree.path(), n, path);
        }
        return new Tree(tree.key(), tree.label(), path, Listing.of(path));
    }

    /** The server's own copy of a tree, as the source of downloads: made once, with the files' times. */
    private static String serverCopy(Server server, Tree tree) throws IOException {
        String name = "src-" + tree.path().getFileName();
        if (!Files.exists(server.local(name))) {
            DeltaBenchmark.copyKeepingTimes(tree.path(), server.local(name));
        }
        return name;
    }

    /**
     * Two untimed runs of ferry first: after a build the launcher's first runs write its start-up
     * caches (see TransferBenchmark.warmUp); ferryd's first session is its slowest.
     */
    private void warmUp(SshdFixture sshd, FerrydProcess ferryd) throws Exception {
        Server direct = server("ferryd", ferryd.pid(), ferryd.port(), ferryd.hostKeyLine(), sshd,
                WORK.resolve("ferryd-root"), true, 0);
        Path small = WORK.resolve("warm-up");
        Trees.random(small, 1, 4, 1024, 3);
        TransferBenchmark.warmUp(TreeTools.ferryCp(repo).up().of(direct, small, "warm-up"), WORK);
        // and the start-up cache of runs that attach to a master (recorded by one, made before the next)
        Path control = Files.createDirectories(WORK.resolve("warm-up-control"), PRIVATE);
        TransferBenchmark.warmUp(TreeTools.reused(TreeTools.ferryCp(repo), control).up().of(direct, small, "warm-up"),
                WORK);
        stopMasters(control, List.of(direct));
        TransferBenchmark.deleteTree(small);
        TransferBenchmark.deleteTree(direct.local("warm-up"));
    }

    // ---------------------------------------------------------------- what runs where

    /**
     * Whether and on how much of a tree a tool runs. OpenSSH's scp and sftp take one file at a time,
     * six or seven round trips each (measured: 100 files took 22 s at 50 ms): the 1000 files would
     * take about four minutes a direction, the source tree ten. At RTT above 0 they are timed on the
     * tree's first 2500 / RTT files (about 15 s worth), whose files/s and MB/s stand for the whole
     * (their cost is per file). The 100,000 files go with the stock tools to sshd only, and the
     * quick mode keeps only what its targets need above RTT 0: the full mode's hour and the quick
     * mode's ten minutes are the budget.
     */
    private Choice choose(Tool tool, Server server, Tree tree, int rtt) {
        if (tree.key().equals("c") && !tool.isFerry()) {
            if (!server.isSshd()) {
                return Choice.skip("Tree (c): the stock tools ran to sshd only (to ferryd they would time its SFTP "
                        + "server again, as trees (a) and (b) do, for another quarter of an hour).");
            }
            if (tool.name().equals("sftp -r")) {
                return Choice.skip("Tree (c): sftp -r left out; scp -r, the anchor, stands for OpenSSH's "
                        + "one-file-at-a-time SFTP client (OpenSSH 9's scp speaks SFTP).");
            }
        }
        if (mode == Mode.QUICK && rtt > 0) {
            if (!tree.key().equals("a")) {
                return Choice.skip("Quick mode above RTT 0: tree (a) only, no syncs (the targets there are on "
                        + "tree (a)).");
            }
            if (tool.stepwise() && !(tool.name().equals("scp -r") && server.isSshd())) {
                return Choice.skip("Quick mode above RTT 0: of OpenSSH's one-file-at-a-time tools only scp -r to sshd, "
                        + "the anchor of the target at 50 ms.");
            }
            if (tool.name().startsWith("lftp") && !server.isSshd()) {
                return Choice.skip("Quick mode above RTT 0: lftp to sshd only.");
            }
        }
        int cap = Math.max(20, 2500 / Math.max(rtt, 1));
        if (tool.stepwise() && rtt > 0 && tree.listing().files() > cap) {
            return Choice.capped(cap, String.format(Locale.ROOT, "%s at RTT %d ms: timed on the first %d files of "
                    + "each tree (one file at a time, several round trips each: the whole tree would take minutes); "
                    + "its MB/s and files/s are those of the part.", tool.name(), rtt, cap));
        }
        return Choice.WHOLE;
    }

    private int timeoutSeconds(Tree tree) {
        return tree.key().equals("c") ? (mode == Mode.SMOKE ? 120 : 300) : 1800;
    }

    // ---------------------------------------------------------------- copies of a new tree

    private void copies(Tree tree, List<Server> servers, int rtt, List<Tool> using)
            throws IOException, InterruptedException {
        for (Tool tool : using) {
            for (Server server : servers) {
                if (!tool.servesOn(server)) {
                    continue;
                }
                Choice choice = choose(tool, server, tree, rtt);
                if (!choice.why().isEmpty()) {
                    notes.add(choice.why());
                }
                if (!choice.runs()) {
                    continue;
                }
                Tree copied = choice.cap() > 0 ? part(tree, choice.cap()) : tree;
                String part = choice.cap() > 0 ? "first " + copied.listing().files() + " files" : "";
                if (copy(tool, server, UP, copied, part, rtt)) {
                    copy(tool, server, DOWN, copied, part, rtt);
                } else {
                    notes.add(String.format(Locale.ROOT, "%s from %s, tree (%s), RTT %d ms: the download was not tried "
                            + "after the upload did not finish in time.", tool.name(), server.name(), tree.key(), rtt));
                }
            }
        }
    }

    /**
     * A tool's copy of a tree to a new directory, timed and checked run by run; false when it ran
     * out of time (then the other direction, as slow, is not tried).
     */
    private boolean copy(Tool tool, Server server, String direction, Tree tree, String part, int rtt)
            throws IOException, InterruptedException {
        String target = "copy-" + tree.key();
        Path received = direction.equals(UP) ? server.local(target) : WORK.resolve("local").resolve(target);
        List<String> command = direction.equals(UP) ? tool.up().of(server, tree.path(), server.remote(target))
                : tool.down().of(server, received, server.remote(serverCopy(server, tree)));
        int timeout = timeoutSeconds(tree);
        try {
            if (tool.reused()) { // the run that starts the master is not the one timed
                TransferBenchmark.deleteTree(received);
                runOrFail(command, timeout);
            }
            List<Sample> samples = repeat(() -> {
                TransferBenchmark.deleteTree(received);
                Sample s = timed(command, server, timeout, tool.reused());
                verify(tree.listing(), received);
                return s;
            });
            record(tool, server, direction, NEW_TREE, tree.key(), part, rtt, samples, tree.listing());
            return true;
        } catch (ToolFailed e) {
            failed(tool.name(), server, direction, tree, rtt, NEW_TREE, e);
            return !e.timedOut();
        } finally {
            TransferBenchmark.deleteTree(received);
        }
    }

    // ---------------------------------------------------------------- reused connections

    /**
     * Trees (a) and (b) copied, and (b) synced, by scp -r, rsync -a, ferry cp -r and ferry sync -r
     * over connections that control masters keep, as scripts that copy to one host many times run
     * them: ferry's JVM then starts only to hand its command to the master, and OpenSSH's tools
     * skip their key exchange. RTT 0, where the start of each run weighs most.
     */
    private void reusedConnections(List<Server> servers) throws IOException, InterruptedException {
        notes.add("Rows \"..., reused connection\" (RTT 0): ControlMaster=auto, ControlPath and ControlPersist, for "
                + "OpenSSH's tools (rsync's ssh included) and ferry alike; the run that starts each master is not "
                + "timed; their client CPU and RSS are the attaching command's, not the master's, and sshd's CPU for "
                + "them is not counted (its process for the master's connection outlives every run).");
        try {
            for (Tree tree : trees.values()) {
                if (!tree.key().equals("c")) {
                    copies(tree, servers, 0, reusedTools);
                }
            }
            if (trees.containsKey("b")) {
                syncs(trees.get("b"), servers, 0, reusedTools);
            }
        } finally {
            stopMasters(WORK.resolve("control"), servers);
        }
    }

    private void stopMasters(Path controlDir, List<Server> servers) throws IOException, InterruptedException {
        for (Server server : servers) {
            for (List<String> exit : TreeTools.stopMasters(repo, controlDir, server)) {
                Run.of(exit, WORK, 60); // none there is no failure
            }
        }
    }

    // ---------------------------------------------------------------- syncs of the source tree

    private void syncs(Tree tree, List<Server> servers, int rtt, List<Tool> using)
            throws IOException, InterruptedException {
        for (Tool tool : using) {
            for (Server server : servers) {
                if (tool.sync() && tool.servesOn(server)) {
                    sync(tool, server, UP, tree, rtt);
                    sync(tool, server, DOWN, tree, rtt);
                }
            }
        }
    }

    /**
     * A sync tool on a tree already in place (its own untimed sync put it there): once with nothing
     * changed, once with one file edited before each run. The source is a copy of its own, so the
     * edits stay out of the other rows' trees.
     */
    private void sync(Tool tool, Server server, String direction, Tree tree, int rtt)
            throws IOException, InterruptedException {
        boolean up = direction.equals(UP);
        Path source = up ? WORK.resolve("sync-source") : server.local("sync-source");
        DeltaBenchmark.copyKeepingTimes(tree.path(), source);
        Path received = up ? server.local("sync-target") : WORK.resolve("local").resolve("sync-target");
        List<String> command = up ? tool.up().of(server, source, server.remote("sync-target"))
                : tool.down().of(server, received, server.remote("sync-source"));
        Path edited = source.resolve(middleFile(tree));
        int timeout = timeoutSeconds(tree);
        try {
            TransferBenchmark.deleteTree(received);
            runOrFail(command, timeout); // the tree in place, untimed
            verify(tree.listing(), received);
            List<Sample> same = repeat(() -> {
                Sample s = timed(command, server, timeout, tool.reused());
                verify(tree.listing(), received);
                return s;
            });
            record(tool, server, direction, NO_CHANGE, tree.key(), "", rtt, same, tree.listing());
            List<Sample> one = repeat(() -> {
                Trees.appendLine(edited);
                Sample s = timed(command, server, timeout, tool.reused());
                verify(Listing.of(source), received);
                return s;
            });
            record(tool, server, direction, ONE_CHANGED, tree.key(), "", rtt, one, Listing.of(source));
        } catch (ToolFailed e) {
            failed(tool.name(), server, direction, tree, rtt, "sync", e);
        } finally {
            TransferBenchmark.deleteTree(received);
            TransferBenchmark.deleteTree(source);
        }
    }

    /** The file the one-change sync edits: one in the middle of the listing, not a special first or last. */
    private static String middleFile(Tree tree) {
        List<String> files = tree.listing().filePaths();
        return files.get(files.size() / 2);
    }

    // ---------------------------------------------------------------- one file of the tree's size

    /** ferry cp of one file as large as tree (a): the MB/s the tree's copy is held against at each RTT. */
    private void oneFile(Tree tree, List<Server> servers, int rtt) throws IOException, InterruptedException {
        long size = tree.listing().bytes();
        Path file = WORK.resolve("one-file.bin");
        if (!Files.exists(file)) {
            Trees.oneFile(file, size);
        }
        Tool cp = TreeTools.ferryCpFile(repo);
        for (Server server : servers) {
            for (String direction : List.of(UP, DOWN)) {
                boolean up = direction.equals(UP);
                if (!up && !Files.exists(server.local("one-file.bin"))) {
                    Files.copy(file, server.local("one-file.bin"));
                }
                Path received = up ? server.local("one-copy.bin") : WORK.resolve("local/one-copy.bin");
                List<String> command = up ? cp.up().of(server, file, server.remote("one-copy.bin"))
                        : cp.down().of(server, received, server.remote("one-file.bin"));
                try {
                    List<Sample> samples = repeat(() -> {
                        Files.deleteIfExists(received);
                        Sample s = timed(command, server, 1800, false);
                        if (!Files.exists(received) || Files.size(received) != size) {
                            throw new ToolFailed("the copy of one file is not its size");
                        }
                        return s;
                    });
                    Listing one = new Listing(new java.util.TreeMap<>(Map.of("one-file.bin", size)));
                    record(cp, server, direction, ONE_FILE, tree.key(), "", rtt, samples, one);
                } catch (ToolFailed e) {
                    failed(cp.name(), server, direction, tree, rtt, ONE_FILE, e);
                } finally {
                    Files.deleteIfExists(received);
                }
            }
        }
    }

    // ---------------------------------------------------------------- running and checking

    /** Runs until {@code runs} samples, or one run once that run took more than {@value #REPEAT_UNDER_SECONDS} s. */
    private List<Sample> repeat(TimedRun run) throws IOException, InterruptedException, ToolFailed {
        List<Sample> samples = new ArrayList<>();
        while (samples.size() < runs) {
            Sample s = run.run();
            samples.add(s);
            if (s.seconds() > REPEAT_UNDER_SECONDS) {
                break;
            }
        }
        return samples;
    }

    /**
     * One run of a command under GNU time, with the server's CPU over it: ferryd's process, or the
     * sshd listener's, which holds its per-connection processes' CPU once it has reaped them (so
     * the run is counted only after they are gone).
     *
     * @param reused the command runs over a master's connection: sshd's process for it outlives the
     *               run, so there is nothing to wait for (and its CPU is not counted)
     */
    private Sample timed(List<String> command, Server server, int timeoutSeconds, boolean reused)
            throws IOException, InterruptedException, ToolFailed {
        if (!reused) {
            settle(server);
        }
        double cpuBefore = Run.cpuOf(server.pid());
        Run r;
        int openFiles;
        try (OpenFiles files = OpenFiles.watch(server.pid(), server.isSshd())) {
            r = runOrFail(command, timeoutSeconds);
            openFiles = files.peak();
        }
        if (!reused) {
            settle(server);
        }
        double serverCpu = Run.cpuOf(server.pid()) - cpuBefore;
        return new Sample(r.seconds(), r.cpuSeconds(), serverCpu, r.maxRssKib(), openFiles);
    }

    private static Run runOrFail(List<String> command, int timeoutSeconds) throws InterruptedException, ToolFailed {
        Run r;
        try {
            r = Run.of(command, WORK, timeoutSeconds);
        } catch (IOException e) { // a timeout, or the tool missing
            String message = e.getMessage().replaceFirst(": \\[.*", ""); // not the whole command line
            throw new ToolFailed(message, message.startsWith("timed out"));
        }
        if (r.exit() != 0) {
            throw new ToolFailed("exit " + r.exit() + ": " + firstLine(r.output()));
        }
        return r;
    }

    /** Waits (up to 10 s) until sshd's listener has no child left: the last run's processes reaped, CPU counted. */
    private static void settle(Server server) throws InterruptedException {
        if (!server.isSshd()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline
                && ProcessHandle.of(server.pid()).map(p -> p.children().findAny().isPresent()).orElse(false)) {
            Thread.sleep(20);
        }
    }

    private static void verify(Listing expected, Path received) throws IOException, ToolFailed {
        if (!Files.isDirectory(received)) {
            throw new ToolFailed("exit 0, but no tree at " + received);
        }
        List<String> differences = expected.differences(Listing.of(received), 3);
        if (!differences.isEmpty()) {
            throw new ToolFailed("exit 0, but the received tree differs from its source: "
                    + String.join("; ", differences));
        }
    }

    private void record(Tool tool, Server server, String direction, String change, String tree, String part,
            int rtt, List<Sample> samples, Listing copied) {
        Row row = new Row(tree, part, tool.name(), server.name(), direction, change, rtt, copied.files(),
                copied.bytes(), TransferBenchmark.median(samples.stream().map(Sample::seconds).toList()),
                TransferBenchmark.median(samples.stream().map(Sample::clientCpu).toList()),
                TransferBenchmark.median(samples.stream().map(Sample::serverCpu).toList()),
                samples.stream().mapToLong(Sample::clientRssKib).max().orElse(0) / 1024,
                samples.stream().mapToInt(Sample::serverOpenFiles).max().orElse(0), samples.size());
        rows.add(row);
        System.out.printf(Locale.ROOT, "(%s%s) %-16s %-6s %-8s %-16s RTT %2d: %7.2f s %7.1f MB/s %7.0f files/s"
                + "  cpu %.2f + server %.2f s  rss %d MiB  server files %d%n", row.tree(),
                part.isEmpty() ? "" : ", " + part, row.tool(), row.server(), row.direction(), row.change(), rtt,
                row.seconds(), row.mbps(), row.filesPerSecond(), row.clientCpu(), row.serverCpu(), row.clientRssMib(),
                row.serverOpenFiles());
    }

    private void failed(String tool, Server server, String direction, Tree tree, int rtt, String what, ToolFailed e) {
        String line = String.format(Locale.ROOT, "FAILED: %s, %s to/from %s, tree (%s), RTT %d ms (%s): %s", tool,
                direction, server.name(), tree.key(), rtt, what, e.getMessage());
        System.out.println(line);
        notes.add(line);
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static String firstLine(String text) {
        return text.strip().lines().findFirst().orElse("");
    }
}
