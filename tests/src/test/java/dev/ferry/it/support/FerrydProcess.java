package dev.ferry.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ferryd} run as its own process, from the command line, exactly as a user runs it (the
 * test's class path stands in for the launcher's jar). Reads the bound port from the banner.
 */
public final class FerrydProcess implements AutoCloseable {

    /** The banner's first address (it lists all, when there are several), and its port. */
    private static final Pattern LISTENING = Pattern.compile("ferryd listening on (?:\\[[^\\]]*\\]|[^\\s,\\[]+):(\\d+)");

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final int port;

    private FerrydProcess(Process process) throws IOException, InterruptedException {
        this.process = process;
        Thread errReader = reader(new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)), err);
        errReader.start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        int found = -1;
        String line;
        while ((line = stdout.readLine()) != null) {
            out.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                found = Integer.parseInt(m.group(1));
            }
            if (line.startsWith("stop with")) {
                break; // the banner's last line
            }
        }
        if (found < 0) {
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("ferryd did not start:\n" + String.join("\n", out) + "\n" + String.join("\n", err));
        }
        this.port = found;
        reader(stdout, out).start();
    }

    private static Thread reader(BufferedReader in, List<String> sink) {
        Thread t = new Thread(() -> {
            try {
                String l;
                while ((l = in.readLine()) != null) {
                    sink.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "ferryd-output");
        t.setDaemon(true);
        return t;
    }

    /** Starts {@code ferryd args...} in {@code cwd} and waits for its banner. */
    public static FerrydProcess start(Path cwd, String... args) throws IOException, InterruptedException {
        return start(cwd, List.of(), args);
    }

    /** Starts {@code ferryd args...} in a JVM given {@code jvmOptions} (a heap limit, a collector). */
    public static FerrydProcess start(Path cwd, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.ferry.server.cli.FerrydMain"));
        cmd.addAll(List.of(args));
        return launch(cwd, cmd);
    }

    /** Runs {@code command} (the {@code ferryd} launcher, say) in {@code cwd} and waits for ferryd's banner. */
    public static FerrydProcess launch(Path cwd, List<String> command) throws IOException, InterruptedException {
        return launch(cwd, Map.of(), command);
    }

    /** Runs {@code command} in {@code cwd} with {@code env} added to this process's environment. */
    public static FerrydProcess launch(Path cwd, Map<String, String> env, List<String> command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().putAll(env);
        return new FerrydProcess(pb.start());
    }

    /** Runs {@code ferryd args...} to completion (for the subcommands and for failures). */
    public static Proc.Result run(Path cwd, byte[] stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.ferry.server.cli.FerrydMain"));
        cmd.addAll(List.of(args));
        return Proc.run(cmd, cwd, Map.of(), stdin, 60);
    }

    public int port() {
        return port;
    }

    /** The process id (the JVM's: the launcher execs it), for /proc's figures. */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public List<String> stdout() {
        return List.copyOf(out);
    }

    public List<String> stderr() {
        return List.copyOf(err);
    }

    /** Sends {@code signal} ({@code HUP}, {@code TERM}) to the server, as {@code kill -SIGNAL} would. */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** Waits up to {@code seconds} for a line of stderr (the event log) containing {@code text}; returns it. */
    public String awaitStderr(String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (String line : err) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line with '" + text + "' within " + seconds + " s in ferryd's log:\n"
                + String.join("\n", err));
    }

    /** Waits up to {@code seconds} for the process to exit; its exit code. */
    public int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("ferryd still runs after " + seconds + " s");
        }
        return process.exitValue();
    }

    /** kill -9: the server gets no chance to clean up (what a crash or the OOM killer does). */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
