package dev.ferry.client.delta;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.session.ConnectionService;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.GearChunker;
import dev.ferry.delta.DeltaFailure;
import dev.ferry.delta.Downloads;
import dev.ferry.delta.Estimates;
import dev.ferry.delta.Listing;
import dev.ferry.delta.Outcome;
import dev.ferry.delta.Uploads;
import dev.ferry.delta.protocol.ChunkingSpec;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.Hello;
import dev.ferry.delta.protocol.ListEntry;
import dev.ferry.delta.protocol.ListRequest;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.transport.InlineCompletions;

/**
 * A {@code ferry-delta} channel to a server that has the subsystem. After a transfer breaks half way
 * the channel is out of step and {@link #usable()} turns false; open another.
 */
public final class DeltaChannel implements Closeable {

    /** The subsystem's name. */
    public static final String SUBSYSTEM = "ferry-delta";

    /**
     * The digest length the session's {@code ChunkingSpec} names; each request names its own, cut to
     * its file's chunk counts ({@code FileChunking}), with a second pass at 16 bytes on a mismatch.
     */
    public static final int DIGEST_BYTES = 8;

    private static final int BUFFER = 256 * 1024;

    private final ChannelSubsystem channel;
    private final MessageReader in;
    private final MessageWriter out;
    private final ChunkerParams params;
    private final boolean zstd;
    private final AtomicLong sent;
    private final AtomicLong received;
    private final Estimates estimates = new Estimates();
    private boolean usable = true;

    private DeltaChannel(ChannelSubsystem channel, MessageReader in, MessageWriter out, ChunkerParams params,
            boolean zstd, AtomicLong sent, AtomicLong received) {
        this.channel = channel;
        this.in = in;
        this.out = out;
        this.params = params;
        this.zstd = zstd;
        this.sent = sent;
        this.received = received;
    }

    /**
     * Opens the subsystem on {@code session}; empty when the server does not have it (OpenSSH's sshd,
     * for one), so the caller can fall back to SFTP.
     *
     * @param compress offer zstd for literals (used only if the server offers it too)
     */
    public static Optional<DeltaChannel> open(ClientSession session, ChunkerParams params, boolean compress,
            Duration timeout) throws IOException {
        ChannelSubsystem channel = new RefusableSubsystem(SUBSYSTEM);
        session.getService(ConnectionService.class).registerChannel(channel);
        try {
            channel.open().verify(timeout);
        } catch (IOException e) {
            channel.close(false); // graceful, as below: what the server opened of it closes too
            return Optional.empty();
        }
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        MessageWriter out = new MessageWriter(new BufferedOutputStream(
                counting(inline(channel.getInvertedIn(), session.getIoSession()), sent), BUFFER));
        MessageReader in = new MessageReader(new BufferedInputStream(counting(channel.getInvertedOut(), received),
                BUFFER));
        try {
            Optional<DeltaMessage> first;
            try {
                out.write(Hello.current(compress ? Set.of(Hello.ZSTD) : Set.of()));
                out.write(new ChunkingSpec(GearChunker.VERSION, params.min(), params.avg(), params.max(),
                        DIGEST_BYTES));
                out.flush();
                first = in.read();
            } catch (IOException e) {
                if (received.get() > 0) {
                    throw e;
                }
                first = Optional.empty(); // closed before a word: the server refused the subsystem
            }
            if (first.isEmpty()) {
                // The server refused the subsystem. OpenSSH's sshd keeps the session channel open
                // until the client closes it, and an immediate close in MINA tells it nothing: a
                // kept connection (ControlMaster) ran out of channels after ten syncs to sshd.
                channel.close(false);
                return Optional.empty();
            }
            if (first.get() instanceof Failure f) {
                throw new IOException("the server refused delta sync: " + f.reason());
            }
            if (!(first.get() instanceof Hello hello)) {
                throw new ProtocolException("expected the server's hello, got " + first.get().type());
            }
            if (hello.version() != Hello.CURRENT_VERSION) {
                throw new IOException("the server speaks delta protocol version " + hello.version() + ", not "
                        + Hello.CURRENT_VERSION);
            }
            boolean zstd = compress && hello.capabilities().contains(Hello.ZSTD);
            return Optional.of(new DeltaChannel(channel, in, out, params, zstd, sent, received));
        } catch (IOException | RuntimeException e) {
            channel.close(false); // graceful: the server's end closes too, as SftpPipe.close says
            throw e;
        }
    }

    /**
     * Sends files to the server, pipelined; the server's old copies are the bases, and it verifies
     * each file with {@code digest}. Each file's end is told to {@code listener}; an exception leaves
     * the channel unusable.
     */
    public void upload(List<Uploads.Job> jobs, FileDigest digest, Outcome.Listener listener) throws IOException {
        upload(jobs, digest, false, listener);
    }

