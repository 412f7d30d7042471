package dev.ferry.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ferry.client.cli.RandomFile;
import dev.ferry.it.support.SshdFixture;

/**
 * {@code ferry sync} against {@code rsync} over OpenSSH, side by side on one loopback: each case
 * puts the old version at the target, then each tool brings it up to the new version; wall time,
 * CPU and bytes on the wire (each tool's own count of what it sent and received: rsync's --stats,
 * ferry's --json) are reported with medians of the runs. Writes {@code docs/benchmarks-delta.md}.
 *
 * <p>Run with {@code scripts/bench-delta} (options: --runs=3 --size-mib=1024).
 */
public final class DeltaBenchmark {

    private static final Path WORK = Path.of("/dev/shm/ferry-bench/delta");
    private static final String CIPHER = "aes128-gcm@openssh.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RSYNC_SENT = Pattern.compile("Total bytes sent: ([0-9,]+)");
    private static final Pattern RSYNC_RECEIVED = Pattern.compile("Total bytes received: ([0-9,]+)");

    /**
     * One case: the target holds {@code old}, the source is {@code fresh}; the target is the
     * server's copy, or with {@code download} the local one (the server holds {@code fresh}).
     */
    record Case(String name, Path old, Path fresh, boolean tree, boolean download) {
        Case(String name, Path old, Path fresh, boolean tree) {
            this(name, old, fresh, tree, false);
        }
    }

    /**
     * @param clientMib the client's peak resident set (rsync's local side, or ferry), median of the runs
     * @param serverMib ferryd's peak resident set during the run (-1: not measured, rsync's server side)
     * @param serverCpuSeconds ferryd's user + system CPU during the run (-1: rsync's server side, not measured)
     */
    record Row(String caseName, String tool, double seconds, double cpuSeconds, long sent, long received,
            long literal, long matched, int runs, double clientMib, double serverMib, double serverCpuSeconds) {
    }

    private final Path repo;
    private final int runs;
    private final long size;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private DeltaBenchmark(Path repo, int runs, long size) {
        this.repo = repo;
        this.runs = runs;
        this.size = size;
    }

    public static void main(String[] args) throws Exception {
        Options opts = Options.parse(args);
        Path repo = opts.repo();
        // --quick: the 1 GiB insertions (a) and the source tree (f), one run each, in a few minutes
        boolean quick = opts.values().containsKey("quick");
        DeltaBenchmark bench = new DeltaBenchmark(repo, Integer.parseInt(opts.get("runs", quick ? "1" : "3")),
                Long.parseLong(opts.get("size-mib", "1024")) << 20);
        List<String> only = opts.values().containsKey("cases") ? Arrays.asList(opts.get("cases", "").split(","))
                : quick ? List.of("a", "f") : null;
        bench.run(only);
        bench.write(repo.resolve(quick ? "docs/benchmarks-delta-quick.md" : "docs/benchmarks-delta.md"), opts.shown());
    }

