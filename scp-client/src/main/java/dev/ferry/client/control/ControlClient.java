package dev.ferry.client.control;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.Interaction;

/**
 * The attaching side: hands a command line to the master and relays what comes back, so that the
 * run looks exactly like one that connected itself: its output, its questions on this terminal,
 * its exit status, and Ctrl-C.
 */
public final class ControlClient implements AutoCloseable {

    /** The status of a run whose master went away before it said how the run ended, as ssh's 255. */
    public static final int MASTER_LOST = 255;

    /** What {@link #run} returns when the master is another build of Ferry and ran nothing. */
    public static final int STALE = -1;

    private final Path socket;
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    private ControlClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        this.in = Frames.input(channel);
        this.out = Frames.output(channel);
    }

    /**
     * Connects to the master listening at {@code socket}; empty when none does: no file there, or a
     * stale one a dead master left (removed when {@code removeStale}, so a new master can take the path).
     *
     * @throws FerryException when the path holds something that is not this user's socket, or the
     *                        process listening there is not this user's
     */
    public static Optional<ControlClient> attach(Path socket, boolean removeStale) throws FerryException {
        try {
            if (!Owners.ownSocket(socket)) {
                throw new FerryException("ferry: ControlPath " + socket + " is not a socket of yours; not using it");
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new FerryException("ferry: ControlPath " + socket + ": " + e.getMessage(), e);
        }
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            if (!Owners.peerIsMe(channel)) {
                channel.close();
                throw new FerryException("ferry: the control master at " + socket + " runs as another user; not using it");
            }
            return Optional.of(new ControlClient(socket, channel));
        } catch (ConnectException e) {
            closeQuietly(channel);
            if (removeStale) {
                try {
                    Files.deleteIfExists(socket); // nobody listens: a master died without cleaning up
                } catch (IOException ignored) {
                    // the next master's bind says why
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            closeQuietly(channel);
            throw new FerryException("ferry: ControlPath " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code argv} in the master and returns its exit status.
     *
     * @param asker answers the master's questions (passwords, host keys) on this terminal
     */
    public int run(List<String> argv, Path cwd, boolean stderrIsTerminal, int columns, Interaction asker)
            throws IOException {
        Frames.Builder request = new Frames.Builder().integer(Frames.VERSION).text(Frames.BUILD).text(cwd.toString())
                .flag(stderrIsTerminal).flag(asker.asks()).integer(columns).integer(argv.size());
        for (String arg : argv) {
            request.text(arg);
        }
        Frames.write(out, Frames.RUN, request.bytes());

        // Ctrl-C (or a TERM) ends this JVM through its shutdown hooks: the master is told to stop
        // the run, and its status (130, as a standalone run killed by SIGINT) waited for briefly.
        CountDownLatch done = new CountDownLatch(1);
        Thread interrupt = new Thread(() -> {
            if (done.getCount() > 0) {
                try {
                    Frames.write(out, Frames.INTERRUPT, new byte[0]);
                    done.await(3, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException ignored) {
                    // the master is gone already
                }
            }
        }, "ferry-control-interrupt");
        Runtime.getRuntime().addShutdownHook(interrupt);
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        OutputStream stderr = new FileOutputStream(FileDescriptor.err);
        try {
            while (true) {
                Frames.Frame frame = Frames.read(in);
                if (frame == null) {
                    stderr.write(("ferry: the control master at " + socket + " went away\n").getBytes());
                    return MASTER_LOST;
                }
                switch (frame.type()) {
                    case Frames.OUT -> stdout.write(frame.body());
                    case Frames.ERR -> stderr.write(frame.body());
                    case Frames.ASK -> answer(frame.reader(), asker);
                    case Frames.STALE -> {
                        return STALE;
                    }
                    case Frames.REFUSED -> {
                        stderr.write((frame.reader().text() + "\n").getBytes());
                        return MASTER_LOST;
                    }
                    case Frames.DONE -> {
                        done.countDown();
                        return frame.reader().integer();
                    }
                    default -> throw new IOException("unexpected control frame " + frame.type());
                }
            }
        } catch (IOException e) {
            stderr.write(("ferry: the control master at " + socket + " went away (" + e.getMessage() + ")\n")
                    .getBytes());
            return MASTER_LOST;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(interrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns at once now
            }
        }
    }

    private void answer(Frames.Body question, Interaction asker) throws IOException {
        byte kind = (byte) question.integer();
        String prompt = question.text();
        Frames.Builder reply = new Frames.Builder();
        switch (kind) {
            case Frames.ASK_PASSWORD, Frames.ASK_PASSPHRASE -> {
                Optional<char[]> secret = kind == Frames.ASK_PASSWORD ? asker.password(prompt)
                        : asker.passphrase(Path.of(prompt));
                reply.flag(secret.isPresent()).text(secret.map(String::new).orElse(""));
            }
            case Frames.ASK_CONFIRM -> {
                Optional<Boolean> yes = asker.confirm(prompt);
                reply.flag(yes.isPresent()).text(yes.map(b -> b ? "yes" : "no").orElse(""));
            }
            default -> reply.flag(false).text("");
        }
        Frames.write(out, Frames.ANSWER, reply.bytes());
    }

    /** A master's answer to {@code -O}: its process and the session it holds (empty before the first run). */
    public record Info(long pid, String connectedTo) {
    }

    /** {@code -O check}, {@code -O exit}, {@code -O stop}. */
    private Info request(byte type) throws IOException {
        Frames.write(out, type, new Frames.Builder().integer(Frames.VERSION).bytes());
        Frames.Frame reply = Frames.read(in);
        if (reply == null) {
            throw new IOException("the master closed the connection");
        }
        if (reply.type() == Frames.REFUSED) {
            throw new IOException(reply.reader().text());
        }
        Frames.Body body = reply.reader();
        return new Info(body.number(), body.text());
    }

    public Info check() throws IOException {
        return request(Frames.CHECK);
    }

    /** Ends the master now; runs it is serving end with it. */
    public Info exit() throws IOException {
        return request(Frames.EXIT);
    }

    /** The master takes no more runs and ends when those it serves have. */
    public Info stop() throws IOException {
        return request(Frames.STOP);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
