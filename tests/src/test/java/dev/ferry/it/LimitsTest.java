package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.Network;
import dev.ferry.server.log.ServerEvent;

/**
 * The limits against abuse, each exercised from its own loopback source address (127.0.0.x) so
 * that one test's failures cannot ban another's. The limits are small here so the tests are quick:
 * 3 unauthenticated connections per address, 2 s to authenticate, 3 s idle, 2 sessions per
 * connection, 6 authentication attempts; the ban policy is the default one (a wrong password scores
 * 3, a failed key exchange 1, a connection closed before its greeting 0, a ban at 30), with
 * 127.0.0.99 exempt.
 */
class LimitsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture(new Limits(6, Duration.ofSeconds(2), Duration.ofSeconds(3),
            2, 3, 256, BanPolicy.DEFAULT.withExempt(List.of(Network.parse("127.0.0.99")))));
    private static SshClient client;

    @BeforeAll
    static void startClient() {
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                ferryd.knownHosts()));
        client.start();
    }

    @AfterAll
    static void stopClient() throws IOException {
        client.stop();
    }

    private static Socket connectFrom(String source) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(new InetSocketAddress("127.0.0.1", ferryd.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** The server's identification line, or null when it closed the connection instead. */
    private static String greeting(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    private ClientSession login(String source) throws IOException {
        ClientSession session = client.connect("alice", new InetSocketAddress("127.0.0.1", ferryd.port()), null,
                new InetSocketAddress(source, 0)).verify(10, TimeUnit.SECONDS).getSession();
        session.addPublicKeyIdentity(KeyFiles.load(ferryd.key()));
        session.auth().verify(10, TimeUnit.SECONDS);
        return session;
    }

    @Test
    void onlyThreeConnectionsFromOneAddressMayBeAuthenticatingAtOnce() throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = connectFrom("127.0.0.21");
                open.add(s);
                assertTrue(greeting(s).startsWith("SSH-2.0-"));
            }
            try (Socket fourth = connectFrom("127.0.0.21")) {
                assertEquals(null, greeting(fourth), "the fourth connection is closed without a greeting");
            }
            try (Socket other = connectFrom("127.0.0.22")) {
                assertTrue(greeting(other).startsWith("SSH-2.0-"), "other addresses are not affected");
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        assertTrue(ferryd.events(ServerEvent.ConnectionRefused.class).stream()
                .anyMatch(e -> e.remote().startsWith("127.0.0.21:") && e.reason().contains("too many")));
    }

    /** OpenSSH's ssh from {@code source} trying {@code prompts} wrong passwords for bob. */
    private static Proc.Result wrongPasswords(String source, int prompts) throws Exception {
        Path dir = ferryd.newLocalDir();
        return Proc.run(List.of(Peers.require("ssh"), "-F", "/dev/null", "-p", String.valueOf(ferryd.port()),
                "-o", "UserKnownHostsFile=" + ferryd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-o", "BindAddress=" + source, "-o", "PubkeyAuthentication=no",
                "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=" + prompts,
                "bob@127.0.0.1", "true"), dir, OpenSsh.askpass("wrong-password", dir), null, 60);
    }

    /** Connections from {@code address} the server has closed or refused (more than 3 at once are). */
    private static long ended(String address) {
        return ferryd.events(ServerEvent.ConnectionClosed.class).stream().filter(e -> e.remote().startsWith(address + ":")).count()
                + ferryd.events(ServerEvent.ConnectionRefused.class).stream().filter(e -> e.remote().startsWith(address + ":")).count();
    }

    private static boolean banned(String address) {
        return ferryd.events(ServerEvent.Banned.class).stream().anyMatch(e -> e.address().equals(address));
    }

    @Test
    void tenWrongPasswordsBanTheAddressAndTheBannedClientIsToldWhy() throws Exception {
        wrongPasswords("127.0.0.31", 5);
        assertFalse(banned("127.0.0.31"), "five wrong passwords are not enough");
        wrongPasswords("127.0.0.31", 5);
        waitFor(() -> banned("127.0.0.31"));

        Path dir = ferryd.newLocalDir();
        Proc.Result refused = Proc.run(List.of(Peers.require("ssh"), "-F", "/dev/null", "-p", String.valueOf(ferryd.port()),
                "-o", "UserKnownHostsFile=" + ferryd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-o", "BindAddress=127.0.0.31", "-o", "BatchMode=yes", "-i", ferryd.key().toString(),
                "alice@127.0.0.1", "true"), dir, 30);
        assertEquals(255, refused.exit(), refused.all());
        assertTrue(refused.err().contains("ferryd: 127.0.0.31 is banned for"), "one line saying why: " + refused.all());
        assertThrows(Exception.class, () -> login("127.0.0.31").close(), "not even a valid key gets in");
        try (ClientSession ok = login("127.0.0.32")) {
            assertTrue(ok.isAuthenticated(), "other addresses are not affected");
        }
    }

    @Test
    void twentyFailedKeyExchangesDoNotBan() throws Exception {
        SshClient cbcOnly = SshClient.setUpDefaultClient();
        cbcOnly.setCipherFactories(List.of(BuiltinCiphers.aes128cbc)); // ferryd offers no CBC
        cbcOnly.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                ferryd.knownHosts()));
        cbcOnly.start();
        try {
            for (int i = 0; i < 20; i++) {
                assertThrows(Exception.class, () -> {
                    try (ClientSession s = cbcOnly.connect("alice", new InetSocketAddress("127.0.0.1", ferryd.port()),
                            null, new InetSocketAddress("127.0.0.33", 0)).verify(10, TimeUnit.SECONDS).getSession()) {
                        s.addPublicKeyIdentity(KeyFiles.load(ferryd.key()));
                        s.auth().verify(10, TimeUnit.SECONDS);
                    }
                });
                int done = i + 1;
                waitFor(() -> ended("127.0.0.33") >= done); // one at a time, as a client's retries come
            }
        } finally {
            cbcOnly.stop();
        }
        // a connection's end can be logged before its negotiation failure: wait for the explanations
        java.util.function.Supplier<List<ServerEvent.NegotiationFailed>> explained = () -> ferryd
                .events(ServerEvent.NegotiationFailed.class).stream().filter(e -> e.remote().startsWith("127.0.0.33:"))
                .toList();
        try {
            waitFor(() -> explained.get().size() >= 20);
        } catch (AssertionError late) {
            // the count below says what came
        }
        List<ServerEvent.NegotiationFailed> failed = explained.get();
        // The client disconnects as soon as it sees the lists disagree; when the server's own
        // KEXINIT is still unread on its side, its kernel answers with a reset, and the server's
        // kernel may drop the client's KEXINIT unread with it (seen once, under load).
        // Such a connection cannot be explained, but its close must say it was reset.
        Set<String> explainedRemotes = new HashSet<>(failed.stream()
                .map(ServerEvent.NegotiationFailed::remote).toList());
        List<ServerEvent.ConnectionClosed> unexplained = ferryd.events(ServerEvent.ConnectionClosed.class).stream()
                .filter(e -> e.remote().startsWith("127.0.0.33:")).filter(e -> !explainedRemotes.contains(e.remote()))
                .toList();
        assertTrue(unexplained.stream().allMatch(e -> e.reason().toLowerCase().contains("reset")),
                "each failure is explained or was cut by a reset: " + unexplained + " explained: " + failed);
        assertTrue(failed.size() >= 15, "most failures are explained: " + failed);
        assertTrue(failed.get(0).list().toLowerCase().contains("cipher") || failed.get(0).list().toLowerCase().contains("enc"),
                failed.get(0).toString());
        assertTrue(failed.get(0).offered().contains("aes128-cbc"), failed.get(0).toString());
        assertFalse(banned("127.0.0.33"));
        try (ClientSession ok = login("127.0.0.33")) {
            assertTrue(ok.isAuthenticated(), "the address can still log in");
        }
    }

    @Test
    void aHundredHealthChecksDoNotBan() throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Socket s = connectFrom("127.0.0.34")) {
                if (i % 2 == 0) {
                    assertTrue(greeting(s).startsWith("SSH-2.0-")); // a check that reads the banner
                }
            }
        }
        waitFor(() -> ended("127.0.0.34") >= 100);
        assertFalse(banned("127.0.0.34"));
        try (ClientSession ok = login("127.0.0.34")) {
            assertTrue(ok.isAuthenticated());
        }
    }

    @Test
    void anExemptAddressIsNeverBanned() throws Exception {
        for (int i = 0; i < 3; i++) {
            wrongPasswords("127.0.0.99", 5); // 15 wrong passwords, a score of 45
        }
        try (ClientSession ok = login("127.0.0.99")) {
            assertTrue(ok.isAuthenticated());
        }
        assertFalse(banned("127.0.0.99"));
    }

    @Test
    void aConnectionThatDoesNotAuthenticateInTimeIsClosed() throws Exception {
        try (Socket s = connectFrom("127.0.0.41")) {
            assertTrue(greeting(s).startsWith("SSH-2.0-"));
            long start = System.nanoTime();
            int read;
            try {
                read = s.getInputStream().read(new byte[4096]);
                while (read > 0) {
                    read = s.getInputStream().read(new byte[4096]);
                }
            } catch (java.net.SocketException reset) {
                read = -1;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(-1, read);
            assertTrue(seconds < 8, "closed after " + seconds + " s, with a 2 s limit");
        }
    }

    @Test
    void aConnectionMayOpenOnlyTwoSessions() throws Exception {
        try (ClientSession session = login("127.0.0.51")) {
            ChannelSubsystem one = session.createSubsystemChannel("sftp");
            one.open().verify(10, TimeUnit.SECONDS);
            ChannelSubsystem two = session.createSubsystemChannel("sftp");
            two.open().verify(10, TimeUnit.SECONDS);
            ChannelSubsystem three = session.createSubsystemChannel("sftp");
            assertThrows(Exception.class, () -> three.open().verify(10, TimeUnit.SECONDS));
            // the third channel is refused on its own, as OpenSSH's MaxSessions does: the connection
            // and its two channels go on, and a channel closed makes room for another
            assertTrue(session.isOpen(), "the connection survives the refusal");
            assertTrue(one.isOpen() && two.isOpen());
            assertTrue(ferryd.events(ServerEvent.ChannelRefused.class).stream()
                    .anyMatch(e -> e.user().equals("alice") && e.limit() == 2), "the refusal is logged");
            two.close(false).await(10, TimeUnit.SECONDS);
            // the server forgets the channel just after it answers the close: allow it a moment
            ChannelSubsystem four = null;
            for (int attempt = 0; four == null && attempt < 50; attempt++) {
                ChannelSubsystem c = session.createSubsystemChannel("sftp");
                try {
                    c.open().verify(10, TimeUnit.SECONDS);
                    four = c;
                } catch (IOException refused) {
                    Thread.sleep(100);
                }
            }
            assertTrue(four != null && four.isOpen(), "a channel opens once another has closed");
            assertTrue(session.isOpen());
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        try (ClientSession session = login("127.0.0.61")) {
            waitFor(session::isClosed);
        }
    }

    @Test
    void afterSixWrongPasswordsTheServerHangsUp() throws Exception {
        Path dir = ferryd.newLocalDir();
        Proc.Result r = Proc.run(List.of(Peers.require("ssh"), "-F", "/dev/null", "-p", String.valueOf(ferryd.port()),
                "-o", "UserKnownHostsFile=" + ferryd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-o", "BindAddress=127.0.0.71", "-o", "PubkeyAuthentication=no",
                "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=20",
                "bob@127.0.0.1", "true"), dir,
                OpenSsh.askpass("wrong-password", dir), null, 60);
        assertNotEquals(0, r.exit(), r.all());
        long failures = ferryd.events(ServerEvent.AuthFailed.class).stream()
                .filter(e -> e.remote().startsWith("127.0.0.71:") && e.user().equals("bob")).count();
        assertTrue(failures <= 6, failures + " password attempts were allowed on one connection");
        assertTrue(failures >= 3, "the attempts were made: " + failures + "\n" + r.all());
        assertFalse(r.err().contains("Welcome"), r.all());
    }

    @Test
    void theListeningSocketQueuesAThousandConnectionsNotFifty() throws Exception {
        // ss shows a listening socket's backlog as its Send-Q; the kernel caps it at somaxconn
        Proc.Result ss = Proc.run(List.of(Peers.require("ss"), "-Hltn", "sport = :" + ferryd.port()), ferryd.newLocalDir(), 10);
        assertEquals(0, ss.exit(), ss.all());
        java.util.regex.Matcher listen = java.util.regex.Pattern.compile("LISTEN\\s+\\d+\\s+(\\d+)").matcher(ss.out());
        assertTrue(listen.find(), ss.all());
        long somaxconn = Long.parseLong(java.nio.file.Files.readString(Path.of("/proc/sys/net/core/somaxconn")).strip());
        long backlog = Long.parseLong(listen.group(1));
        assertTrue(backlog == 1024 || backlog == somaxconn && somaxconn < 1024, ss.out() + " somaxconn " + somaxconn);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 15 s");
            }
            Thread.sleep(50);
        }
    }
}
