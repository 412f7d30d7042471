package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.GearChunker;
import dev.ferry.delta.DeltaFailure;
import dev.ferry.delta.Listing;
import dev.ferry.delta.protocol.ChunkingSpec;
import dev.ferry.delta.protocol.CopyChunks;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.Hello;
import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.ListEntry;
import dev.ferry.delta.protocol.ListRequest;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.OpenUpload;
import dev.ferry.delta.protocol.SignatureRequest;
import dev.ferry.delta.protocol.SignatureBatch;
import dev.ferry.delta.protocol.SignatureEnd;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.server.log.ServerEvent;

/**
 * ferryd's ferry-delta subsystem driven message by message with a hostile client: whatever the
 * client sends, it gets one sentence naming what was wrong, and the old file and the directory are
 * as they were (no temporary file left).
 */
class DeltaSubsystemTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    private static SshClient client;
    private static ClientSession session;

    @BeforeAll
    static void login() throws IOException {
        client = ferryd.newClient();
        session = ferryd.login(client, "alice");
    }

    @AfterAll
    static void logout() throws IOException {
        session.close();
        client.stop();
    }

    /** A raw channel: what it writes goes as is; {@link #upload} sets up an upload of {@code name}. */
    private static final class Raw implements AutoCloseable {
        final ChannelSubsystem channel;
        final MessageReader in;
        final MessageWriter out;
        final OutputStream raw;

        Raw() throws IOException {
            this(session);
        }

        Raw(ClientSession on) throws IOException {
            channel = on.createSubsystemChannel("ferry-delta");
            channel.open().verify(10, TimeUnit.SECONDS);
            raw = channel.getInvertedIn();
            out = new MessageWriter(raw);
            in = new MessageReader(channel.getInvertedOut());
            out.write(Hello.current(Set.of()));
            ChunkerParams p = ChunkerParams.DEFAULT;
            out.write(new ChunkingSpec(GearChunker.VERSION, p.min(), p.avg(), p.max(), 8));
            out.flush();
            assertTrue(in.readRequired("hello") instanceof Hello);
        }

        /** Asks to upload {@code name} and reads the server's signature to its end. */
        int upload(String name) throws IOException {
            return upload(name, 8);
        }

        int upload(String name, int digestLength) throws IOException {
            return upload(name, digestLength, FileDigest.DEFAULT);
        }

        int upload(String name, int digestLength, FileDigest kind) throws IOException {
            out.write(new OpenUpload(name, 1, 0644, 0, ChunkerParams.DEFAULT.avg(), digestLength,
                    SignatureRequest.FULL, kind));
            out.flush();
            int chunks = 0;
            while (true) {
                DeltaMessage m = in.readRequired("the signature");
                if (m instanceof SignatureEnd) {
                    return chunks;
                }
                chunks += ((SignatureBatch) m).count();
            }
        }

        String failure() throws IOException {
            DeltaMessage m = in.readRequired("a failure");
            assertTrue(m instanceof Failure, m.toString());
            return ((Failure) m).reason();
        }

        /** A polite end: EOF, then close, and the server's end of the channel closes too. */
        @Override
        public void close() throws IOException {
            raw.close();
            channel.close(false).await(10, TimeUnit.SECONDS);
        }
    }

    private static byte[] old(String name) throws IOException {
        byte[] data = new byte[200_000];
        new Random(name.hashCode()).nextBytes(data);
        Files.write(ferryd.rootOf("alice").resolve(name), data);
        return data;
    }

    private static void assertUntouched(String name, byte[] data) throws IOException, InterruptedException {
        Thread.sleep(200); // the server cleans up as it fails
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve(name)));
        try (Stream<Path> files = Files.list(ferryd.rootOf("alice"))) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.contains("ferry-delta"))
                    .toList();
            assertEquals(List.of(), left);
        }
    }

    @Test
    void anUnknownMessageTypeIsNamedAndTheOldFileStays() throws Exception {
        byte[] data = old("unknown.bin");
        try (Raw raw = new Raw()) {
            raw.upload("unknown.bin");
            raw.raw.write(new byte[] {0, 0, 0, 1, 99});
            raw.raw.flush();
            assertEquals("message type 99 is unknown", raw.failure());
        }
        assertUntouched("unknown.bin", data);
    }

    @Test
    void aCopyBeyondTheOldFileIsNamedAndTheOldFileStays() throws Exception {
        byte[] data = old("beyond.bin");
        try (Raw raw = new Raw()) {
            int chunks = raw.upload("beyond.bin");
            raw.out.write(new CopyChunks(chunks, 1));
            raw.out.flush();
            assertTrue(raw.failure().startsWith("an instruction copies chunks " + chunks), "reason");
        }
        assertUntouched("beyond.bin", data);
    }

    @Test
    void aFrameThatClaimsTooMuchIsRefusedBeforeItIsRead() throws Exception {
        byte[] data = old("huge.bin");
        try (Raw raw = new Raw()) {
            raw.upload("huge.bin");
            raw.raw.write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 31});
            raw.raw.flush();
            assertTrue(raw.failure().contains("exceeds"), "reason");
        }
        assertUntouched("huge.bin", data);
    }

    @Test
    void aConnectionCutHalfWayLeavesTheOldFile() throws Exception {
        byte[] data = old("cut.bin");
        ClientSession own = ferryd.login(client, "alice");
        Raw raw = new Raw(own);
        raw.upload("cut.bin");
        raw.out.write(Literal.raw(new byte[50_000]));
        raw.out.flush();
        own.close(true); // the connection drops, mid-file
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ferryd.events(ServerEvent.Transfer.class).stream().noneMatch(t -> t.path().equals("cut.bin"))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        ServerEvent.Transfer logged = ferryd.events(ServerEvent.Transfer.class).stream()
                .filter(t -> t.path().equals("cut.bin")).findFirst().orElseThrow();
        assertTrue(logged.error() != null, logged.toString());
        assertUntouched("cut.bin", data);
    }

    @Test
    void aWrongDigestOfTheWholeFileLeavesTheOldFileWhicheverKindWasAnnounced() throws Exception {
        for (FileDigest kind : FileDigest.values()) {
            String name = "digest-" + kind + ".bin";
            byte[] data = old(name);
            try (Raw raw = new Raw()) {
                raw.upload(name, 8, kind);
                raw.out.write(Literal.raw(new byte[] {1, 2, 3}));
                raw.out.write(new dev.ferry.delta.protocol.FileEnd(3, kind, new byte[kind.length()], 0644, 0));
                raw.out.flush();
                // first a second try with full digests is asked for; the client opens the file again and
                // sends the same wrong file
                DeltaMessage retry = raw.in.readRequired("retry");
                assertTrue(retry instanceof dev.ferry.delta.protocol.Retry r && r.digestLength() == 16,
                        kind + " " + retry);
                raw.upload(name, 16, kind);
                raw.out.write(Literal.raw(new byte[] {1, 2, 3}));
                raw.out.write(new dev.ferry.delta.protocol.FileEnd(3, kind, new byte[kind.length()], 0644, 0));
                raw.out.flush();
                DeltaMessage result = raw.in.readRequired("the result");
                assertTrue(result instanceof dev.ferry.delta.protocol.Result r && !r.ok(), kind + " " + result);
            }
            assertUntouched(name, data);
        }
    }

    @Test
    void aRequestOutsideTheRootIsConfinedToIt() throws Exception {
        try (Raw raw = new Raw()) {
            raw.out.write(new OpenUpload("../../outside-delta.bin", 1, 0644, 0, ChunkerParams.DEFAULT.avg(), 8,
                    SignatureRequest.FULL));
            raw.out.flush();
            DeltaMessage m = raw.in.readRequired("the signature");
            // ".." stops at the user's root: the file would land inside it, never outside
            assertTrue(m instanceof SignatureEnd end && !end.oldFileExists(), m.toString());
        }
        assertTrue(Files.notExists(ferryd.outside().getParent().resolve("outside-delta.bin")));
    }

    @Test
    void aListingStaysInTheRootAndDoesNotFollowALinkOutOfIt() throws Exception {
        Path root = ferryd.rootOf("alice");
        Files.createDirectories(root.resolve("listed/sub"));
        Files.writeString(root.resolve("listed/sub/in.txt"), "inside\n");
        Files.createSymbolicLink(root.resolve("listed/escape"), ferryd.outside());
        Files.createSymbolicLink(root.resolve("listed/climbs"), Path.of("../../outside"));
        Files.createSymbolicLink(root.resolve("listed/rel"), Path.of("sub/in.txt"));
        Files.createSymbolicLink(root.resolve("listed/abs"), root.toRealPath().resolve("listed/sub/in.txt"));
        Files.createSymbolicLink(root.resolve("escape-dir"), ferryd.outside());
        try (Raw raw = new Raw()) {
            raw.out.write(new ListRequest("../../listed"));
            raw.out.write(new ListRequest("escape-dir"));
            raw.out.flush();
            // ".." stops at the user's root; links are listed as links, never followed, their targets
            // as the user sees them (an absolute one from the root), and those leading out of it not at all
            List<ListEntry> listed = Listing.receive(raw.in);
            assertEquals(List.of("abs", "rel", "sub", "sub/in.txt"),
                    listed.stream().map(ListEntry::path).sorted().toList());
            assertEquals("/listed/sub/in.txt", listed.stream().filter(e -> e.path().equals("abs")).findFirst()
                    .orElseThrow().link());
            assertEquals("sub/in.txt", listed.stream().filter(e -> e.path().equals("rel")).findFirst()
                    .orElseThrow().link());
            DeltaFailure refused = assertThrows(DeltaFailure.class, () -> Listing.receive(raw.in));
            assertEquals("/escape-dir: it leads outside the user's root", refused.getMessage());
            raw.out.write(new ListRequest("listed")); // the session goes on
            raw.out.flush();
            assertEquals(4, Listing.receive(raw.in).size());
        }
    }

    @Test
    void aStopOutOfTurnIsNamedAndTheOldFileStays() throws Exception {
        byte[] data = old("stop.bin");
        try (Raw raw = new Raw()) {
            raw.upload("stop.bin"); // a FULL signature, which may not be stopped
            raw.out.write(new dev.ferry.delta.protocol.SignatureStop());
            raw.out.flush();
            assertEquals("got SignatureStop but no stoppable signature is open", raw.failure());
        }
        assertUntouched("stop.bin", data);
    }
}
