package dev.ferry.server.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * ferryd's event log: each event one line, text or JSON, on stderr (where systemd's journal takes
 * it) or appended to a file. {@link #reopen} switches format and destination while the server runs,
 * and opens the file again by its name, so that logrotate's rename-then-SIGHUP works: lines go to
 * the renamed file until the reload and to a new one after it.
 */
public final class EventLog implements EventSink, AutoCloseable {

    private final PrintStream stderr;
    private final Clock clock;
    private volatile Target target;

    /** Where lines go now; a file's stream is closed when the next target replaces it. */
    private record Target(EventSink sink, PrintStream file) {
    }

    private EventLog(PrintStream stderr, Clock clock) {
        this.stderr = stderr;
        this.clock = clock;
    }

    /** A log in {@code format}, to {@code file} (appended to; created 0640 with its directory) or stderr. */
    public static EventLog open(LogFormat format, Optional<Path> file, PrintStream stderr, Clock clock)
            throws IOException {
        EventLog log = new EventLog(stderr, clock);
        log.reopen(format, file);
        return log;
    }

    /**
     * From now on, lines in {@code format} to {@code file} (or stderr). If the file cannot be
     * opened, the log stays as it was and the error is thrown.
     */
    public synchronized void reopen(LogFormat format, Optional<Path> file) throws IOException {
        PrintStream out = stderr;
        PrintStream opened = null;
        if (file.isPresent()) {
            Path path = file.get().toAbsolutePath();
            Files.createDirectories(path.getParent());
            opened = new PrintStream(new FileOutputStream(path.toFile(), true), false, StandardCharsets.UTF_8);
            out = opened;
        }
        Target old = target;
        target = new Target(format.sink(out, clock), opened);
        if (old != null && old.file() != null) {
            synchronized (old.file()) { // a line being written to it finishes first
                old.file().close();
            }
        }
    }

    @Override
    public void accept(ServerEvent event) {
        Target t = target;
        t.sink().accept(event);
        // Written to a file that a reopen closed meanwhile: written again where lines go now.
        if (t.file() != null && t.file().checkError() && target != t) {
            target.sink().accept(event);
        }
    }

    @Override
    public synchronized void close() {
        Target t = target;
        if (t != null && t.file() != null) {
            t.file().close();
        }
    }
}
