package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.ferry.client.cli.RandomFile;

/**
 * ferryd's memory under many concurrent uploads onto a disk slower than the network: N OpenSSH
 * {@code scp -O} clients (which stream as fast as the window allows) each upload the same file
 * into one ferryd whose root is on the real disk, once with the default receive budget and once
 * with it effectively off. Reports ferryd's peak RSS, the time and the aggregate rate, and writes
 * {@code docs/benchmarks-memory.md}.
 *
 * <p>Run with {@code scripts/bench-memory} (options: --uploads=20 --size-mib=1024
 * --dir=/var/tmp/ferry-memory --budgets=default,off).
 */
public final class MemoryBenchmark {

    private static final Path SHM = Path.of("/dev/shm/ferry-bench");

    record Result(String budget, int uploads, long size, double seconds, long peakRssMib, long maxSampledRssMib,
            int failed, String note) {
    }

    public static void main(String[] args) throws Exception {
        Options opts = Options.parse(args);
        Path repo = opts.repo();
        int uploads = Integer.parseInt(opts.get("uploads", "20"));
        long size = Long.parseLong(opts.get("size-mib", "1024")) << 20;
        Path dir = Path.of(opts.get("dir", "/var/tmp/ferry-memory"));
        List<String> budgets = Arrays.asList(opts.get("budgets", "default,off").split(","));

        Files.createDirectories(SHM);
        Path source = SHM.resolve("memory-source.bin");
        if (!Files.exists(source) || Files.size(source) != size) {
            RandomFile.write(source, size, 11);
        }
        TransferBenchmark.deleteTree(dir);
        Files.createDirectories(dir);
        Path key = dir.resolve("id_ed25519");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));

        List<Result> results = new ArrayList<>();
        for (String budget : budgets) {
            results.add(measure(repo, dir, key, source, size, uploads, budget));
        }
        write(repo.resolve("docs/benchmarks-memory.md"), results, opts.shown());
        TransferBenchmark.deleteTree(dir);
        Files.delete(source); // memory (tmpfs) the next benchmark should have
    }

    private static Result measure(Path repo, Path dir, Path key, Path source, long size, int uploads, String budget)
            throws Exception {
        Path root = dir.resolve("root-" + budget);
        Path state = dir.resolve("state-" + budget);
        List<String> extra = switch (budget) {
            case "off" -> List.of("--receive-budget", "1024G");
            case "default" -> List.of();
            default -> List.of("--receive-budget", budget);
        };
        TransferBenchmark.FerrydProcess ferryd = TransferBenchmark.FerrydProcess.start(repo, root, state,
                System.getProperty("user.name"), Path.of(key + ".pub"), extra);
        int port = ferryd.port();
        Path knownHosts = Files.writeString(dir.resolve("known_hosts-" + budget), "[127.0.0.1]:" + port + " "
                + ferryd.hostKeyLine() + "\n");

        AtomicLong maxRss = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    maxRss.accumulateAndGet(Run.rssKib(ferryd.pid()), Math::max);
                    Thread.sleep(100);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();

        long start = System.nanoTime();
        List<Process> clients = new ArrayList<>();
        for (int i = 0; i < uploads; i++) {
            clients.add(new ProcessBuilder("scp", "-O", "-q", "-F", "/dev/null", "-c", "aes128-gcm@openssh.com",
                    "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                    "-i", key.toString(), "-o", "IdentitiesOnly=yes", "-P", String.valueOf(port),
                    // each from its own loopback address: ferryd lets 10 connections per address authenticate at once
                    "-o", "BindAddress=127.0.0." + (10 + i), source.toString(),
                    System.getProperty("user.name") + "@127.0.0.1:up-" + i + ".bin")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("scp-" + budget + "-" + i + ".log").toFile())
                    .start());
        }
        int failed = 0;
        for (Process c : clients) {
            if (!c.waitFor(3600, TimeUnit.SECONDS) || c.exitValue() != 0) {
                failed++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        long peak = ferryd.alive() ? Run.peakRssKib(ferryd.pid()) : -1;
        String note = ferryd.alive() ? "" : "ferryd died";
        for (int i = 0; i < uploads && failed == 0; i++) {
            if (Files.size(root.resolve("up-" + i + ".bin")) != size) {
                failed++;
            }
        }
        if (failed == 0 && Files.mismatch(source, root.resolve("up-0.bin")) != -1) {
            failed++;
            note = "up-0.bin differs from the source";
        }
        ferryd.close();
        TransferBenchmark.deleteTree(root); // tens of GiB on the disk
        Result r = new Result(budget, uploads, size, seconds, peak / 1024, maxRss.get() / 1024, failed, note);
        System.out.printf(Locale.ROOT, "budget %s: %d x %d MiB in %.1f s (%.0f MB/s), ferryd peak RSS %d MiB, %d failed %s%n",
                budget, uploads, size >> 20, seconds, uploads * size / seconds / 1e6, r.peakRssMib(), failed, note);
        return r;
    }

    private static void write(Path md, List<Result> results, String args) throws IOException {
        StringBuilder s = new StringBuilder("# Memory under concurrent uploads\n\n");
        s.append("Reproduce with `scripts/bench-memory").append(args.isBlank() ? "" : " " + args).append("`. ")
                .append("N OpenSSH `scp -O` clients (which send as fast as the window allows) upload the same file ")
                .append("from tmpfs into one ferryd (launcher defaults: -Xmx2g, so a default receive budget of ")
                .append("512 MiB) whose root is on the machine's disk, so the disk, not the network, is the slowest ")
                .append("part. \"off\" is `--receive-budget 1024G`: every channel gets its full 64 MiB window.\n\n");
        s.append("| receive budget | uploads | file MiB | wall s | aggregate MB/s | ferryd peak RSS MiB "
                + "| largest sampled RSS MiB | failed | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.0f | %d | %d | %d | %s |%n", r.budget(),
                    r.uploads(), r.size() >> 20, r.seconds(), r.uploads() * r.size() / r.seconds() / 1e6,
                    r.peakRssMib(), r.maxSampledRssMib(), r.failed(), r.note()));
        }
        Files.writeString(md, s.toString());
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("failed: " + command);
        }
    }
}
