package dev.ferry.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a program to completion with a time limit and captures what it printed. */
public final class Proc {

    /** How a program ended. */
    public record Result(int exit, String out, String err) {
        /** Both streams, for assertion messages. */
        public String all() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Proc() {
    }

    public static Result run(List<String> command, Path cwd, int timeoutSeconds) {
        return run(command, cwd, Map.of(), null, timeoutSeconds);
    }

    /**
     * @param env   variables added to this process's environment
     * @param stdin bytes written to the program's standard input, or null for none
     */
    public static Result run(List<String> command, Path cwd, Map<String, String> env, byte[] stdin,
            int timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> out = drain(p.getInputStream());
            CompletableFuture<byte[]> err = drain(p.getErrorStream());
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException ignored) {
                // the program did not read its input
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command + "\n"
                        + new String(out.join(), StandardCharsets.UTF_8) + new String(err.join(), StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Starts {@code command} in {@code cwd}, its standard error merged into its output, and leaves
     * it running while the test acts (kills a server under it, starts a rival); {@link #finish} ends it.
     */
    public static Process begin(List<String> command, Path cwd) throws IOException {
        return new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    }

    /** Waits for a process {@link #begin} started: its exit and its output, both streams in {@code out}. */
    public static Result finish(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("did not end within 60 s: " + p.info().commandLine().orElse("") + "\n" + out);
        }
        return new Result(p.exitValue(), out, "");
    }

    /** On a thread of its own: the common pool has one thread on two cores, and two drains must not wait in turn. */
    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                result.complete(buf.toByteArray());
            } catch (IOException e) {
                result.complete(new byte[0]);
            }
        }, "proc-drain");
        t.setDaemon(true);
        t.start();
        return result;
    }
}
