package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

import dev.ferry.bench.TreeBenchmark.Row;

/**
 * Writes the tree benchmark's report: how to run it again, issue 17's targets against this run's
 * rows, what was capped, skipped or failed, then the copies, the syncs and the one-file yardstick.
 */
final class TreeReport {

    /** The stock tool each kind of row is held against, to sshd, in the same run. */
    private static final String COPY_ANCHOR = "scp -r";
    private static final String SYNC_ANCHOR = "rsync -a";
    private static final List<String> CHANGES = List.of(TreeBenchmark.NEW_TREE, TreeBenchmark.NO_CHANGE,
            TreeBenchmark.ONE_CHANGED);

    /** One of the targets on one row: {@code met} is empty when this run did not measure it. */
    record Check(String target, String row, String measured, Optional<Boolean> met) {
    }

    private TreeReport() {
    }

    static void write(Path md, String command, String duration, List<Row> rows, List<String> notes) throws IOException {
        StringBuilder s = new StringBuilder("# Trees: ferry cp -r and ferry sync -r against scp, sftp, rsync, lftp\n\n");
        s.append("Reproduce with `").append(command).append("` (").append(duration).append("; writes this file). ")
                .append("Issue 17's benchmark: each tool copies a tree to a new directory, up and down, to ferryd ")
                .append("and to OpenSSH's sshd, on one machine over loopback, RTT above 0 through the user-space ")
                .append("delay relay (`dev.ferry.relay.TcpRelay`; no netem here), files on tmpfs, cipher ")
                .append("aes128-gcm@openssh.com for every tool, cold runs (a new connection and, for ferry, a new JVM ")
                .append("each), medians of the runs. Each received tree is listed and compared with its source ")
                .append("(every path and size) before its time counts.\n\n");
        targets(s, checks(rows));
        s.append("\n## Notes\n\n");
        for (String note : notes) {
            s.append("- ").append(note).append('\n');
        }
        copies(s, rows);
        syncs(s, rows);
        oneFile(s, rows);
        s.append("\nMB are 10^6 bytes, of the files' contents. Client CPU: user + system of the command and the ")
                .append("processes it ran (ssh), from GNU time. Server CPU: ferryd's process, or sshd's listener with ")
                .append("the per-connection processes it reaped (read after they are gone). Client RSS: the command's ")
                .append("largest resident set (or its largest child's). Server open files: the most file descriptors ")
                .append("ferryd (or sshd's per-connection processes together) held at a sample every 50 ms, its JVM's ")
                .append("own included. A row whose first run took over 30 s ran once.\n");
        Files.createDirectories(md.getParent());
        Files.writeString(md, s.toString());
    }

    // ---------------------------------------------------------------- targets

    /** The targets, each on the rows it speaks of, computed from this run's figures. */
    static List<Check> checks(List<Row> rows) {
        List<Check> checks = new ArrayList<>();
        // at RTT 0 on new connections, then with every tool's runs sharing one (ControlMaster), as scripts do
        for (String reused : List.of("", TreeTools.REUSED)) {
            String copyTarget = "RTT 0" + (reused.isEmpty() ? "" : ", reused connections")
                    + ": ferry cp -r at least 2x scp -r's MB/s";
            for (String tree : List.of("a", "b")) {
                for (String server : List.of("ferryd", "sshd")) {
                    for (String direction : List.of(TreeBenchmark.UP, TreeBenchmark.DOWN)) {
                        checks.add(speedCheck(copyTarget, rows, tree, server, direction, 0, 2.0, reused));
                    }
                }
            }
            for (String change : CHANGES) {
                for (String server : List.of("ferryd", "sshd")) {
                    for (String direction : List.of(TreeBenchmark.UP, TreeBenchmark.DOWN)) {
                        checks.add(syncCheck(rows, change, server, direction, reused));
                    }
                }
            }
        }
        for (String server : List.of("ferryd", "sshd")) {
            for (String direction : List.of(TreeBenchmark.UP, TreeBenchmark.DOWN)) {
                checks.add(oneFileCheck(rows, server, direction));
            }
        }
        for (String server : List.of("ferryd", "sshd")) {
            for (String direction : List.of(TreeBenchmark.UP, TreeBenchmark.DOWN)) {
                checks.add(speedCheck("RTT 50 ms: ferry cp -r at least 10x scp -r's MB/s", rows, "a", server,
                        direction, 50, 10.0, ""));
            }
        }
        return checks;
    }

