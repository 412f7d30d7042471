package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ferry.it.support.FerrydProcess;
import dev.ferry.security.KeyFiles;

/**
 * ferryd under load: many authenticated sessions uploading, downloading and verifying while a flood
 * of connections that never authenticate hits the same listener ({@link LoadPlan}, {@link LoadRun},
 * {@link Flood}). ferryd runs as its own process through the {@code ./ferryd} launcher, as a user
 * runs it, so that its memory and CPU are its own. Writes {@code docs/benchmarks-load.md}.
 *
 * <p>Run with {@code scripts/bench-load} (options: --sessions=200 --sources=50 --rounds=3
 * --size-kib=4096 --flood=1000 --flood-sources=50 --users=20 --dir=/dev/shm/ferry-load).
 */
public final class LoadBenchmark {

    private static final Pattern EVENT = Pattern.compile("\"event\":\"([a-z-]+)\"");
    private static final Pattern REASON = Pattern.compile("\"reason\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    private LoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Options opts = Options.parse(args);
        Path repo = opts.repo();
        LoadPlan f = LoadPlan.FULL;
        LoadPlan plan = new LoadPlan(Integer.parseInt(opts.get("sessions", "" + f.sessions())),
                Integer.parseInt(opts.get("sources", "" + f.sources())), Integer.parseInt(opts.get("rounds", "" + f.rounds())),
                Long.parseLong(opts.get("size-kib", "" + (f.fileBytes() >> 10))) << 10,
                Integer.parseInt(opts.get("flood", "" + f.flood())),
                Integer.parseInt(opts.get("flood-sources", "" + f.floodSources())),
                Integer.parseInt(opts.get("users", "" + f.users())));
        Path dir = Path.of(opts.get("dir", "/dev/shm/ferry-load"));
        String uptimeBefore = uptime();
        TransferBenchmark.deleteTree(dir);
        KeyPair key = prepare(dir, plan);
        LoadRun.Result result;
        List<String> log;
        try (FerrydProcess ferryd = FerrydProcess.launch(dir, List.of(repo.resolve("ferryd").toString(), "--config",
                dir.resolve("users.yaml").toString(), "--state-dir", dir.resolve("state").toString(), "--listen",
                "127.0.0.1:0", "--log-format", "json"))) {
            result = new LoadRun(ferryd.port(), ferryd.pid(), fingerprint(ferryd), key, plan).run();
            log = ferryd.stderr();
        }
        Files.write(Path.of(opts.get("log", "/tmp/ferry-load-ferryd.log")), log);
        String uptimeAfter = uptime();
        System.out.println(String.join("\n", summary(result, log)));
        write(repo.resolve("docs/benchmarks-load.md"), result, log, opts.shown(), uptimeBefore, uptimeAfter);
        TransferBenchmark.deleteTree(dir);
    }

    /** Writes a users file of {@code plan.users()} users (roots under {@code dir}) who log in with one new key. */
    static KeyPair prepare(Path dir, LoadPlan plan) throws IOException {
        Files.createDirectories(dir.resolve("state"));
        KeyPair key = KeyFiles.loadOrGenerateEd25519(dir.resolve("id_ed25519"));
        StringBuilder yaml = new StringBuilder("users:\n");
        for (int u = 0; u < plan.users(); u++) {
            String name = LoadRun.user(u, plan);
            Files.createDirectories(dir.resolve("roots").resolve(name));
            yaml.append("  ").append(name).append(":\n    root: roots/").append(name)
                    .append("\n    authorizedKeys:\n      - ").append(KeyFiles.publicKeyLine(key.getPublic(), "load"))
                    .append('\n');
        }
        Files.writeString(dir.resolve("users.yaml"), yaml);
        return key;
    }

    /** The host key fingerprint from ferryd's banner. */
    static String fingerprint(FerrydProcess ferryd) {
        return ferryd.stdout().stream().filter(l -> l.startsWith("host key ")).map(l -> l.split(" ")[2]).findFirst()
                .orElseThrow(() -> new IllegalStateException("no host key in ferryd's banner: " + ferryd.stdout()));
    }

