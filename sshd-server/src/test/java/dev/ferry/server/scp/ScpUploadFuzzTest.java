package dev.ferry.server.scp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.ferry.scp.AtomicScpFileOpener;
import dev.ferry.server.FerryServer;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.server.fs.Trees;
import dev.ferry.transport.TransportProfile;

/**
 * Coverage-guided fuzzing of what ferryd runs for an SCP upload: a real in-process ferryd on
 * loopback, one logged-in MINA client session, and per input an exec channel {@code scp -t ...}
 * (the target picked by the first byte, some through planted links) fed the rest of the input as
 * the client's side of the SCP protocol (C, D, E, T lines and file data), then end of file. The
 * user's root holds links leading out, beside a directory {@code outside/} of sentinel files. For
 * every input:
 * <ul>
 * <li>the channel closes, with an exit status, within 10 s (no hang), and a failure is reported
 *     on the protocol's error line;</li>
 * <li>nothing outside the root changed (names, sizes, contents, modes, mtimes);</li>
 * <li>no link or hard link appeared in the root, and no temporary upload file was left;</li>
 * <li>what ferryd sent back never names the real directory of the root.</li>
 * </ul>
 * Seeds: {@code ScpUploadFuzzTestInputs/}, uploads of files, trees, times and hostile names.
 */
class ScpUploadFuzzTest {

    private static final List<String> COMMANDS = List.of("scp -t -r /", "scp -t -r -p .", "scp -t -d /sub",
            "scp -t /abs-dir", "scp -t -r /rel-dir/x", "scp -t -r sub/up", "scp -t /dangling", "scp -t -r -p -d /sub/new");

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    static Path tmp;
    static Path base;
    static Path root;
    static Map<String, String> outsideBefore;
    static FerryServer server;
    static SshClient client;
    static ClientSession session;

    /**
     * Started on the first input rather than before all: Jazzer's bug detectors load with the first
     * input, and the connection to ferryd on loopback must be declared this test's own to them (any
     * other connection is a finding).
     */
    private static void start() throws Exception {
        BugDetectors.allowNetworkConnections((host, port) -> host.equals("127.0.0.1"));
        base = tmp.toRealPath();
        root = Files.createDirectory(base.resolve("root"));
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createDirectory(outside.resolve("x"));
        Files.setLastModifiedTime(outside.resolve("secret.txt"), FileTime.fromMillis(1_000_000_000_000L));
        plantRoot();
        outsideBefore = Trees.snapshot(base, root);

        KeyPair userKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyPair hostKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        server = FerryServer.builder()
                .listen("127.0.0.1", 0)
                .hostKey(hostKey)
                .user(UserAccount.withKeys("alice", root, List.of(userKey.getPublic()), FsPolicy.DEFAULT))
                .events(event -> { })
                .build();
        int port = server.start();
        client = SshClient.setUpDefaultClient();
        TransportProfile.DEFAULT.applyTo(client); // TCP_NODELAY: without it each input waits out a delayed ACK
        client.setServerKeyVerifier((s, address, key) -> KeyUtils.compareKeys(key, hostKey.getPublic()));
        client.start();
        session = client.connect("alice", new InetSocketAddress("127.0.0.1", port))
                .verify(PATIENCE).getSession();
        session.addPublicKeyIdentity(userKey);
        session.auth().verify(PATIENCE);
    }

    @AfterAll
    static void stop() throws IOException {
        if (client != null) {
            client.stop();
        }
        if (server != null) {
            server.close();
        }
    }

    @FuzzTest
    void anUploadStaysInTheRootAndEndsWithAnAnswer(byte[] input) throws Exception {
        if (session == null) {
            start();
        }
        if (input.length == 0) {
            return;
        }
        plantRoot();
        String command = COMMANDS.get((input[0] & 0xff) % COMMANDS.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Integer exit;
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(out);
            channel.open().verify(PATIENCE);
            try (OutputStream toServer = channel.getInvertedIn()) {
                toServer.write(input, 1, input.length - 1);
                toServer.flush();
            } catch (IOException serverStoppedReading) {
                // ferryd ended the command early (an error line), and closes the channel
            }
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), PATIENCE);
            assertTrue(events.contains(ClientChannelEvent.CLOSED), () -> command + " did not end within " + PATIENCE);
            exit = channel.getExitStatus();
        }
        String answer = out.toString(ISO_8859_1);
        assertNotNull(exit, () -> command + " closed without an exit status; it answered " + answer);
        if (exit != 0) {
            assertTrue(answer.indexOf(1) >= 0 || answer.indexOf(2) >= 0,
                    () -> command + " failed (" + exit + ") without an error line: " + answer);
        }
        if (!new String(input, ISO_8859_1).contains(base.toString())) {
            // (The fuzzer learns the path from this very comparison and sends it; an echo is no leak.)
            assertFalse(answer.contains(base.toString()), () -> "the answer names the real root: " + answer);
        }
        assertEquals(outsideBefore, Trees.snapshot(base, root), "something outside the root changed");
        checkRoot(new String(input, UTF_8));
    }

    /** A fresh root: a file, a directory, and links leading out (absolute, relative, dangling, from below). */
    private static void plantRoot() throws IOException {
        if (Files.exists(root.resolve("sub"), LinkOption.NOFOLLOW_LINKS)) {
            Trees.delete(root);
            Files.createDirectory(root);
        }
        Files.writeString(root.resolve("inside.txt"), "inside");
        Files.createDirectory(root.resolve("sub"));
        Path outside = base.resolve("outside");
        Files.createSymbolicLink(root.resolve("abs-dir"), outside);
        Files.createSymbolicLink(root.resolve("rel-dir"), Path.of("../outside"));
        Files.createSymbolicLink(root.resolve("abs-file"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("new.txt"));
        Files.createSymbolicLink(root.resolve("sub/up"), Path.of("../../outside"));
    }

    /**
     * Only the planted links, no hard links, no upload left half-done: no temporary file, unless
     * the client itself sent that name (the fuzzer learns the prefix from this very check).
     */
    private static void checkRoot(String sent) throws IOException {
        Set<String> planted = Set.of("abs-dir", "rel-dir", "abs-file", "dangling", "sub/up");
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                String name = root.relativize(file).toString();
                if (attributes.isSymbolicLink()) {
                    assertTrue(planted.contains(name), () -> "a link appeared: " + name);
                } else if (attributes.isRegularFile()) {
                    assertEquals(1, Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS),
                            () -> "a hard link appeared: " + name);
                    String fileName = file.getFileName().toString();
                    assertFalse(fileName.startsWith(AtomicScpFileOpener.TEMP_PREFIX) && !sent.contains(fileName),
                            () -> "an upload left its temporary file: " + name);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