    /** @param reused "" for rows of new connections, {@link TreeTools#REUSED} for those of kept ones */
    private static Check speedCheck(String target, List<Row> rows, String tree, String server, String direction,
            int rtt, double factor, String reused) {
        String where = "(" + tree + ") to " + server + ", " + direction;
        Optional<Row> ferry = find(rows, copy("ferry cp -r" + reused, server, tree, direction, rtt));
        Optional<Row> scp = find(rows, copy(COPY_ANCHOR + reused, "sshd", tree, direction, rtt));
        if (ferry.isEmpty() || scp.isEmpty()) {
            return new Check(target, where, "", Optional.empty());
        }
        double ratio = ferry.get().mbps() / scp.get().mbps();
        String anchorPart = scp.get().part().isEmpty() ? "" : " (scp -r on its " + scp.get().part() + ")";
        return new Check(target, where, String.format(Locale.ROOT, "%.1f against %.1f MB/s%s: %.2fx",
                ferry.get().mbps(), scp.get().mbps(), anchorPart, ratio), Optional.of(ratio >= factor));
    }

    private static Check syncCheck(List<Row> rows, String change, String server, String direction, String reused) {
        String target = "RTT 0" + (reused.isEmpty() ? "" : ", reused connections") + ", tree (b), " + change
                + ": ferry sync -r at most 1.0x rsync -a's time";
        String where = "to " + server + ", " + direction;
        Optional<Row> ferry = find(rows, sync("ferry sync -r" + reused, server, change, direction, 0));
        Optional<Row> rsync = find(rows, sync(SYNC_ANCHOR + reused, "sshd", change, direction, 0));
        if (ferry.isEmpty() || rsync.isEmpty()) {
            return new Check(target, where, "", Optional.empty());
        }
        double ratio = ferry.get().seconds() / rsync.get().seconds();
        return new Check(target, where, String.format(Locale.ROOT, "%.2f s against %.2f s: %.2fx",
                ferry.get().seconds(), rsync.get().seconds(), ratio), Optional.of(ratio <= 1.0));
    }

    private static Check oneFileCheck(List<Row> rows, String server, String direction) {
        String target = "RTT 50 ms, tree (a): ferry cp -r at least 50% of one file's MB/s (ferry cp, same size)";
        String where = "to " + server + ", " + direction;
        Optional<Row> tree = find(rows, copy("ferry cp -r", server, "a", direction, 50));
        Optional<Row> one = find(rows, oneFile(server, direction, 50));
        if (tree.isEmpty() || one.isEmpty()) {
            return new Check(target, where, "", Optional.empty());
        }
        double share = tree.get().mbps() / one.get().mbps();
        return new Check(target, where, String.format(Locale.ROOT, "%.1f against %.1f MB/s: %.0f%%", tree.get().mbps(),
                one.get().mbps(), share * 100), Optional.of(share >= 0.5));
    }

    private static void targets(StringBuilder s, List<Check> checks) {
        long measured = checks.stream().filter(c -> c.met().isPresent()).count();
        long met = checks.stream().filter(c -> c.met().orElse(false)).count();
        s.append("## Issue 17's targets in this run\n\n");
        s.append(String.format(Locale.ROOT, "Met %d of the %d measured (%d not measured in this run). Held against "
                + "scp -r and rsync -a to sshd; ferry to each server.%n%n", met, measured, checks.size() - measured));
        s.append("| target | row | measured | met |\n|---|---|---|---|\n");
        for (Check c : checks) {
            s.append("| ").append(c.target()).append(" | ").append(c.row()).append(" | ")
                    .append(c.met().isPresent() ? c.measured() : "not measured").append(" | ")
                    .append(c.met().map(m -> m ? "yes" : "**no**").orElse("")).append(" |\n");
        }
    }

    // ---------------------------------------------------------------- tables