    /** ferryd's log events by kind, and connection-refused by reason ({@code connection-refused: REASON}). */
    static Map<String, Integer> events(List<String> log) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : log) {
            Matcher m = EVENT.matcher(line);
            if (!m.find()) {
                continue;
            }
            counts.merge(m.group(1), 1, Integer::sum);
            Matcher r = REASON.matcher(line);
            if (m.group(1).equals("connection-refused") && r.find()) {
                counts.merge("connection-refused: " + r.group(1), 1, Integer::sum);
            }
        }
        return counts;
    }

    static List<String> summary(LoadRun.Result r, List<String> log) {
        List<String> lines = new ArrayList<>();
        lines.add(r.plan().describe());
        lines.add(String.format(Locale.ROOT, "sessions ok %d/%d, files verified %d/%d, errors %d, %.1f s",
                r.sessionsOk(), r.plan().sessions(), r.verified(), r.plan().sessions() * r.plan().rounds(),
                r.errors().size(), r.seconds()));
        Map<String, Integer> kinds = new TreeMap<>();
        r.errors().forEach(e -> kinds.merge(e.replaceFirst("^session \\d+ \\(\\S+\\) ", ""), 1, Integer::sum));
        kinds.forEach((e, n) -> lines.add("  " + n + " x " + e));
        r.floodFailures().stream().limit(3).forEach(e -> lines.add("  flood could not connect: " + e));
        lines.add(String.format(Locale.ROOT, "aggregate MB/s: up %.0f, down %.0f, both over the wall time %.0f",
                r.upMBps(), r.downMBps(), (r.bytesUp() + r.bytesDown()) / r.seconds() / 1e6));
        lines.add(String.format(Locale.ROOT, "ferryd RSS MiB: start %d, peak %d (sampled max %d); threads max %d; "
                + "CPU %.1f s", r.startRssKib() >> 10, r.peakRssKib() >> 10, r.maxSampledRssKib() >> 10, r.maxThreads(),
                r.cpuSeconds()));
        lines.add("logins without the flood: " + timings(r.logins(), l -> !l.underFlood()));
        lines.add("logins under the flood:   " + timings(r.logins(), LoadRun.Login::underFlood));
        FloodCounts fc = FloodCounts.of(r);
        lines.add(fc.describe());
        for (Flood.Kind kind : Flood.Kind.values()) {
            lines.add("  " + kind + ": " + FloodCounts.of(r, kind).describe());
        }
        lines.add("ferryd's log: " + events(log));
        lines.add(r.lateLoginMs() >= 0 ? String.format(Locale.ROOT, "a new login right after: %.0f ms", r.lateLoginMs())
                : "a new login right after FAILED: " + r.lateLoginError());
        return lines;
    }

    static String timings(List<LoadRun.Login> logins, Predicate<LoadRun.Login> which) {
        List<LoadRun.Login> l = logins.stream().filter(which).toList();
        if (l.isEmpty()) {
            return "none";
        }
        double[] greet = l.stream().mapToDouble(LoadRun.Login::greetingMs).sorted().toArray();
        double[] login = l.stream().mapToDouble(LoadRun.Login::loginMs).sorted().toArray();
        return String.format(Locale.ROOT, "%d, greeting ms median %.0f p95 %.0f max %.0f; login ms median %.0f p95 %.0f max %.0f",
                l.size(), pct(greet, 50), pct(greet, 95), greet[greet.length - 1], pct(login, 50), pct(login, 95),
                login[login.length - 1]);
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /** The flood's connections by what ferryd did with them. */
    record FloodCounts(int attempts, int refused, double refusedMedianMs, int greeted, int closedByServer,
            double heldMedianS, double heldMaxS, int openAtStop, double openAtStopMaxS, int ownFailures) {

        static FloodCounts of(LoadRun.Result r) {
            return of(r, null);
        }

        /** The counts of one kind of flood connection, or of all when {@code kind} is null. */
        static FloodCounts of(LoadRun.Result r, Flood.Kind kind) {
            List<Flood.Outcome> all = r.flood().stream().filter(o -> kind == null || o.kind() == kind).toList();
            double[] refused = all.stream().filter(o -> !o.greeted() && o.byServer()).mapToDouble(Flood.Outcome::millis)
                    .sorted().toArray();
            double[] held = all.stream().filter(o -> o.greeted() && o.byServer()).mapToDouble(o -> o.millis() / 1000)
                    .sorted().toArray();
            double[] open = all.stream().filter(o -> !o.byServer()).mapToDouble(o -> o.millis() / 1000).sorted().toArray();
            int failures = kind == null ? r.floodFailures().size() : 0;
            return new FloodCounts(all.size() + failures, refused.length,
                    refused.length == 0 ? 0 : pct(refused, 50), (int) all.stream().filter(Flood.Outcome::greeted).count(),
                    held.length, held.length == 0 ? 0 : pct(held, 50), held.length == 0 ? 0 : held[held.length - 1],
                    open.length, open.length == 0 ? 0 : open[open.length - 1], failures);
        }

        String describe() {
            return String.format(Locale.ROOT, "flood: %d connections, %d refused before the greeting (median %.0f ms), "
                    + "%d greeted, of which %d closed by ferryd (held median %.1f s, max %.1f s); %d still open at the "
                    + "stop (oldest %.1f s); %d could not connect", attempts, refused, refusedMedianMs, greeted,
                    closedByServer, heldMedianS, heldMaxS, openAtStop, openAtStopMaxS, ownFailures);
        }
    }

    private static String uptime() {
        try {
            Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            return "uptime: " + e;
        }
    }

    private static void write(Path md, LoadRun.Result r, List<String> log, String args, String before, String after)
            throws IOException {
        StringBuilder s = new StringBuilder("# ferryd under load\n\n");
        s.append("TODO\n\n```\n").append(String.join("\n", summary(r, log))).append("\n```\n");
        s.append("\nLoad before: `").append(before).append("`; after: `").append(after).append("`.\n");
        s.append("\nReproduce with `scripts/bench-load").append(args.isBlank() ? "" : " " + args).append("`.\n");
        Files.writeString(md, s.toString());
    }
}
