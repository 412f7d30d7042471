package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.ferry.bench.ScaleOutBenchmark.Measured;
import dev.ferry.bench.ScaleOutBenchmark.Plan;
import dev.ferry.bench.ScaleOutBenchmark.Setup;

/** Writes {@link ScaleOutBenchmark}'s figures as markdown: how they were taken, a table per count of nodes, a reading. */
final class ScaleReport {

    private static final double GIB = 1 << 30;

    private ScaleReport() {
    }

    /** What the report says about the run besides its figures. */
    record Context(String args, String loadBefore, String loadAfter, String machine, double minutes) {
    }

    /** The machine and the programs: cores, memory, CPU model, ferryd's JDK, OpenSSH, HAProxy. */
    static String machine(String ferrydJava) throws IOException, InterruptedException {
        long memKib = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        String java = TransferBenchmark.version(List.of(ferrydJava, "-version")).lines()
                .filter(l -> l.contains("version")).findFirst().orElse(ferrydJava);
        return fmt("%d cores (%s), %.0f GiB RAM; ferryd on %s (the launcher's pick, %s); %s; %s",
                Runtime.getRuntime().availableProcessors(), model, memKib / (double) (1 << 20), java, ferrydJava,
                TransferBenchmark.version(List.of("ssh", "-V")),
                TransferBenchmark.version(List.of("/usr/sbin/haproxy", "-v")).lines().findFirst().orElse("HAProxy"));
    }

