package dev.ferry.server.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.FerryServer;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.fs.FsPolicy;

class RefusalLogTest {

    @TempDir
    Path root;

    @Test
    void aShortTextIsKeptAsItIs() {
        assertEquals("rm -rf /", RefusalLog.clip("rm -rf /"));
        assertEquals("", RefusalLog.clip(null));
        String exact = "x".repeat(RefusalLog.MAX_TEXT);
        assertEquals(exact, RefusalLog.clip(exact));
    }

    @Test
    void aLongTextIsCutSayingHowLongItWas() {
        String clipped = RefusalLog.clip("y".repeat(200_000));
        assertEquals("y".repeat(RefusalLog.MAX_TEXT) + "... (200000 characters)", clipped);
    }

    @Test
    void aCutNeverSplitsACharacterInTwo() {
        String text = "a".repeat(RefusalLog.MAX_TEXT - 1) + "\uD83D\uDE00" + "tail"; // an emoji across the cut
        assertEquals("a".repeat(RefusalLog.MAX_TEXT - 1) + "... (" + text.length() + " characters)",
                RefusalLog.clip(text));
    }

    /**
     * Over a real connection: 50 refused global requests are 20 lines while the connection lasts,
     * and one line counting the other 30 when it closes, before the connection's own line.
     */
    @Test
    void aConnectionsRefusalsAreLoggedUpToTheBoundAndTheRestCountedWhenItCloses() throws Exception {
        List<ServerEvent> events = new CopyOnWriteArrayList<>();
        KeyPair userKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        try (FerryServer server = FerryServer.builder().listen("127.0.0.1", 0)
                .hostKey(KeyUtils.generateKeyPair("ssh-ed25519", 256))
                .user(UserAccount.withKeys("alice", root, List.of(userKey.getPublic()), FsPolicy.DEFAULT))
                .events(events::add).build()) {
            int port = server.start();
            SshClient client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (ClientSession session = client.connect("alice", new InetSocketAddress("127.0.0.1", port))
                    .verify(10, TimeUnit.SECONDS).getSession()) {
                session.addPublicKeyIdentity(userKey);
                session.auth().verify(10, TimeUnit.SECONDS);
                for (int i = 0; i < 50; i++) {
                    Buffer request = session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, 32);
                    request.putString("evil-" + i + "@example.com");
                    request.putBoolean(true);
                    assertEquals(null, session.request("evil-" + i + "@example.com", request, 10_000), "refused");
                }
                assertEquals(RefusalLog.LOGGED_PER_CONNECTION, events.stream()
                        .filter(ServerEvent.RequestRefused.class::isInstance).count());
                assertEquals(0, events.stream().filter(ServerEvent.RefusalsUnlogged.class::isInstance).count(),
                        "counted only when the connection closes");
            } finally {
                client.stop();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (events.stream().noneMatch(ServerEvent.ConnectionClosed.class::isInstance)
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        List<ServerEvent.RefusalsUnlogged> unlogged = events.stream()
                .filter(ServerEvent.RefusalsUnlogged.class::isInstance).map(ServerEvent.RefusalsUnlogged.class::cast)
                .toList();
        assertEquals(1, unlogged.size(), events.toString());
        assertEquals(50 - RefusalLog.LOGGED_PER_CONNECTION, unlogged.get(0).count());
        assertEquals("alice", unlogged.get(0).user());
        int countAt = events.indexOf(unlogged.get(0));
        assertTrue(events.get(countAt + 1) instanceof ServerEvent.ConnectionClosed, "the count comes before the close");
        ServerEvent.RequestRefused first = (ServerEvent.RequestRefused) events.stream()
                .filter(ServerEvent.RequestRefused.class::isInstance).findFirst().orElseThrow();
        assertEquals("global evil-0@example.com", first.request());
        assertEquals("ssh", first.protocol());
    }
}
