package dev.ferry.client.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.Interaction;

/**
 * The master's socket: accepts runs from this user only, runs each on a thread of its own, relays
 * their output and questions, and ends when nothing has run for {@code ControlPersist}, when told
 * to ({@code -O exit}), or when the session it holds is lost.
 */
public final class ControlMaster {

    /** Runs one attached command line and returns its exit status. */
    @FunctionalInterface
    public interface Runner {
        int run(Run run) throws Exception;
    }

    /** Another master already listens at the path. */
    public static final class AlreadyRunning extends Exception {
        private static final long serialVersionUID = 1L;

        AlreadyRunning(Path socket) {
            super("a control master already listens at " + socket);
        }
    }

    /** How long a new master waits for the run that started it before it gives up. */
    private static final Duration FIRST_RUN_WAIT = Duration.ofSeconds(30);

    private static final InheritableThreadLocal<Run> CURRENT = new InheritableThreadLocal<>();

    private final Path socket;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final Duration idleTimeout;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final long started = System.nanoTime();
    private volatile boolean accepting = true;
    private volatile boolean served;
    private volatile boolean exitRequested;
    private volatile long idleSince = System.nanoTime();
    private volatile String connectedTo = "";
    private volatile Consumer<String> log = line -> { };

    private ControlMaster(Path socket, Object fileKey, ServerSocketChannel server, Duration idleTimeout) {
        this.socket = socket;
        this.fileKey = fileKey;
        this.server = server;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Listens at {@code socket}. The socket is made under a temporary name, given mode 0600, and
     * linked into place, so that it never exists with other permissions and two masters racing for
     * the path cannot both win: the loser sees the winner and steps aside.
     */
    public static ControlMaster bind(Path socket, Duration idleTimeout) throws FerryException, AlreadyRunning {
        Path dir = socket.toAbsolutePath().getParent();
        Owners.requirePrivateDirectory(dir);
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        Path temp = dir.resolve(".ferry-" + HexFormat.of().formatHex(random) + ".sock");
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(temp));
            Files.setPosixFilePermissions(temp, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            for (int attempt = 0;; attempt++) {
                try {
                    Files.createLink(socket, temp);
                    break;
                } catch (FileAlreadyExistsException e) {
                    Optional<ControlClient> live = ControlClient.attach(socket, true);
                    if (live.isPresent()) {
                        live.get().close();
                        throw new AlreadyRunning(socket);
                    }
                    if (attempt == 3) {
                        throw new FerryException("ferry: ControlPath " + socket + " stays taken; remove it");
                    }
                }
            }
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new ControlMaster(socket, key, server, idleTimeout);
        } catch (IOException e) {
            closeQuietly(server);
            throw new FerryException("ferry: cannot listen at ControlPath " + socket + ": " + e.getMessage(), e);
        } catch (FerryException | AlreadyRunning | RuntimeException e) {
            closeQuietly(server);
            throw e;
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a stray name in the user's own directory
            }
        }
    }

    /** The run whose thread (or a thread it started) is calling, if any. */
    static Optional<Run> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Where the master says what it does (nowhere unless $FERRY_CONTROL_LOG names a file). */
    public void log(Consumer<String> log) {
        this.log = Objects.requireNonNull(log);
    }

    /** What {@code -O check} reports the master to be connected to. */
    public void connectedTo(String description) {
        this.connectedTo = Objects.requireNonNull(description);
    }

    /** Serves runs until the master ends; returns then. */
    public void serve(Runner runner) {
        Thread reaper = new Thread(this::reap, "ferry-control-reaper");
        reaper.setDaemon(true);
        reaper.start();
        while (accepting) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                continue;
            }
            Thread handler = new Thread(() -> handle(client, runner), "ferry-control-client");
            handler.setDaemon(true);
            handler.start();
        }
    }

    /** Whether {@code -O exit} ended the master: its process ends now, runs in progress with it. */
    public boolean exitRequested() {
        return exitRequested;
    }

    /** Waits (at most {@code limit}) for the runs in progress to end. */
    public void awaitRuns(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (active.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    /** Ends the master: the socket goes first, so that no new run can attach to a dying master. */
    public void shutdown(String why) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        log.accept("ending: " + why);
        stopAccepting();
    }

    private void stopAccepting() {
        accepting = false;
        try {
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, fileKey)) {
                Files.delete(socket); // only our own: a newer master may have taken the path since
            }
        } catch (IOException ignored) {
            // gone already
        }
        closeQuietly(server);
    }

    private void reap() {
        while (!finished.get()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            if (active.get() > 0) {
                continue;
            }
            long idle = System.nanoTime() - idleSince;
            boolean neverUsed = !served && System.nanoTime() - started > FIRST_RUN_WAIT.toNanos();
            if (!accepting || neverUsed || (served && idle >= idleTimeout.toNanos())) {
                shutdown(!accepting ? "stopped" : neverUsed ? "no run came" : "idle for " + idleTimeout.toSeconds() + " s");
            }
        }
    }

    private void handle(SocketChannel client, Runner runner) {
        try (client) {
            if (!Owners.peerIsMe(client)) {
                log.accept("refused a connection from user " + Owners.peer(client));
                return; // not this user's: no answer at all
            }
            InputStream in = Frames.input(client);
            OutputStream out = Frames.output(client);
            Frames.Frame request = Frames.read(in);
            if (request == null) {
                return; // a liveness probe
            }
            Frames.Body body = request.reader();
            if (body.integer() != Frames.VERSION) {
                Frames.write(out, Frames.REFUSED, new Frames.Builder().text("ferry: the control master at " + socket
                        + " is another version of ferry; end it with ferry -O exit").bytes());
                return;
            }
            switch (request.type()) {
                case Frames.CHECK -> info(out);
                case Frames.STOP -> {
                    info(out);
                    stopAccepting();
                }
                case Frames.EXIT -> {
                    info(out);
                    exitRequested = true;
                    shutdown("-O exit");
                }
                case Frames.RUN -> run(body, in, out, runner);
                default -> { }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private void info(OutputStream out) throws IOException {
        Frames.write(out, Frames.INFO, new Frames.Builder().number(ProcessHandle.current().pid()).text(connectedTo)
                .bytes());
    }

    private void run(Frames.Body body, InputStream in, OutputStream out, Runner runner) throws IOException {
        if (!accepting) {
            Frames.write(out, Frames.REFUSED, new Frames.Builder().text("ferry: the control master at " + socket
                    + " is stopping").bytes());
            return;
        }
        if (!body.text().equals(Frames.BUILD)) {
            log.accept("refused a run from another build of ferry");
            Frames.write(out, Frames.STALE, new byte[0]);
            return;
        }
        Path cwd = Path.of(body.text());
        boolean stderrIsTerminal = body.flag();
        boolean asks = body.flag();
        int columns = body.integer();
        int argc = body.integer();
        List<String> argv = new ArrayList<>();
        for (int i = 0; i < argc; i++) {
            argv.add(body.text());
        }
        active.incrementAndGet();
        served = true;
        Run run = new Run(argv, cwd, stderrIsTerminal, asks, columns, out);
        log.accept("run " + argv);
        Thread worker = new Thread(() -> {
            CURRENT.set(run);
            int status;
            try {
                status = runner.run(run);
            } catch (Throwable e) {
                status = 1;
                run.errorLine("ferry: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            run.finish(status);
        }, "ferry-run");
        run.thread = worker;
        worker.start();
        try {
            Frames.Frame frame;
            while (!run.done.get() && (frame = Frames.read(in)) != null) {
                if (frame.type() == Frames.ANSWER) {
                    Frames.Body answer = frame.reader();
                    boolean given = answer.flag();
                    run.answers.offer(given ? Optional.of(answer.text()) : Optional.empty());
                } else if (frame.type() == Frames.INTERRUPT) {
                    break;
                }
            }
        } catch (IOException e) {
            // the client is gone: as an interrupt
        }
        if (!run.done.get()) {
            run.interrupt();
        }
    }

    /** One attached command line: its request, and the way back to the {@code ferry} that sent it. */
    public final class Run {
        private final List<String> argv;
        private final Path cwd;
        private final boolean stderrIsTerminal;
        private final boolean asks;
        private final int columns;
        private final OutputStream client;
        private final LinkedBlockingQueue<Optional<String>> answers = new LinkedBlockingQueue<>();
        private final ConcurrentLinkedQueue<AutoCloseable> opened = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicBoolean interrupted = new AtomicBoolean();
        private volatile Thread thread;

        private Run(List<String> argv, Path cwd, boolean stderrIsTerminal, boolean asks, int columns,
                OutputStream client) {
            this.argv = List.copyOf(argv);
            this.cwd = cwd;
            this.stderrIsTerminal = stderrIsTerminal;
            this.asks = asks;
            this.columns = columns;
            this.client = client;
        }

        public List<String> argv() {
            return argv;
        }

        public Path cwd() {
            return cwd;
        }

        public boolean stderrIsTerminal() {
            return stderrIsTerminal;
        }

        public int columns() {
            return columns;
        }

        /** What the run writes to its stdout. */
        public OutputStream out() {
            return new Relay(Frames.OUT);
        }

        /** What the run writes to its stderr. */
        public OutputStream err() {
            return new Relay(Frames.ERR);
        }

        /** Asks on the attached run's terminal when it has one; else asks nothing, as a run without one. */
        public Interaction interaction(Consumer<String> warnings) {
            if (!asks) {
                return Interaction.none(warnings);
            }
            return new Interaction() {
                @Override
                public Optional<char[]> password(String userAtHost) {
                    return ask(Frames.ASK_PASSWORD, userAtHost).map(String::toCharArray);
                }

                @Override
                public Optional<char[]> passphrase(Path key) {
                    return ask(Frames.ASK_PASSPHRASE, key.toString()).map(String::toCharArray);
                }

                @Override
                public Optional<Boolean> confirm(String question) {
                    return ask(Frames.ASK_CONFIRM, question).map("yes"::equals);
                }

                @Override
                public void warn(String sentence) {
                    warnings.accept(sentence);
                }

                @Override
                public boolean asks() {
                    return true;
                }
            };
        }

        /** A session or channel this run opened: closed at once if the run is interrupted. */
        void track(AutoCloseable resource) {
            opened.add(resource);
        }

        private Optional<String> ask(int kind, String prompt) {
            if (interrupted.get()) {
                return Optional.empty();
            }
            try {
                Frames.write(client, Frames.ASK, new Frames.Builder().integer(kind).text(prompt).bytes());
                return answers.take();
            } catch (IOException | InterruptedException e) {
                return Optional.empty();
            }
        }

        private void errorLine(String line) {
            try {
                Frames.write(client, Frames.ERR, (line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // nobody to tell
            }
        }

        /** Whether the attached run was interrupted (Ctrl-C) or went away: the command should stop. */
        public boolean interrupted() {
            return interrupted.get();
        }

        /**
         * Ctrl-C in the attached run, or the run gone. The worker is not sent Thread.interrupt():
         * MINA closes a whole session when a thread is interrupted inside it, and this session is
         * every run's. The command sees {@link #interrupted()} at its next step and cleans up (its
         * temporary files) on its own channels; what it still has open after a second is closed
         * under it. The client gets 130, a standalone run's status after SIGINT.
         */
        private void interrupt() {
            if (!interrupted.compareAndSet(false, true)) {
                return;
            }
            log.accept("interrupting run " + argv);
            Thread worker = thread;
            answers.offer(Optional.empty()); // a question waiting for an answer gets none
            try {
                worker.join(1000);
                if (worker.isAlive()) {
                    for (AutoCloseable c : opened) {
                        try {
                            c.close();
                        } catch (Exception ignored) {
                            // closing under a run that is failing anyway
                        }
                    }
                    worker.join(1000);
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            finish(130);
        }

        private void finish(int status) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            try {
                Frames.write(client, Frames.DONE, new Frames.Builder().integer(interrupted.get() ? 130 : status).bytes());
            } catch (IOException ignored) {
                // the client is gone
            }
            idleSince = System.nanoTime();
            active.decrementAndGet();
            log.accept("run ended with " + (interrupted.get() ? 130 : status) + ": " + argv);
        }

        /** The run's output as frames; nothing once the run has ended (its client has gone on). */
        private final class Relay extends OutputStream {
            private final byte type;

            Relay(byte type) {
                this.type = type;
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (done.get() || len == 0) {
                    return;
                }
                for (int at = off; at < off + len; at += Frames.MAX_BODY) {
                    int n = Math.min(Frames.MAX_BODY, off + len - at);
                    byte[] piece = new byte[n];
                    System.arraycopy(b, at, piece, 0, n);
                    Frames.write(client, type, piece);
                }
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
