package dev.ferry.server.hook;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.sftp.server.SftpEventListener;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;

/**
 * Runs the {@link Hook} for the events it wants. The server's threads only queue an event (the
 * client's reply never waits for a hook); a few threads of this runner's own start the command,
 * write the event to its standard input, and wait for it within the timeout. What goes wrong is
 * logged as {@link ServerEvent.HookFailed}: a non-zero exit (with the start of what the command
 * printed), a run past the timeout (the command is killed, with its descendants), a command that
 * cannot start, or an event dropped because too many were waiting.
 */
public final class HookRunner implements EventSink, AutoCloseable {

    /** Hooks running at once: enough that one slow run does not hold up the rest, few enough for a small host. */
    static final int RUNNING = 4;
    /** Events waiting for a free runner; past that a burst of uploads drops events (each one logged). */
    static final int QUEUED = 1000;
    /** Characters of the command's output (stdout and stderr) quoted in a failure. */
    static final int OUTPUT_SHOWN = 300;
    /** Uploads into a client's temporary name remembered until the rename into place (see SftpFileChanges). */
    static final int PENDING_KEPT = 4096;

    private final Hook hook;
    private final EventSink log;
    private final Clock clock;
    private final ThreadPoolExecutor executor;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private final Map<String, ServerEvent.Transfer> pending = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ServerEvent.Transfer> eldest) {
            return size() > PENDING_KEPT;
        }
    };

    /** @param log where failures go (the server's log) */
    public HookRunner(Hook hook, EventSink log, Clock clock) {
        this.hook = hook;
        this.log = log;
        this.clock = clock;
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(RUNNING, RUNNING, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED), r -> {
                    Thread t = new Thread(r, "ferryd-hook-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, (r, pool) -> failed(((Run) r).event, pool.isShutdown() ? "the server is stopping; not run"
                        : QUEUED + " events are already waiting; this one was dropped"));
    }

    public Hook hook() {
        return hook;
    }

    /** What SFTP clients delete and rename, for a server's SFTP subsystem. */
    public SftpEventListener sftpListener() {
        return new SftpFileChanges(this);
    }

    /** Completed transfers become upload and download events; everything else is ignored. */
    @Override
    public void accept(ServerEvent event) {
        if (!(event instanceof ServerEvent.Transfer t) || (t.error() != null && !t.error().isEmpty())) {
            return;
        }
        boolean upload = "upload".equals(t.direction());
        if (SftpFileChanges.temporary(t.path())) {
            if (upload) {
                synchronized (pending) {
                    pending.put(t.user() + "\0" + t.path(), t);
                }
            }
            return;
        }
        Hook.Event kind = upload ? Hook.Event.UPLOAD : Hook.Event.DOWNLOAD;
        if (hook.events().contains(kind)) {
            submit(FileEvent.transfer(kind, clock.instant(), t.user(), t.remote(), t.protocol(), t.path(), t.bytes(),
                    t.seconds()));
        }
    }

    /** A client's temporary file renamed onto its target: the upload of the target is complete. */
    void renamedIntoPlace(String user, String remote, String from, String to, long size) {
        ServerEvent.Transfer upload;
        synchronized (pending) {
            upload = pending.remove(user + "\0" + from);
        }
        if (hook.events().contains(Hook.Event.UPLOAD)) {
            submit(FileEvent.transfer(Hook.Event.UPLOAD, clock.instant(), user, remote, "sftp", to, size,
                    upload == null ? 0 : upload.seconds()));
        }
    }

    void changed(Hook.Event kind, String user, String remote, String path, String from) {
        if (hook.events().contains(kind)) {
            submit(FileEvent.change(kind, clock.instant(), user, remote, path, from));
        }
    }

    private void submit(FileEvent event) {
        try {
            executor.execute(new Run(event));
        } catch (RejectedExecutionException e) {
            // the rejection handler has logged it
        }
    }

    private final class Run implements Runnable {
        final FileEvent event;

        Run(FileEvent event) {
            this.event = event;
        }

        @Override
        public void run() {
            HookRunner.this.run(event);
        }
    }

    private void run(FileEvent event) {
        Path output;
        Process process;
        try {
            output = Files.createTempFile("ferryd-hook-", ".out");
        } catch (IOException e) {
            failed(event, "cannot make a file for its output: " + e.getMessage());
            return;
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(hook.command()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().putAll(event.environment());
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            failed(event, "cannot start: " + e.getMessage());
            deleteQuietly(output);
            return;
        }
        running.add(process);
        try {
            try (OutputStream in = process.getOutputStream()) {
                in.write(event.json());
            } catch (IOException ignored) {
                // a hook need not read its input; whether it failed is its exit status's to say
            }
            if (!process.waitFor(hook.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                failed(event, "ran past its timeout of " + hook.timeout().toSeconds() + " s and was killed"
                        + printed(output));
            } else if (process.exitValue() != 0) {
                failed(event, "exited with status " + process.exitValue() + printed(output));
            }
        } catch (InterruptedException e) {
            kill(process);
            failed(event, "the server stopped; killed");
            Thread.currentThread().interrupt();
        } finally {
            running.remove(process);
            deleteQuietly(output);
        }
    }

    /** Kills {@code process} and what it started (a shell script's {@code sleep}, say). */
    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.descendants().forEach(ProcessHandle::destroyForcibly); // started in the meantime
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code ": "} and the start of what the command printed, on one line; empty if nothing. */
    private static String printed(Path output) {
        try {
            byte[] bytes;
            try (var in = Files.newInputStream(output)) {
                bytes = in.readNBytes(OUTPUT_SHOWN * 4);
            }
            String text = new String(bytes, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            if (text.isEmpty()) {
                return "";
            }
            return ": " + (text.length() > OUTPUT_SHOWN ? text.substring(0, OUTPUT_SHOWN) + "..." : text);
        } catch (IOException e) {
            return "";
        }
    }

    private void failed(FileEvent event, String reason) {
        log.accept(new ServerEvent.HookFailed(hook.commandLine(), event.event().label(), event.path(), reason));
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file; the system cleans up
        }
    }

    /**
     * Runs what is queued for up to the hook's timeout, then kills what still runs and logs each
     * event not run. Called when the server closes.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (executor.awaitTermination(hook.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Runnable r : executor.shutdownNow()) {
            failed(((Run) r).event, "the server stopped before it ran");
        }
        running.forEach(HookRunner::kill);
    }
}