    void run(List<String> only) throws Exception {
        TransferBenchmark.deleteTree(WORK);
        Files.createDirectories(WORK);
        try (SshdFixture sshd = new SshdFixture().start();
                TransferBenchmark.FerrydProcess ferryd = TransferBenchmark.FerrydProcess.start(repo, sshd)) {
            notes.add("rsync: " + TransferBenchmark.version(List.of("rsync", "--version")).lines().findFirst()
                    .orElse("?") + "; OpenSSH: " + TransferBenchmark.version(List.of("ssh", "-V")) + "; Java: "
                    + System.getProperty("java.version"));
            Path knownHosts = WORK.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + sshd.port() + " " + sshd.hostPublicKeyLine() + "\n"
                    + "[127.0.0.1]:" + ferryd.port() + " " + ferryd.hostKeyLine() + "\n");
            Path small = WORK.resolve("warm-up.bin");
            RandomFile.write(small, 1 << 20, 1);
            TransferBenchmark.warmUp(List.of(repo.resolve("ferry").toString(), "sync", "-q", "-B", "-F", "/dev/null",
                    "-c", CIPHER, "-P", String.valueOf(ferryd.port()), "-i", sshd.clientKey().toString(), "-o",
                    "UserKnownHostsFile=" + knownHosts, small.toString(), sshd.user() + "@127.0.0.1:warm-up.bin"), WORK);
            Files.delete(small);
            Corpus corpus = new Corpus();
            for (Map.Entry<String, Maker<Case>> c : cases(corpus).entrySet()) {
                if (only == null || only.contains(c.getKey())) {
                    measure(c.getValue().make(), sshd, ferryd, knownHosts);
                }
                corpus.doneWith(c.getKey());
            }
        } finally {
            TransferBenchmark.deleteTree(WORK);
        }
    }

    /** Makes a case or a corpus when it comes up. */
    @FunctionalInterface
    interface Maker<T> {
        T make() throws Exception;
    }

    /**
     * The corpora, each made when the first case needing it comes up and deleted after the last
     * one. The machine's memory is the benchmark's disk (tmpfs), and on this machine (a VM) the
     * kernel's page copies slowed down fourfold when the benchmark held 8 GB more than it needs:
     * ferryd spent 3.5 s of system time on a 1 GiB sync instead of 0.8 s, the same sync by hand
     * outside the benchmark. So the benchmark holds only what the current case uses.
     */
    private static final class Corpus {
        private final Map<String, Path> made = new java.util.HashMap<>();
        private final Map<String, String> lastUse = Map.of("base", "h", "inserts", "h", "overwrites", "b",
                "appended", "c", "other", "d", "trees", "i", "tar", "e", "sqlite", "g");

        Path get(String name, Maker<Path> maker) throws Exception {
            Path p = made.get(name);
            if (p == null) {
                p = maker.make();
                made.put(name, p);
            }
            return p;
        }

        void doneWith(String caseLetter) throws IOException {
            for (Map.Entry<String, String> e : lastUse.entrySet()) {
                if (e.getValue().equals(caseLetter) && made.containsKey(e.getKey())) {
                    TransferBenchmark.deleteTree(made.remove(e.getKey()));
                }
            }
        }
    }

    /** The cases by letter, in the order they run. */
    private Map<String, Maker<Case>> cases(Corpus corpus) {
        int mib = (int) (size >> 20);
        Maker<Path> base = () -> {
            Path p = WORK.resolve("base.bin");
            RandomFile.write(p, size, 21);
            return p;
        };
        Maker<Path> inserted = () -> insertions(corpus.get("base", base), WORK.resolve("inserts.bin"));
        Maker<Path> trees = () -> {
            Path dir = WORK.resolve("trees");
            unpack("org/bouncycastle/bcprov-jdk18on/1.84/bcprov-jdk18on-1.84-sources.jar", dir.resolve("bc-1.84"));
            unpack("org/bouncycastle/bcprov-jdk18on/1.85/bcprov-jdk18on-1.85-sources.jar", dir.resolve("bc-1.85"));
            return dir;
        };
        Maker<Path> tars = () -> {
            Path dir = WORK.resolve("tars");
            Path trees1 = corpus.get("trees", trees);
            tar(trees1.resolve("bc-1.84"), dir);
            tar(trees1.resolve("bc-1.85"), dir);
            return dir;
        };
        Maker<Path> sqlite = () -> sqlite(WORK.resolve("sqlite"));
        Map<String, Maker<Case>> cases = new LinkedHashMap<>();
        cases.put("a", () -> new Case("a: " + mib + " MiB random, 1000 insertions of 16 bytes",
                corpus.get("base", base), corpus.get("inserts", inserted), false));
        cases.put("b", () -> new Case("b: " + mib + " MiB random, 1000 overwrites of 4 KiB in place",
                corpus.get("base", base), corpus.get("overwrites",
                        () -> overwrites(corpus.get("base", base), WORK.resolve("overwrites.bin"))), false));
        cases.put("c", () -> new Case("c: " + mib + " MiB random, 64 MiB appended", corpus.get("base", base),
                corpus.get("appended", () -> appended(corpus.get("base", base), WORK.resolve("appended.bin"))), false));
        cases.put("d", () -> new Case("d: " + mib + " MiB random, a completely different file",
                corpus.get("base", base), corpus.get("other", () -> {
                    Path p = WORK.resolve("other.bin");
                    RandomFile.write(p, size, 99);
                    return p;
                }), false));
        cases.put("e", () -> new Case("e: BouncyCastle 1.84 to 1.85 sources, uncompressed tar",
                corpus.get("tar", tars).resolve("bc-1.84.tar"), corpus.get("tar", tars).resolve("bc-1.85.tar"), false));
        cases.put("f", () -> new Case("f: BouncyCastle 1.84 to 1.85 sources, unpacked tree",
                corpus.get("trees", trees).resolve("bc-1.84"), corpus.get("trees", trees).resolve("bc-1.85"), true));
        cases.put("g", () -> new Case("g: SQLite database before and after a batch of updates",
                corpus.get("sqlite", sqlite).resolve("before.sqlite"), corpus.get("sqlite", sqlite).resolve("after.sqlite"),
                false));
        cases.put("h", () -> new Case("h: as a, downloaded (the local copy is the old one)", corpus.get("base", base),
                corpus.get("inserts", inserted), false, true));
        cases.put("i", () -> new Case("i: as f, downloaded", corpus.get("trees", trees).resolve("bc-1.84"),
                corpus.get("trees", trees).resolve("bc-1.85"), true, true));
        return cases;
    }

    private void measure(Case c, SshdFixture sshd, TransferBenchmark.FerrydProcess ferryd, Path knownHosts)
            throws Exception {
        String user = sshd.user();
        Path rsyncTarget = WORK.resolve("rsync-target");
        Path ferryTarget = WORK.resolve("../ferryd-root/delta-target").normalize();
        String ssh = "ssh -F /dev/null -c " + CIPHER + " -p " + sshd.port() + " -i " + sshd.clientKey()
                + " -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=" + knownHosts;
        List<String> rsync = new ArrayList<>(List.of("rsync", "-a", "--stats", "-e", ssh));
        String src = c.fresh() + (c.tree() ? "/" : "");
        String slash = c.tree() ? "/" : "";
        Path ferrySource = WORK.resolve("../ferryd-root/delta-source").normalize();
        if (c.download()) { // rsync reads the source where it is; ferryd serves its own root
            rsyncTarget = WORK.resolve("rsync-local");
            ferryTarget = WORK.resolve("ferry-local");
            copyKeepingTimes(c.fresh(), ferrySource);
            rsync.addAll(List.of(user + "@127.0.0.1:" + src, rsyncTarget + slash));
        } else {
            rsync.addAll(List.of(src, user + "@127.0.0.1:" + rsyncTarget + slash));
        }
        List<String> ferry = new ArrayList<>(List.of(repo.resolve("ferry").toString(), "sync", "--json", "-q", "-B",
                "-F", "/dev/null", "-c", CIPHER, "-P", String.valueOf(ferryd.port()), "-i", sshd.clientKey().toString(),
                "-o", "UserKnownHostsFile=" + knownHosts));
        if (c.tree()) {
            ferry.add("-r");
        }
        if (c.download()) {
            ferry.addAll(List.of(user + "@127.0.0.1:delta-source" + slash, ferryTarget.toString()));
        } else {
            ferry.addAll(List.of(src, user + "@127.0.0.1:delta-target"));
        }
        List<String> cp = List.of(repo.resolve("ferry").toString(), "cp", "-q", "-B", "-F", "/dev/null", "-c", CIPHER,
                "-P", String.valueOf(ferryd.port()), "-i", sshd.clientKey().toString(), "-o",
                "UserKnownHostsFile=" + knownHosts, c.fresh().toString(), user + "@127.0.0.1:delta-target");

        Map<String, List<String>> tools = new LinkedHashMap<>();
        tools.put("rsync -a (OpenSSH)", rsync);
        tools.put("ferry sync (ferryd)", ferry);
        // Over a reused connection, as scripts that sync often keep one: ssh's ControlMaster for
        // rsync, ferry's own master (the same spelling) for ferry sync.
        Path control = Files.createDirectories(WORK.resolve("control"));
        Files.setPosixFilePermissions(control, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        String reuse = " -o ControlMaster=auto -o ControlPath=" + control + "/ssh-%C -o ControlPersist=120";
        List<String> rsyncReused = new ArrayList<>(rsync);
        rsyncReused.set(rsyncReused.indexOf(ssh), ssh + reuse);
        tools.put("rsync -a (OpenSSH), reused connection", rsyncReused);
        List<String> ferryReused = new ArrayList<>(ferry);
        ferryReused.addAll(2, List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + control + "/ferry-%C", "-o",
                "ControlPersist=120"));
        tools.put("ferry sync (ferryd), reused connection", ferryReused);
        if (c.name().startsWith("d")) {
            tools.put("ferry cp (ferryd), no delta", cp);
        }
        if (c.name().compareTo("e") >= 0 && !c.name().startsWith("h")) { // not random: what zstd gives
            List<String> plain = new ArrayList<>(ferry);
            plain.add(2, "--no-compress");
            tools.put("ferry sync --no-compress (ferryd)", plain);
        }
        // The tools take turns run by run, so that this machine's drift over minutes falls on all
        // of them alike rather than on whichever ran last.
        Map<String, Tally> tallies = new LinkedHashMap<>();
        tools.keySet().forEach(name -> tallies.put(name, new Tally()));
        for (Map.Entry<String, List<String>> t : tools.entrySet()) { // the masters start here, not in a counted run
            if (t.getKey().endsWith("reused connection")) {
                place(c.old(), t.getKey().startsWith("rsync") ? rsyncTarget : ferryTarget);
                Run.of(t.getValue(), WORK, 3600);
            }
        }
        for (int i = 0; i < runs; i++) {
            for (Map.Entry<String, List<String>> t : tools.entrySet()) {
                Tally tally = tallies.get(t.getKey());
                if (tally.failed) {
                    continue;
                }
                boolean isRsync = t.getKey().startsWith("rsync");
                Path target = isRsync ? rsyncTarget : ferryTarget;
                place(c.old(), target);
                double serverCpu = 0;
                if (!isRsync) {
                    resetPeakRss(ferryd.pid());
                    serverCpu = Run.cpuOf(ferryd.pid());
                }
                Run r = Run.of(t.getValue(), WORK, 3600);
                if (r.exit() != 0) {
                    notes.add(c.name() + ", " + t.getKey() + " failed: " + r.output().strip().lines().findFirst()
                            .orElse("exit " + r.exit()));
                    tally.failed = true;
                    continue;
                }
                verify(c.fresh(), target);
                tally.seconds.add(r.seconds());
                tally.cpu.add(r.cpuSeconds());
                tally.clientMib.add(r.maxRssKib() / 1024.0);
                if (!isRsync) {
                    tally.serverMib.add(Run.peakRssKib(ferryd.pid()) / 1024.0);
                    tally.serverCpu.add(Run.cpuOf(ferryd.pid()) - serverCpu);
                }
                if (isRsync) {
                    tally.sent = number(RSYNC_SENT, r.output());
                    tally.received = number(RSYNC_RECEIVED, r.output());
                } else if (t.getKey().startsWith("ferry sync")) {
                    JsonNode s = summaryOf(r.output());
                    tally.sent = s.path("wireBytesSent").asLong();
                    tally.received = s.path("wireBytesReceived").asLong();
                    tally.literal = s.path("literalBytes").asLong();
                    tally.matched = s.path("matchedBytes").asLong();
                } else {
                    tally.sent = Files.size(c.fresh());
                }
            }
        }
        for (Map.Entry<String, Tally> t : tallies.entrySet()) {
            Tally tally = t.getValue();
            if (!tally.seconds.isEmpty()) {
                Row row = new Row(c.name(), t.getKey(), TransferBenchmark.median(tally.seconds),
                        TransferBenchmark.median(tally.cpu), tally.sent, tally.received, tally.literal, tally.matched,
                        tally.seconds.size(), TransferBenchmark.median(tally.clientMib),
                        tally.serverMib.isEmpty() ? -1 : TransferBenchmark.median(tally.serverMib),
                        tally.serverCpu.isEmpty() ? -1 : TransferBenchmark.median(tally.serverCpu));
                rows.add(row);
                System.out.printf(Locale.ROOT, "%s | %s: %.2f s, %.2f CPU-s, sent %d, received %d%n", c.name(),
                        t.getKey(), row.seconds(), row.cpuSeconds(), tally.sent, tally.received);
            }
        }
        TransferBenchmark.deleteTree(rsyncTarget);
        TransferBenchmark.deleteTree(ferryTarget);
        TransferBenchmark.deleteTree(ferrySource);
    }

    /** One tool's runs of one case so far. */
    private static final class Tally {
        final List<Double> seconds = new ArrayList<>();
        final List<Double> cpu = new ArrayList<>();
        final List<Double> clientMib = new ArrayList<>();
        final List<Double> serverMib = new ArrayList<>();
        final List<Double> serverCpu = new ArrayList<>();
        long sent;
        long received;
        long literal = -1;
        long matched = -1;
        boolean failed;
    }

    /**
     * Sets a running process's peak resident set back to what it holds now (Linux's clear_refs 5),
     * so that the peak read after a run is that run's.
     */
    private static void resetPeakRss(long pid) throws IOException {
        Files.writeString(Path.of("/proc", String.valueOf(pid), "clear_refs"), "5");
    }

    /** A copy with the source's modification times, as the source of a download. */
    static void copyKeepingTimes(Path from, Path to) throws IOException {
        TransferBenchmark.deleteTree(to);
        Files.createDirectories(to.getParent());
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** The old version at the target, older than the source so that the quick check never skips it. */
    private static void place(Path old, Path target) throws IOException {
        TransferBenchmark.deleteTree(target);
        if (Files.isDirectory(old)) {
            try (var walk = Files.walk(old)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path to = target.resolve(old.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                        Files.setLastModifiedTime(to, FileTime.fromMillis(1_000_000_000_000L));
                    }
                }
            }
        } else {
            Files.createDirectories(target.getParent());
            Files.copy(old, target);
            Files.setLastModifiedTime(target, FileTime.fromMillis(1_000_000_000_000L));
        }
    }

    private static void verify(Path fresh, Path target) throws IOException {
        if (Files.isDirectory(fresh)) {
            try (var walk = Files.walk(fresh)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (Files.isRegularFile(p)
                            && Files.mismatch(p, target.resolve(fresh.relativize(p).toString())) != -1) {
                        throw new IOException("differs after the sync: " + p);
                    }
                }
            }
        } else if (Files.mismatch(fresh, target) != -1) {
            throw new IOException("differs after the sync: " + target);
        }
    }

    private static long number(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : -1;
    }

    private static JsonNode summaryOf(String output) throws IOException {
        List<String> lines = output.strip().lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("{") && lines.get(i).contains("\"summary\"")) {
                return JSON.readTree(lines.get(i));
            }
        }
        throw new IOException("no summary in: " + output);
    }

    /** {@code base} with 1000 random 16-byte insertions, streamed (the benchmark holds no file in memory). */
    private static Path insertions(Path base, Path out) throws IOException {
        Random r = new Random(31);
        int[] at = r.ints(1000, 0, Math.toIntExact(Files.size(base))).sorted().toArray(); // as when it was an array
        byte[] bytes = new byte[16];
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(base), 1 << 20);
                OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            long from = 0;
            for (int offset : at) {
                copy(in, o, offset - from);
                r.nextBytes(bytes);
                o.write(bytes);
                from = offset;
            }
            in.transferTo(o);
        }
        return out;
    }

    private static void copy(java.io.InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        while (n > 0) {
            int k = in.readNBytes(buf, 0, (int) Math.min(buf.length, n));
            if (k <= 0) {
                throw new IOException("the base file ended early");
            }
            out.write(buf, 0, k);
            n -= k;
        }
    }

    /** A copy of {@code base} with 1000 random 4 KiB blocks overwritten in place. */
    private static Path overwrites(Path base, Path out) throws IOException {
        Files.copy(base, out);
        Random r = new Random(37);
        byte[] block = new byte[4096];
        int blocks = Math.toIntExact(Files.size(out) / 4096);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(out,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (int i = 0; i < 1000; i++) {
                r.nextBytes(block);
                ch.write(java.nio.ByteBuffer.wrap(block), (long) r.nextInt(blocks) * 4096);
            }
        }
        return out;
    }

    /** {@code base} with 64 MiB of random bytes appended. */
    private static Path appended(Path base, Path out) throws IOException {
        Files.copy(base, out);
        try (OutputStream o = Files.newOutputStream(out, java.nio.file.StandardOpenOption.APPEND)) {
            byte[] more = new byte[1 << 20];
            Random r = new Random(23);
            for (int i = 0; i < 64; i++) {
                r.nextBytes(more);
                o.write(more);
            }
        }
        return out;
    }

    private static Path unpack(String jarInM2, Path dir) throws IOException {
        Path jar = Path.of(System.getProperty("user.home"), ".m2/repository", jarInM2);
        if (!Files.exists(jar)) {
            throw new IOException(jar + " is missing: mvn dependency:get -Dartifact=org.bouncycastle:bcprov-jdk18on:"
                    + "VERSION:jar:sources (scripts/bench-delta does it)");
        }
        return unpackJar(jar, dir);
    }

    /** The files of a jar under {@code dir}, with the times of unpacking (see below). */
    static Path unpackJar(Path jar, Path dir) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                Path to = dir.resolve(e.getName()).normalize();
                if (!to.startsWith(dir)) {
                    continue;
                }
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    // Times of unpacking, not the jar's: both releases are built reproducibly with one
                    // fixed timestamp, and a same-size change would then pass rsync's quick check.
                    Files.copy(zip, to);
                }
            }
        }
        return dir;
    }

    private static Path tar(Path dir, Path into) throws IOException, InterruptedException {
        Files.createDirectories(into);
        Path tar = into.resolve(dir.getFileName() + ".tar");
        Process p = new ProcessBuilder("tar", "-cf", tar.toString(), "-C", dir.getParent().toString(),
                dir.getFileName().toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("tar failed");
        }
        return tar;
    }

    /** A SQLite database of about 100 MB, and the same after updating 2% of its rows and adding 1%. */
    private static Path sqlite(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path before = dir.resolve("before.sqlite");
        Path after = dir.resolve("after.sqlite");
        String script = String.join("\n",
                "import random, sqlite3, shutil, sys",
                "random.seed(41)",
                "db = sqlite3.connect(sys.argv[1])",
                "db.execute('create table t (id integer primary key, name text, score real, body blob)')",
                "db.executemany('insert into t values (?,?,?,?)', ((i, 'name%d' % i, random.random(), "
                        + "random.randbytes(400)) for i in range(200000)))",
                "db.commit(); db.close()",
                "shutil.copy(sys.argv[1], sys.argv[2])",
                "db = sqlite3.connect(sys.argv[2])",
                "db.executemany('update t set score = ?, body = ? where id = ?', ((random.random(), "
                        + "random.randbytes(400), random.randrange(200000)) for _ in range(4000)))",
                "db.executemany('insert into t values (?,?,?,?)', ((200000 + i, 'new%d' % i, random.random(), "
                        + "random.randbytes(400)) for i in range(2000)))",
                "db.commit(); db.close()");
        Process p = new ProcessBuilder("python3", "-c", script, before.toString(), after.toString()).inheritIO()
                .start();
        if (p.waitFor() != 0) {
            throw new IOException("python3 could not build the SQLite databases");
        }
        return dir;
    }

    private void write(Path md, String args) throws IOException {
        StringBuilder s = new StringBuilder("# Delta sync: ferry sync against rsync\n\n");
        s.append("Reproduce with `scripts/bench-delta").append(args.isBlank() ? "" : " " + args).append("`. ")
                .append("Each case puts the old version at the target, then brings it to the new version: `rsync -a` ")
                .append("over OpenSSH to sshd, `ferry sync` to ferryd, on one loopback, files on tmpfs, cipher ")
                .append("aes128-gcm for both, medians of the runs (the tools take turns run by run). Bytes are each ")
                .append("tool's own count of what it sent ")
                .append("and received (rsync's --stats, ferry's --json), SSH's framing not included in either.\n\n");
        for (String n : notes) {
            s.append("- ").append(n).append('\n');
        }
        s.append("\nMemory: the client's peak resident set (rsync's local process, or ferry's JVM) and ferryd's "
                + "peak during the run (its high-water mark reset before each); rsync's server side is not measured. "
                + "CPU: the client's (for rsync its local process and the ssh it runs) and ferryd's, user + system.\n");
        s.append("\n| case | tool | wall s | x rsync | CPU s | bytes sent | bytes received | literal bytes "
                + "| reused bytes | ferryd CPU s | client MiB | ferryd MiB | runs |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            // against rsync on a connection of the same kind: new, or reused
            boolean reused = r.tool().endsWith("reused connection");
            double anchor = rows.stream().filter(a -> a.caseName().equals(r.caseName()) && a.tool().startsWith("rsync")
                    && a.tool().endsWith("reused connection") == reused).mapToDouble(Row::seconds).findFirst()
                    .orElse(Double.NaN);
            s.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %d | %d | %s | %s | %s | %.0f | %s | %d |%n",
                    r.caseName(), r.tool(), r.seconds(), r.seconds() / anchor, r.cpuSeconds(), r.sent(), r.received(),
                    r.literal() < 0 ? "" : String.valueOf(r.literal()), r.matched() < 0 ? "" : String.valueOf(r.matched()),
                    r.serverCpuSeconds() < 0 ? "" : String.format(Locale.ROOT, "%.2f", r.serverCpuSeconds()), r.clientMib(), r.serverMib() < 0 ? "" : String.format(Locale.ROOT, "%.0f", r.serverMib()), r.runs()));
        }
        // The sections after the table are the analysis, written by hand: they stay.
        if (Files.exists(md)) {
            String before = Files.readString(md);
            int analysis = before.indexOf("\n## ");
            if (analysis >= 0) {
                s.append(before.substring(analysis));
            }
        }
        Files.writeString(md, s.toString());
    }
}