    private static void copies(StringBuilder s, List<Row> rows) {
        s.append("\n## Copies of a new tree\n\n");
        s.append("x scp -r: this row's MB/s over scp -r's to sshd (same tree, direction and RTT; a reused connection's "
                + "row over scp -r's on a reused connection). rsync -a and ferry sync -r here sync into an empty "
                + "directory.\n\n");
        s.append("| tree | tool | server | direction | RTT ms | files | MB | wall s | MB/s | files/s | x scp -r "
                + "| client CPU s | server CPU s | client RSS MiB | server open files | runs |\n");
        s.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            if (!r.change().equals(TreeBenchmark.NEW_TREE)) {
                continue;
            }
            String ratio = find(rows, copy(COPY_ANCHOR + reusedPart(r.tool()), "sshd", r.tree(), r.direction(), r.rttMs()))
                    .map(a -> String.format(Locale.ROOT, "%.2f", r.mbps() / a.mbps())).orElse("");
            s.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %s | %d | %d | %.1f | %.2f | %.1f | %.0f | %s | %.2f | %.2f | %d | %d | %d |%n",
                    r.tree() + (r.part().isEmpty() ? "" : " (" + r.part() + ")"), r.tool(), r.server(), r.direction(),
                    r.rttMs(), r.files(), r.bytes() / 1e6, r.seconds(), r.mbps(), r.filesPerSecond(), ratio,
                    r.clientCpu(), r.serverCpu(), r.clientRssMib(), r.serverOpenFiles(), r.runs()));
        }
    }

    private static void syncs(StringBuilder s, List<Row> rows) {
        List<Row> syncs = rows.stream().filter(r -> r.tree().equals("b") && isSyncTool(r.tool())
                && CHANGES.contains(r.change())).sorted(Comparator.comparingInt(Row::rttMs)
                        .thenComparingInt(r -> CHANGES.indexOf(r.change())).thenComparing(Row::direction,
                                Comparator.reverseOrder()).thenComparing(r -> !r.tool().equals(SYNC_ANCHOR))
                        .thenComparing(Row::server, Comparator.reverseOrder())).toList();
        if (syncs.isEmpty()) {
            return;
        }
        s.append("\n## Syncs of the source tree (b)\n\n");
        s.append("New tree: into an empty directory (the same runs as in the copies above); nothing changed: the "
                + "target already in sync (the tool's own sync put it there); one file changed: a line appended to "
                + "one file of the source (its time now) before each run. x rsync -a: this row's wall time over "
                + "rsync -a's to sshd (on a reused connection for a reused connection's row; at most 1.0 is the "
                + "target).\n\n");
        s.append("| case | tool | server | direction | RTT ms | wall s | x rsync -a | client CPU s | server CPU s "
                + "| client RSS MiB | server open files | runs |\n");
        s.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : syncs) {
            String ratio = find(rows, sync(SYNC_ANCHOR + reusedPart(r.tool()), "sshd", r.change(), r.direction(),
                    r.rttMs()))
                    .map(a -> String.format(Locale.ROOT, "%.2f", r.seconds() / a.seconds())).orElse("");
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %.2f | %s | %.2f | %.2f | %d | %d | %d |%n",
                    r.change(), r.tool(), r.server(), r.direction(), r.rttMs(), r.seconds(), ratio, r.clientCpu(),
                    r.serverCpu(), r.clientRssMib(), r.serverOpenFiles(), r.runs()));
        }
    }

    private static void oneFile(StringBuilder s, List<Row> rows) {
        List<Row> ones = rows.stream().filter(r -> r.change().equals(TreeBenchmark.ONE_FILE)).toList();
        if (ones.isEmpty()) {
            return;
        }
        s.append("\n## Tree (a) against one file of its size\n\n");
        s.append("`ferry cp` of one random file as large as tree (a), and `ferry cp -r` of the tree, same server, "
                + "direction and RTT (the tree's row is in the copies above).\n\n");
        s.append("| server | direction | RTT ms | MB | one file: wall s | one file: MB/s | tree (a): MB/s | tree / one "
                + "file | client CPU s | server CPU s | runs |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : ones) {
            Optional<Row> tree = find(rows, copy("ferry cp -r", r.server(), "a", r.direction(), r.rttMs()));
            s.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.2f | %.1f | %s | %s | %.2f | %.2f | %d |%n",
                    r.server(), r.direction(), r.rttMs(), r.bytes() / 1e6, r.seconds(), r.mbps(),
                    tree.map(t -> String.format(Locale.ROOT, "%.1f", t.mbps())).orElse(""),
                    tree.map(t -> String.format(Locale.ROOT, "%.0f%%", 100 * t.mbps() / r.mbps())).orElse(""),
                    r.clientCpu(), r.serverCpu(), r.runs()));
        }
    }

    // ---------------------------------------------------------------- finding rows

    private static boolean isSyncTool(String tool) {
        String base = tool.substring(0, tool.length() - reusedPart(tool).length());
        return base.equals(SYNC_ANCHOR) || base.equals("ferry sync -r");
    }

    private static Optional<Row> find(List<Row> rows, Predicate<Row> which) {
        return rows.stream().filter(which).findFirst();
    }

    /** A reused connection's rows are held against the anchor's over a reused connection. */
    private static String reusedPart(String tool) {
        return tool.endsWith(TreeTools.REUSED) ? TreeTools.REUSED : "";
    }

    private static Predicate<Row> copy(String tool, String server, String tree, String direction, int rtt) {
        return r -> r.change().equals(TreeBenchmark.NEW_TREE) && r.tool().equals(tool) && r.server().equals(server)
                && r.tree().equals(tree) && r.direction().equals(direction) && r.rttMs() == rtt;
    }

    private static Predicate<Row> sync(String tool, String server, String change, String direction, int rtt) {
        return r -> r.change().equals(change) && r.tool().equals(tool) && r.server().equals(server)
                && r.tree().equals("b") && r.direction().equals(direction) && r.rttMs() == rtt;
    }

    private static Predicate<Row> oneFile(String server, String direction, int rtt) {
        return r -> r.change().equals(TreeBenchmark.ONE_FILE) && r.server().equals(server)
                && r.direction().equals(direction) && r.rttMs() == rtt;
    }
}
