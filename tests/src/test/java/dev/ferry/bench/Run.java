package dev.ferry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command under GNU time, for its wall time, its CPU seconds and its peak RSS.
 *
 * @param seconds    wall time
 * @param cpuSeconds user + system CPU of the command and its children
 * @param systemSeconds the system (kernel) part of {@code cpuSeconds}
 * @param maxRssKib  the largest resident set of the command (or of its largest child)
 */
record Run(int exit, double seconds, double cpuSeconds, double systemSeconds, long maxRssKib, String output) {

    static Run of(List<String> command, Path cwd, int timeoutSeconds) throws IOException, InterruptedException {
        Path stats = Files.createTempFile("bench-time", ".txt");
        Path out = Files.createTempFile("bench-out", ".txt");
        List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-q", "-f", "%e %U %S %M", "-o", stats.toString()));
        timed.addAll(command);
        Process p = new ProcessBuilder(timed).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            // time's children first: killed alone it would leave the command (a JVM, an ssh) running on
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new IOException("timed out after " + timeoutSeconds + " s: " + command);
        }
        String[] f = Files.readString(stats).strip().lines().reduce((a, b) -> b).orElse("0 0 0 0").split(" ");
        String output = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(stats);
        Files.deleteIfExists(out);
        return new Run(p.exitValue(), Double.parseDouble(f[0]), Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
                Double.parseDouble(f[2]),
                Long.parseLong(f[3]), output);
    }

    /** user + system CPU seconds a process has used so far (its own and its reaped children's). */
    static double cpuOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14..17 of stat (utime stime cutime cstime), counted here from field 3 (state)
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks / 100.0;
    }

    /** The peak resident set of a running process, in KiB. */
    static long peakRssKib(long pid) throws IOException {
        return status(pid, "VmHWM:");
    }

    /** The resident set of a running process now, in KiB. */
    static long rssKib(long pid) throws IOException {
        return status(pid, "VmRSS:");
    }

    /** The threads a running process has now. */
    static long threads(long pid) throws IOException {
        return status(pid, "Threads:");
    }

    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