    /** As above; with {@code fsync} the server syncs every file to disk, not only large ones. */
    public void upload(List<Uploads.Job> jobs, FileDigest digest, boolean fsync, Outcome.Listener listener)
            throws IOException {
        guarded(() -> {
            new Uploads(in, out, params, zstd, estimates, digest, fsync).run(jobs, listener);
            return null;
        });
    }

    /**
     * Brings files from the server, pipelined; the local old copies are the bases, and each file is
     * verified here with {@code digest}, which the server is asked to send.
     */
    public void download(List<Downloads.Job> jobs, FileDigest digest, Outcome.Listener listener) throws IOException {
        download(jobs, digest, false, listener);
    }

    /** As above; with {@code fsync} every file is synced to disk here, not only large ones. */
    public void download(List<Downloads.Job> jobs, FileDigest digest, boolean fsync, Outcome.Listener listener)
            throws IOException {
        guarded(() -> {
            new Downloads(in, out, params, zstd, digest, fsync).run(jobs, listener);
            return null;
        });
    }

    /**
     * Every file and directory below {@code path} on the server (symbolic links and special files
     * left out), in one round trip.
     */
    public List<ListEntry> list(String path) throws IOException {
        return guarded(() -> {
            out.write(new ListRequest(path));
            out.flush();
            return Listing.receive(in);
        });
    }

    @FunctionalInterface
    private interface Transfer<T> {
        T run() throws IOException;
    }

    /** Anything that escapes a batch leaves the channel out of step. */
    private <T> T guarded(Transfer<T> transfer) throws IOException {
        if (!usable) {
            throw new IllegalStateException("this delta channel broke earlier; open another");
        }
        try {
            return transfer.run();
        } catch (IOException e) {
            usable = false;
            String why = e instanceof DeltaFailure ? null : lastWords();
            if (why != null) {
                DeltaFailure said = new DeltaFailure(why);
                said.addSuppressed(e);
                throw said;
            }
            throw e;
        } catch (RuntimeException e) {
            usable = false;
            throw e;
        }
    }

    /**
     * The server's {@code Failure}, when it sent one and ended the channel (a full disk, say) while
     * this side was still writing: this side's write then fails on the closed channel, and the
     * server's reason, not "stream is already closed", is what the user needs. Reads only what has
     * already arrived, and only from a channel that is ending, so it never waits.
     */
    private String lastWords() {
        if (!channel.isClosing() && channel.isOpen()) {
            return null;
        }
        try {
            while (in.ready()) {
                Optional<DeltaMessage> m = in.read();
                if (m.isEmpty()) {
                    return null;
                }
                if (m.get() instanceof Failure f) {
                    return f.reason();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // what was left is unreadable: the original failure stands
        }
        return null;
    }

    public boolean usable() {
        return usable && channel.isOpen();
    }

    /** Bytes this side sent on the channel so far. */
    public long bytesSent() {
        return sent.get();
    }

    /** Bytes this side received on the channel so far. */
    public long bytesReceived() {
        return received.get();
    }

    @Override
    public void close() throws IOException {
        try {
            channel.getInvertedIn().close(); // EOF: the server's session ends cleanly
        } catch (IOException ignored) {
            // closing anyway
        }
        channel.close(false).await(Duration.ofSeconds(5));
    }

    /**
     * A subsystem channel that, when the server refuses the subsystem (OpenSSH's sshd has no
     * ferry-delta), closes gracefully. MINA's own closes immediately, which sends no
     * SSH_MSG_CHANNEL_CLOSE: sshd kept each refused channel open, and a connection kept for many
     * runs (ControlMaster) reached sshd's MaxSessions after ten syncs ("no more sessions").
     */
    private static final class RefusableSubsystem extends ChannelSubsystem {
        RefusableSubsystem(String subsystem) {
            super(subsystem);
        }

        @Override
        public void handleFailure() {
            removePendingRequest(CHANNEL_SUBSYSTEM);
            close(false);
        }
    }

    /** Writes whose packets' completions run on the writing thread (InlineCompletions says why). */
    private static OutputStream inline(OutputStream out, IoSession io) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try (InlineCompletions.Binding bound = InlineCompletions.bind(io)) {
                    out.write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                try (InlineCompletions.Binding bound = InlineCompletions.bind(io)) {
                    out.flush();
                }
            }
        };
    }

    private static OutputStream counting(OutputStream out, AtomicLong count) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                count.addAndGet(len);
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                count.incrementAndGet();
            }
        };
    }

    private static InputStream counting(InputStream in, AtomicLong count) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    count.addAndGet(n);
                }
                return n;
            }
        };
    }
}
