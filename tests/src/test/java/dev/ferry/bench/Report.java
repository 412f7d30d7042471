package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes the benchmark's table and chart into {@code docs/}: the numbers, then how to get them again. */
final class Report {

    private Report() {
    }

    /** Writes {@code name}.md and {@code name}-rtt.png into {@code docs}. */
    static void write(Path docs, String name, List<TransferBenchmark.Row> rows, List<String> notes, String args,
            String duration) throws IOException {
        Files.createDirectories(docs);
        chart(docs.resolve(name + "-rtt.png"), rows);
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Reproduce with `scripts/bench").append(args.isBlank() ? "" : " " + args).append("` (").append(duration).append("; ")
                .append("writes this file and `").append(name).append("-rtt.png`). Every pair below ran side by side in one run, ")
                .append("on one machine (2 cores), over loopback through a user-space delay relay ")
                .append("(`dev.ferry.relay.TcpRelay`; kernel netem is not available), files on tmpfs, cipher ")
                .append("aes128-gcm@openssh.com for every tool, medians of the runs shown.\n\n");
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        md.append("\nWhat the numbers mean, what limits Ferry where it misses a target, and what comes next: ")
                .append("[benchmark-findings.md](benchmark-findings.md). Other benchmarks: `ferry sync` against ")
                .append("rsync in [benchmarks-delta.md](benchmarks-delta.md) (`scripts/bench-delta`), memory in ")
                .append("[benchmarks-memory.md](benchmarks-memory.md).\n");
        md.append("\n![MB/s against RTT](").append(name).append("-rtt.png)\n\n");
        md.append("| tool | server | direction | RTT ms | MB/s | x scp/sshd | client CPU s/GiB | of it system "
                + "| server CPU s/GiB | client peak RSS MiB | window adjusts per GiB | runs |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (TransferBenchmark.Row r : rows) {
            Optional<TransferBenchmark.Row> anchor = rows.stream().filter(a -> a.tool().equals("scp")
                    && a.server().equals("sshd") && a.direction().equals(r.direction()) && a.rttMs() == r.rttMs())
                    .findFirst();
            String ratio = anchor.map(a -> String.format(Locale.ROOT, "%.2f", r.mbps() / a.mbps())).orElse("");
            String adjusts = Double.isNaN(r.adjustsPerGib()) ? "" : String.format(Locale.ROOT, "%.0f", r.adjustsPerGib());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.1f | %s | %.2f | %.2f | %.2f | %d | %s | %d |%n",
                    r.tool(), r.server(), r.direction(), r.rttMs(), r.mbps(), ratio, r.clientCpuPerGib(),
                    r.clientSystemPerGib(), r.serverCpuPerGib(), r.clientRssMib(), adjusts, r.runs()));
        }
        md.append("\nServer CPU is ferryd's process, or sshd's listener with the per-connection processes it reaped. "
                + "Window adjusts are the receiver's (the server's on upload, the client's on download): OpenSSH's "
                + "ssh and sshd run at LogLevel DEBUG2 to log them, ferryd logs them per channel, ferry cp -v prints them.\n");
        Files.writeString(docs.resolve(name + ".md"), md.toString());
    }

    private static void chart(Path png, List<TransferBenchmark.Row> rows) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560).title("Copy speed against round-trip time")
                .xAxisTitle("RTT (ms)").yAxisTitle("MB/s").build();
        chart.getStyler().setYAxisLogarithmic(true);
        Map<String, List<TransferBenchmark.Row>> series = new LinkedHashMap<>();
        for (TransferBenchmark.Row r : rows) {
            series.computeIfAbsent(r.tool() + " / " + r.server() + " " + r.direction(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<TransferBenchmark.Row>> s : series.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (TransferBenchmark.Row r : s.getValue()) {
                x.add((double) r.rttMs());
                y.add(Math.max(r.mbps(), 0.1));
            }
            chart.addSeries(s.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, png.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    }
}
