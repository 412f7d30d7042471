package dev.ferry.server.delta;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.sshd.common.file.root.RootedFileSystem;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.AbstractFileSystemCommand;
import org.apache.sshd.server.session.ServerSession;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.GearChunker;
import dev.ferry.delta.DeltaFailure;
import dev.ferry.delta.Listing;
import dev.ferry.delta.Responder;
import dev.ferry.delta.protocol.ChunkingSpec;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.Hello;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.fs.SpaceAccount;
import dev.ferry.fs.TemporaryFiles;
import dev.ferry.server.fs.ConfinedFileSystemProvider;
import dev.ferry.server.lifecycle.TransfersInFlight;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;
import dev.ferry.server.quota.QuotaLog;

/**
 * One {@code ferry-delta} session: hellos, the client's chunking parameters, then the client's
 * requests, answered by a {@link Responder} on the user's confined file system until the client
 * closes. A request refused before any data moved (no such file, a directory, read-only) gets a
 * {@code Failure} and the session goes on; anything that breaks a transfer half way gets a
 * {@code Failure} and ends the session, since the two sides are no longer in step.
 */
final class DeltaSubsystem extends AbstractFileSystemCommand {

    private static final int BUFFER = 256 * 1024;

    private final Consumer<ServerEvent> events;
    private final TemporaryFiles temps;
    /** Counted down when run() has cleaned up, so that destroy() does not close the file system under it. */
    private final CountDownLatch finished = new CountDownLatch(1);

    DeltaSubsystem(Consumer<ServerEvent> events, TemporaryFiles temps) {
        super(DeltaSubsystemFactory.NAME, null);
        this.events = events;
        this.temps = temps;
    }

    @Override
    public void run() {
        TransfersInFlight inFlight = TransfersInFlight.of(getServerSession());
        inFlight.begin();
        try {
            serve();
        } finally {
            inFlight.end();
        }
    }

    private void serve() {
        MessageWriter out = new MessageWriter(new BufferedOutputStream(getOutputStream(), BUFFER));
        int status = 0;
        try {
            MessageReader in = new MessageReader(new BufferedInputStream(getInputStream(), BUFFER));
            out.write(Hello.current(Set.of(Hello.ZSTD)));
            out.flush();
            Hello hello = expect(in.readRequired("the client's hello"), Hello.class, "the client's hello");
            if (hello.version() != Hello.CURRENT_VERSION) {
                throw new DeltaFailure("protocol version " + hello.version() + " is not supported (this server speaks "
                        + Hello.CURRENT_VERSION + ")");
            }
            boolean zstd = hello.capabilities().contains(Hello.ZSTD);
            ChunkingSpec spec = expect(in.readRequired("the chunking parameters"), ChunkingSpec.class,
                    "the chunking parameters");
            ChunkerParams params = params(spec);
            // the user's quota; each refusal logged here, since the responder tells the client only
            SpaceAccount space = QuotaLog.reporting(ConfinedFileSystemProvider.spaceOf(getFileSystem().getPath("/")),
                    events, getServerSession(), "delta");
            Responder.Resolver resolver = new Responder.Resolver() {
                @Override
                public Path resolve(String path) throws IOException {
                    return DeltaSubsystem.this.resolve(path);
                }

                @Override
                public Path listable(Path resolved) throws IOException {
                    return resolved.getFileSystem().provider() instanceof ConfinedFileSystemProvider confined
                            ? confined.realDirectory(resolved) : resolved;
                }

                @Override
                public Listing.LinkView links(Path listed) {
                    if (!(getFileSystem() instanceof RootedFileSystem rooted)) {
                        return Listing.LinkView.AS_IS;
                    }
                    Path root = rooted.getRoot();
                    return (path, target) -> ConfinedFileSystemProvider.linkSeenInside(root, listed.resolve(path),
                            target);
                }

                @Override
                public Path landing(Path resolved) throws IOException {
                    Path parent = resolved.toAbsolutePath().getParent();
                    return resolved.getFileSystem().provider() instanceof ConfinedFileSystemProvider confined
                            ? confined.writableDirectory(parent) : parent;
                }

                @Override
                public SpaceAccount space() {
                    return space;
                }
            };
            new Responder(in, out, params, zstd, resolver, this::log, temps).run();
        } catch (DeltaFailure | ProtocolException e) {
            status = 1;
            fail(out, e.getMessage());
        } catch (IOException | RuntimeException e) { // a broken transfer: say so if the client still listens
            status = 1;
            fail(out, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            finished.countDown();
        }
        onExit(status);
    }

    /**
     * The channel closed (the client went away, say): the transfer in progress sees its input end,
     * removes its temporary file, and only then is the file system closed.
     */
    @Override
    public void destroy(ChannelSession channel) throws Exception {
        try {
            getInputStream().close();
        } catch (IOException ignored) {
            // it is closing anyway
        }
        finished.await(30, TimeUnit.SECONDS);
        super.destroy(channel);
    }

    private Path resolve(String path) throws IOException {
        FileSystem fs = getFileSystem();
        Path p = fs.getPath(path);
        return p.isAbsolute() ? p : fs.getPath("/").resolve(p);
    }

    private static ChunkerParams params(ChunkingSpec spec) throws DeltaFailure {
        if (spec.chunkerVersion() != GearChunker.VERSION) {
            throw new DeltaFailure("chunker version " + spec.chunkerVersion() + " is not supported (this server has "
                    + GearChunker.VERSION + ")");
        }
        try {
            return new ChunkerParams(spec.minSize(), spec.avgSize(), spec.maxSize());
        } catch (IllegalArgumentException e) {
            throw new DeltaFailure(e.getMessage());
        }
    }

    private static <T extends DeltaMessage> T expect(DeltaMessage m, Class<T> type, String what)
            throws ProtocolException {
        if (type.isInstance(m)) {
            return type.cast(m);
        }
        throw new ProtocolException("expected " + what + ", got " + m.type());
    }

    private static void fail(MessageWriter out, String reason) {
        try {
            out.write(Failure.of(reason));
            out.flush();
        } catch (IOException | RuntimeException ignored) {
            // the client is gone; nothing to tell
        }
    }

    private void log(String direction, String path, long bytes, long startNanos, String error) {
        ServerSession session = getServerSession();
        events.accept(new ServerEvent.Transfer(session.getUsername(), ServerEvent.address(ClientAddress.of(session)),
                "delta", direction, path, bytes, (System.nanoTime() - startNanos) / 1e9, error));
    }
}