    /** The run of median MB/s among a setup's runs: what the summary shows. */
    static Measured median(Setup s, Plan plan) {
        List<Measured> sorted = s.runs().stream().sorted(Comparator.comparingDouble(m -> m.mbps(plan))).toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** One line for the console per count of nodes. */
    static String summary(Plan plan, Setup s, Setup first) {
        Measured m = median(s, plan);
        return fmt("%d node(s): %.1f s, %.0f MB/s (x%.2f of %d node(s)), ferryd CPU %s s, haproxy %.1f s, clients %.1f s, "
                + "other %.1f s, machine busy %.0f%%, peak RSS MiB %s, uploads per node %s, errors %d%s", s.nodes(),
                m.seconds(), m.mbps(plan), m.mbps(plan) / median(first, plan).mbps(plan), first.nodes(),
                join(m.nodeCpu(), "%.1f"), m.haproxyCpu(), m.clientsCpu(), m.otherCpu(), 100 * m.busyFraction(),
                join(s.peakRssKib().stream().map(k -> k >> 10).toList(), "%d"), join(m.nodeUploads(), "%d"),
                m.errors().size(), m.errors().isEmpty() ? "" : ": " + m.errors());
    }

    static void write(Path md, Plan plan, List<Setup> setups, Context c) throws IOException {
        Setup first = setups.get(0);
        double gib = plan.totalBytes() / GIB;
        StringBuilder s = new StringBuilder("# Scale-out: uploads through HAProxy to one and to two ferryd nodes\n\n");
        long minutes = Math.max(1, Math.round(c.minutes()));
        s.append(fmt("Reproduce with `scripts/bench-scale%s` (about %d minute%s; writes this file). %d OpenSSH sftp clients "
                + "upload %d MiB each at once (%.1f GiB in all) through HAProxy to %s ferryd node(s) in turn.%n%n",
                c.args().isBlank() ? "" : " " + c.args(), minutes, minutes == 1 ? "" : "s", plan.clients(), plan.bytes() >> 20, gib,
                plan.nodes().stream().map(String::valueOf).collect(Collectors.joining(", then "))));
        s.append(plan.runs() == 1 ? "" : fmt("- %d runs; the counts of nodes take turns run by run (fresh processes and "
                + "a warm-up each time), so that the machine's other load over the minutes falls on each alike.%n",
                plan.runs()));
        s.append("- HAProxy in TCP mode (`balance leastconn`, `send-proxy-v2`, its default threads: one a core) ")
                .append("listens on ").append(ScaleOutBenchmark.BALANCER).append("; each ferryd node is its own process ")
                .append("through the `./ferryd` launcher (its defaults: a 2 GiB heap, the serial collector), with ")
                .append("`--proxy-protocol-from 127.0.0.1/32`, one shared host key (`--host-key`), one shared users ")
                .append("file (`--config`) and one shared root on tmpfs (/dev/shm); the uploaded files are deleted ")
                .append("between runs.\n");
        s.append("- The clients are OpenSSH's `sftp -b` (C: forty client JVMs would measure the clients), key ")
                .append("login, cipher ").append(ScaleOutBenchmark.CIPHER).append(", from ").append(plan.sources())
                .append(" loopback addresses (127.0.0.10 and up), each `put`ting one source file (random bytes, on ")
                .append("tmpfs) under its own name. All start at once under one shell run by GNU time, whose ")
                .append("elapsed time is the wall time (logins included) and whose children's CPU is the clients' ")
                .append("(sftp, its ssh, the shell). Every client must exit 0 and every landed file have the size; ")
                .append("the first and the last file's SHA-256 is compared with the source's.\n");
        s.append(fmt("- Before the measured runs, each node warms up (not measured): %d uploads a node of %d MiB at once "
                + "through the balancer, so that the JIT has compiled the server's hot code.%n",
                Plan.WARM_UPS_PER_NODE, Math.min(Plan.WARM_UP_BYTES, plan.bytes()) >> 20));
        s.append("- CPU seconds (user + system) of each node and of HAProxy come from /proc/PID/stat before and after ")
                .append("a run; the machine's busy time from /proc/stat (all processes, all cores): what it has beyond ")
                .append("the nodes, HAProxy and the clients is *other* (this benchmark's own JVM waits meanwhile, so ")
                .append("other is other people's processes, and the kernel's interrupt time where it is not charged ")
                .append("to a process). Peak RSS is each node's VmHWM from its start ")
                .append("(warm-up included), the highest over the runs.\n");
        s.append("- The machine: ").append(c.machine()).append(". Other sessions may share it: their CPU is the ")
                .append("other column (load average before: `").append(c.loadBefore()).append("`; after: `")
                .append(c.loadAfter()).append("`; the load average after counts this run's own clients, an sftp and ")
                .append("an ssh each).\n\n");

        s.append("## Summary\n\n| nodes | wall s | aggregate MB/s | x 1 node | ferryd CPU-s (per node) | ferryd CPU-s/GiB ")
                .append("| of it GC | HAProxy CPU-s/GiB | clients CPU-s/GiB | other CPU-s | machine busy | cores the path had | ceiling MB/s | ")
                .append("peak RSS MiB per node |\n|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Setup setup : setups) {
            Measured m = median(setup, plan);
            s.append(fmt("| %d | %.1f | %.0f | %.2f | %.1f (%s) | %.2f | %.0f%% | %.2f | %.2f | %.1f | %.0f%% | %.2f | %.0f | %s |%n",
                    setup.nodes(), m.seconds(), m.mbps(plan), m.mbps(plan) / median(first, plan).mbps(plan),
                    m.ferrydCpu(), join(m.nodeCpu(), "%.1f"), m.ferrydCpu() / gib, 100 * m.gcSeconds() / m.ferrydCpu(),
                    m.haproxyCpu() / gib,
                    m.clientsCpu() / gib, m.otherCpu(), 100 * m.busyFraction(), m.pathCores(), ceiling(plan, m),
                    join(setup.peakRssKib().stream().map(k -> k >> 10).toList(), "%d")));
        }
        s.append("\n*x 1 node*: against the first row. *Of it GC*: the share of ferryd's CPU its collector took (the ")
                .append("serial collector's, from the nodes' GC logs). *Cores the path had*: the CPU-s of the nodes, HAProxy and the ")
                .append("clients over the wall time. *Ceiling*: the MB/s the machine's cores would carry if this path ")
                .append("(nodes, HAProxy, clients) had them all, at the CPU per GiB measured: cores x GiB / CPU-s.")
                .append(plan.runs() > 1 ? " With several runs the summary shows the run of median MB/s." : "")
                .append("\n\n");
        s.append(reading(plan, setups));

        for (Setup setup : setups) {
            s.append(fmt("%n## %d node%s%n%n| figure |", setup.nodes(), setup.nodes() == 1 ? "" : "s"));
            setup.runs().forEach(m -> s.append(" run ").append(m.run()).append(" |"));
            s.append("\n|---|").append("---:|".repeat(setup.runs().size())).append('\n');
            row(s, setup, "clients x size", m -> plan.clients() + " x " + (plan.bytes() >> 20) + " MiB");
            row(s, setup, "wall time, s", m -> fmt("%.1f", m.seconds()));
            row(s, setup, "first client done after, s", m -> fmt("%.1f", m.firstEndSeconds()));
            row(s, setup, "aggregate MB/s", m -> fmt("%.0f", m.mbps(plan)));
            row(s, setup, "x " + first.nodes() + " node(s)", m -> fmt("%.2f", m.mbps(plan) / median(first, plan).mbps(plan)));
            row(s, setup, "uploads done per node", m -> join(m.nodeUploads(), "%d"));
            row(s, setup, "ferryd CPU-s per node", m -> join(m.nodeCpu(), "%.1f"));
            row(s, setup, "ferryd CPU-s, all nodes (per GiB)", m -> fmt("%.1f (%.2f)", m.ferrydCpu(), m.ferrydCpu() / gib));
            row(s, setup, "ferryd GC per node: young + full collections, CPU-s (pauses s)", m -> m.nodeGc().stream()
                    .map(g -> fmt("%d + %d, %.1f (%.1f)", g.young(), g.full(), g.cpuSeconds(), g.pauseSeconds()))
                    .collect(Collectors.joining(" / ")));
            row(s, setup, "HAProxy CPU-s (per GiB)", m -> fmt("%.1f (%.2f)", m.haproxyCpu(), m.haproxyCpu() / gib));
            row(s, setup, "clients CPU-s (per GiB), of it system", m -> fmt("%.1f (%.2f), %.1f", m.clientsCpu(),
                    m.clientsCpu() / gib, m.clientsSystemCpu()));
            row(s, setup, "machine busy CPU-s (share of its cores)", m -> fmt("%.1f (%.0f%%)", m.busyCpu(),
                    100 * m.busyFraction()));
            row(s, setup, "other processes' CPU-s", m -> fmt("%.1f", m.otherCpu()));
            row(s, setup, "cores the path had (its CPU-s / wall s)", m -> fmt("%.2f", m.pathCores()));
            row(s, setup, "peak RSS per node, MiB", m -> join(setup.peakRssKib().stream().map(k -> k >> 10).toList(), "%d"));
            row(s, setup, "errors", m -> String.valueOf(m.errors().size()));
            if (setup.runs().stream().anyMatch(m -> !m.errors().isEmpty())) {
                s.append("\nErrors:\n\n");
            }
            setup.runs().forEach(m -> m.errors().forEach(e -> s.append("- run ").append(m.run()).append(": ")
                    .append(e.replace('\n', ' ')).append('\n')));
            if (!setup.transport().isEmpty()) {
                s.append("\nWhat a connection negotiated (node 1's log): `").append(setup.transport()).append("`\n");
            }
        }
        Files.writeString(md, s.toString());
    }

    /** The sentences that read the figures: the gain, where the CPU went, what the collector's pauses cost. */
    static String reading(Plan plan, List<Setup> setups) {
        double gib = plan.totalBytes() / GIB;
        Setup first = setups.get(0);
        Measured one = median(first, plan);
        StringBuilder s = new StringBuilder("## Reading\n\n");
        for (Setup setup : setups.subList(1, setups.size())) {
            Measured m = median(setup, plan);
            s.append(fmt("%d nodes carried %.0f MB/s against %.0f with %d (x%.2f; all runs: %s against %s); the path had "
                    + "%.2f cores against %.2f. ", setup.nodes(), m.mbps(plan), one.mbps(plan), first.nodes(),
                    m.mbps(plan) / one.mbps(plan), join(setup.runs().stream().map(r -> r.mbps(plan)).toList(), "%.0f"),
                    join(first.runs().stream().map(r -> r.mbps(plan)).toList(), "%.0f"), m.pathCores(), one.pathCores()));
        }
        for (Setup setup : setups) {
            Measured m = median(setup, plan);
            double ours = m.pathCpu();
            double pauses = m.nodeGc().stream().mapToDouble(ScaleOutBenchmark.Gc::pauseSeconds).sum();
            s.append(fmt("With %d node%s, of the %.0f CPU-s the path used (%.2f a GiB) ferryd took %.0f%% (of it %.0f%% "
                    + "in its garbage collector), the clients %.0f%% and HAProxy %.0f%%, while other processes took "
                    + "%.0f CPU-s; the collector's pauses lasted %.1f times its CPU, and stopped each node for %.0f%% of "
                    + "the run on average. ", setup.nodes(), setup.nodes() == 1 ? "" : "s", ours, ours / gib,
                    100 * m.ferrydCpu() / ours, 100 * m.gcSeconds() / m.ferrydCpu(), 100 * m.clientsCpu() / ours,
                    100 * m.haproxyCpu() / ours, m.otherCpu(), pauses / m.gcSeconds(),
                    100 * pauses / setup.nodes() / m.seconds()));
        }
        s.append(fmt("%n%nOn %d cores the nodes, the clients and HAProxy share the same cores: a second node brings no core "
                + "of its own, so the aggregate is bounded by the cores over the whole path's CPU per GiB (the ceiling "
                + "column), and two nodes can gain only what one node leaves of the cores idle.%n",
                Runtime.getRuntime().availableProcessors()));
        s.append(MECHANISMS);
        return s.toString();
    }

    /** What the figures of every run here showed, beyond what the tables say; and one experiment, dated. */
    private static final String MECHANISMS = """

            - **What a second node cannot give here: cores.** Two nodes balanced the uploads evenly (the uploads
              row) and served one root, one host key and one users file correctly (every upload whole, the
              sampled checksums equal), but every process of the path ran on the same two cores, shared besides
              with whatever else ran (the other column; Linux shares the cores between sessions, so a run
              has about its fair share of them: the cores the path had). Scale-out adds the cores of the machines the
              nodes run on; this box can show the balancing and the sharing, not that gain.
            - **ferryd's young generation.** One sftp upload alone costs ferryd 1.6 CPU-s a GiB
              (docs/benchmarks.md); forty at once make its collector work (the GC row). The launcher gives
              ferryd a young generation of a quarter of its heap (`-Xmn512m`, scripts/jvm.bash). Until
              2026-12-06 it gave ferryd the client's `-Xmn64m`, chosen for one copy at a time: a young
              collection every ~50 MB uploaded, each copying the bytes in flight (up to the receive budget, a
              quarter of the heap) and promoting them, so that the old generation grew to the 2 GiB heap; the
              experiment below measured the change.
            - **The clients' CPU grows with their number on two cores.** One OpenSSH sftp upload costs its
              client about 1 CPU-s a GiB (docs/benchmarks.md); forty at once, each an sftp and an ssh process
              passing every packet through a pipe, cost several times that (the clients row), the more so the
              faster the servers drain them: each process wakes for less data at a time.
            - **The collector's pauses stretch on a crowded machine.** The serial collector stops the node, and
              its one thread then waits for a core among the clients, HAProxy, the other node and the other
              sessions. With one node, a pause soon stops all the clients too (their windows fill), which frees
              the cores for the collector; with two, the other node and its clients keep the cores busy, so each
              pause lasts several times its CPU (the reading above), during which that node's uploads stand
              still.
            - **An experiment (not in the script; 2026-12-06, on the same shared machine):** 40 uploads of 64 MiB
              (`scripts/bench-scale --quick --clients=40 --size-mib=64`), twice with the launcher's options and
              twice with `-Xmn512m` added after them (a `FERRY_JAVA` wrapper that inserts it before `-jar`). One
              node: ferryd's CPU 12.4 and 13.5 s against 9.4 and 7.9 s, of it the collector's 4.6 and 4.4 s (56
              collections) against 0.9 and 0.7 s (7); its peak RSS 1.4 GiB against 0.7 GiB; 118 and 115 MB/s
              against 140 and 189. Two nodes: ferryd's CPU 15.7 and 11.0 s against 11.0 and 10.6 s; the
              aggregate stayed within the noise (93 and 120 MB/s against 97 and 106). Hence ferryd's
              `-Xmn512m` (not ferry's: its single copy measured best with 64 MiB).
            """;

    private static double ceiling(Plan plan, Measured m) {
        double perGib = m.pathCpu() / (plan.totalBytes() / GIB);
        return Runtime.getRuntime().availableProcessors() / perGib * GIB / 1e6;
    }

    private static void row(StringBuilder s, Setup setup, String name, Function<Measured, String> value) {
        s.append("| ").append(name).append(" |");
        setup.runs().forEach(m -> s.append(' ').append(value.apply(m)).append(" |"));
        s.append('\n');
    }

    private static String join(List<? extends Number> values, String format) {
        return values.stream().map(v -> fmt(format, v)).collect(Collectors.joining(" / "));
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
