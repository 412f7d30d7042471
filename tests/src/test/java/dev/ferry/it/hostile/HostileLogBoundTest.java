package dev.ferry.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.sftp.common.SftpConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerrydProcess;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.log.ServerEvent;

/**
 * ferryd as its own process, as it runs for real: one connection sends about 540 requests it refuses
 * (global requests, env, unknown channel requests, unknown SFTP packets, channels beyond the
 * limit), and ferryd's whole stderr is then its own JSON lines, 20 refusals of that connection and
 * one count of the rest, with no line of MINA's; its resident memory is reported.
 */
class HostileLogBoundTest {

    @TempDir
    Path dir;

    @Test
    void aFloodOfRefusedRequestsIsTwentyLinesAndACountInFerrydsOwnLog() throws Exception {
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        Path key = dir.resolve("id_tester");
        KeyFiles.write(pair, key, "tester");
        Path root = Files.createDirectories(dir.resolve("files"));
        try (FerrydProcess ferryd = FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--user", "tester",
                "--root", root.toString(), "--authorized-keys", key + ".pub", "--log-format", "json")) {
            long rssBefore = rssKiB(ferryd.pid());
            SshClient client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE); // the log is under test here, not the key
            client.start();
            String remote;
            int refused;
            try (ClientSession session = client.connect("tester", new InetSocketAddress("127.0.0.1", ferryd.port()))
                    .verify(30, TimeUnit.SECONDS).getSession()) {
                session.addPublicKeyIdentity(pair);
                session.auth().verify(30, TimeUnit.SECONDS);
                remote = ServerEvent.address(session.getIoSession().getLocalAddress());
                refused = flood(session);
                assertTrue(refused >= 538, "refused " + refused); // 40 channels, or 42 while the closed two are forgotten
            } finally {
                client.stop();
            }
            List<JsonNode> lines = awaitClosed(ferryd, remote);
            long rssAfter = rssKiB(ferryd.pid());
            System.out.printf("ferryd RSS: %d MiB before, %d MiB after %d refused requests%n", rssBefore / 1024,
                    rssAfter / 1024, refused);
            List<JsonNode> ours = lines.stream().filter(l -> remote.equals(l.path("remote").asText())).toList();
            assertEquals(RefusalLog.LOGGED_PER_CONNECTION, ours.stream()
                    .filter(l -> l.path("event").asText().equals("request-refused")).count(), ours.toString());
            List<JsonNode> counted = ours.stream().filter(l -> l.path("event").asText().equals("refusals-unlogged"))
                    .toList();
            assertEquals(1, counted.size(), ours.toString());
            assertEquals(refused - RefusalLog.LOGGED_PER_CONNECTION, counted.get(0).path("count").asLong());
        }
    }

    /** Sends what ferryd refuses, about 540 requests in all, each answered; returns how many were refused. */
    private static int flood(ClientSession session) throws Exception {
        int refused = 0;
        for (int i = 0; i < 100; i++) {
            int n = i;
            refused += RawChannel.global(session, "flood-" + n + "@example.com", b -> {
            }) ? 0 : 1;
        }
        try (RawChannel channel = RawChannel.open(session)) {
            for (int i = 0; i < 100; i++) {
                int n = i;
                channel.send("env", b -> {
                    b.putString("FLOOD" + n);
                    b.putString("x");
                });
                channel.send("flood-" + n + "@example.com", b -> {
                });
            }
            for (int i = 0; i < 200; i++) {
                refused += channel.answer() ? 0 : 1;
            }
        }
        try (SftpWire sftp = SftpWire.ready(session)) {
            for (int i = 0; i < 200; i++) {
                sftp.request(new SftpWire.Message(150, sftp.id()));
            }
            for (int i = 0; i < 200; i++) {
                refused += sftp.status() == SftpConstants.SSH_FX_OP_UNSUPPORTED ? 1 : 0;
            }
        }
        List<OpenFuture> opens = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            opens.add(RawChannel.openTyped(session, "session"));
        }
        for (OpenFuture open : opens) {
            open.await(30, TimeUnit.SECONDS);
            refused += open.isOpened() ? 0 : 1;
        }
        return refused;
    }

    /** ferryd's stderr once the connection from {@code remote} is logged closed, every line parsed as JSON. */
    private static List<JsonNode> awaitClosed(FerrydProcess ferryd, String remote) throws Exception {
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : ferryd.stderr()) {
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (IOException notJson) {
                    throw new AssertionError("a line that is not ferryd's own: " + line);
                }
                assertFalse(node == null || !node.has("event"), line);
                lines.add(node);
            }
            if (lines.stream().anyMatch(l -> l.path("event").asText().equals("connection-closed")
                    && remote.equals(l.path("remote").asText()))) {
                return lines;
            }
            assertTrue(System.nanoTime() < deadline, "no connection-closed for " + remote + " in " + lines);
            Thread.sleep(50);
        }
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmRSS for " + pid);
    }
}
