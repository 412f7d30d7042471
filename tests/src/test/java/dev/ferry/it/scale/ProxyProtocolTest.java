package dev.ferry.it.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Haproxy;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.server.auth.Network;
import dev.ferry.server.log.ServerEvent;

/**
 * HAProxy in TCP mode in front of ferryd, which accepts PROXY headers from 127.0.0.1 only: HAProxy
 * listens on 127.0.0.2 and reaches ferryd from 127.0.0.1; OpenSSH's clients bind other loopback
 * addresses (127.0.0.3 and up), so the client's address, the balancer's and ferryd's all differ.
 * One frontend sends PROXY v2 ({@code send-proxy-v2}), the other v1 ({@code send-proxy}).
 */
class ProxyProtocolTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture()
            .configure(b -> b.proxyProtocolFrom(List.of(Network.parse("127.0.0.1/32"))));

    private static Path dir;
    private static Haproxy haproxy;
    private static int v2Port;
    private static int v1Port;
    private static Path knownHosts;

    @BeforeAll
    static void startHaproxy() throws Exception {
        dir = Files.createTempDirectory("ferry-haproxy-");
        v2Port = Haproxy.freePort("127.0.0.2");
        v1Port = Haproxy.freePort("127.0.0.2");
        haproxy = Haproxy.start(dir, Haproxy.defaults() + String.join("\n",
                "frontend v2",
                "    bind 127.0.0.2:" + v2Port,
                "    default_backend ferryd_v2",
                "backend ferryd_v2",
                "    server ferryd 127.0.0.1:" + ferryd.port() + " send-proxy-v2",
                "frontend v1",
                "    bind 127.0.0.2:" + v1Port,
                "    default_backend ferryd_v1",
                "backend ferryd_v1",
                "    server ferryd 127.0.0.1:" + ferryd.port() + " send-proxy",
                ""), "127.0.0.2", v2Port, v1Port);
        // ferryd's host key, as the clients will name it through the balancer
        String key = Files.readString(ferryd.knownHosts()).substring(Files.readString(ferryd.knownHosts()).indexOf(' '));
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.2]:" + v2Port + key + "[127.0.0.2]:" + v1Port + key);
    }

    @AfterAll
    static void stopHaproxy() throws Exception {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    /** OpenSSH's {@code tool} (sftp or ssh) from {@code source}, through the balancer's {@code port}, with a password. */
    private static Proc.Result through(String tool, int port, String source, String user, String password,
            List<String> args, String input) throws IOException {
        Path cwd = ferryd.newLocalDir();
        List<String> cmd = new ArrayList<>(List.of(Peers.require(tool), tool.equals("sftp") ? "-P" : "-p",
                String.valueOf(port), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "BindAddress=" + source,
                "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
                "-o", "NumberOfPasswordPrompts=" + (password.equals(FerrydFixture.BOB_PASSWORD) ? 1 : 5),
                user + "@127.0.0.2"));
        cmd.addAll(args);
        return Proc.run(cmd, cwd, OpenSsh.askpass(password, cwd),
                input == null ? null : input.getBytes(StandardCharsets.UTF_8), 60);
    }

    private static boolean logged(Class<? extends ServerEvent> type, java.util.function.Predicate<String> remote) {
        return ferryd.events(type).stream().map(ProxyProtocolTest::remoteOf).anyMatch(remote);
    }

    private static String remoteOf(ServerEvent e) {
        if (e instanceof ServerEvent.AuthSucceeded a) {
            return a.remote();
        } else if (e instanceof ServerEvent.ConnectionClosed c) {
            return c.remote();
        } else if (e instanceof ServerEvent.ConnectionRefused r) {
            return r.remote();
        }
        return "";
    }

    @Test
    void anSftpUploadAndDownloadThroughHaproxyAreLoggedWithTheClientsAddress() throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = "through the balancer\n".repeat(5000).getBytes(StandardCharsets.UTF_8);
        Files.write(local.resolve("up.txt"), data);
        Proc.Result r = through("sftp", v2Port, "127.0.0.3", "bob", FerrydFixture.BOB_PASSWORD, List.of(),
                "put " + local.resolve("up.txt") + " up.txt\nget up.txt " + local.resolve("down.txt") + "\n");
        assertEquals(0, r.exit(), r.all());
        assertEquals(List.of(true, true), List.of(
                java.util.Arrays.equals(data, Files.readAllBytes(ferryd.rootOf("bob").resolve("up.txt"))),
                java.util.Arrays.equals(data, Files.readAllBytes(local.resolve("down.txt")))));
        assertTrue(logged(ServerEvent.AuthSucceeded.class, a -> a.startsWith("127.0.0.3:")), ferryd.events().toString());
        waitFor(() -> logged(ServerEvent.ConnectionClosed.class, a -> a.startsWith("127.0.0.3:")));
        assertEquals(2, ferryd.events(ServerEvent.Transfer.class).stream()
                .filter(t -> t.remote().startsWith("127.0.0.3:")).count(), ferryd.events().toString());
        assertFalse(logged(ServerEvent.AuthSucceeded.class, a -> a.startsWith("127.0.0.1:")),
                "the balancer's address is never the client's");
    }

    @Test
    void aHeaderOfVersionOneThroughHaproxyNamesTheClientToo() throws Exception {
        Proc.Result r = through("sftp", v1Port, "127.0.0.6", "bob", FerrydFixture.BOB_PASSWORD, List.of(), "pwd\n");
        assertEquals(0, r.exit(), r.all());
        assertTrue(logged(ServerEvent.AuthSucceeded.class, a -> a.startsWith("127.0.0.6:")), ferryd.events().toString());
    }

    @Test
    void tenWrongPasswordsThroughTheBalancerBanTheClientAndNotTheBalancer() throws Exception {
        Proc.Result first = through("ssh", v2Port, "127.0.0.5", "bob", "wrong-password", List.of("true"), null);
        Proc.Result second = through("ssh", v2Port, "127.0.0.5", "bob", "wrong-password", List.of("true"), null);
        waitFor(() -> banned("127.0.0.5"), () -> first.all() + second.all() + ferryd.events());
        assertFalse(banned("127.0.0.1"), "the balancer is not banned");

        Proc.Result refused = through("ssh", v2Port, "127.0.0.5", "bob", FerrydFixture.BOB_PASSWORD, List.of("true"),
                null);
        assertEquals(255, refused.exit(), refused.all());
        assertTrue(refused.err().contains("ferryd: 127.0.0.5 is banned for"), "told why: " + refused.all());

        Proc.Result other = through("ssh", v2Port, "127.0.0.4", "bob", FerrydFixture.BOB_PASSWORD, List.of("true"),
                null);
        assertTrue(logged(ServerEvent.AuthSucceeded.class, a -> a.startsWith("127.0.0.4:")),
                "another client through the same balancer still logs in: " + other.all() + ferryd.events());
    }

    /**
     * HAProxy's health checks, as docs/scale-out.md sets them up but sending an identification line as
     * a client would: each check then ends as a failed key exchange (score 1; 30 ban), 50 per server
     * in 5 s. Checks are the balancer's own connections (a v2 LOCAL header; a v1 header naming the
     * check's own socket): they must neither ban the balancer nor write a line each; nor must a
     * connect-only check, which HAProxy resets before ferryd has read its header.
     */
    @Test
    void healthChecksThatGreetLikeAClientNeitherBanTheBalancerNorFillTheLog() throws Exception {
        Path checks = Files.createTempDirectory(dir, "checks");
        int port = Haproxy.freePort("127.0.0.2");
        Path stats = checks.resolve("stats.sock");
        String table;
        long closedBefore;
        long closedAfter;
        try (Haproxy checking = Haproxy.start(checks, "global\n    stats socket " + stats + "\n" + Haproxy.defaults()
                + String.join("\n",
                        "frontend checked",
                        "    bind 127.0.0.2:" + port,
                        "    default_backend checked",
                        "backend checked",
                        "    option tcp-check",
                        "    tcp-check send SSH-2.0-HAProxy-check\\r\\n",
                        "    tcp-check expect rstring ^SSH-2\\.0-",
                        "    server v2 127.0.0.1:" + ferryd.port() + " send-proxy-v2 check check-send-proxy inter 100ms",
                        "    server v1 127.0.0.1:" + ferryd.port() + " send-proxy check check-send-proxy inter 100ms",
                        // a connect-only check: its header sent, the connection reset at once
                        "backend bare",
                        "    server v2 127.0.0.1:" + ferryd.port() + " send-proxy-v2 check check-send-proxy inter 100ms",
                        ""), "127.0.0.2", port)) {
            Thread.sleep(500); // the connections of the tests before have ended, the checks begun
            closedBefore = closedFromTheBalancer();
            Thread.sleep(5000);
            closedAfter = closedFromTheBalancer();
            table = Haproxy.ask(stats, "show stat");
        }
        for (String server : List.of("v2", "v1")) {
            Map<String, String> row = Haproxy.row(table, "checked", server);
            assertEquals(List.of("UP", "L7OK", "0"), List.of(row.get("status"), row.get("check_status"),
                    row.get("chkfail")), "server " + server + "'s checks reached ferryd and passed: " + row);
        }
        Map<String, String> bare = Haproxy.row(table, "bare", "v2");
        assertEquals(List.of("UP", "L4OK"), List.of(bare.get("status"), bare.get("check_status")), bare.toString());
        assertFalse(banned("127.0.0.1"), "the checks did not ban the balancer: " + ferryd.events(ServerEvent.Banned.class));
        assertEquals(closedBefore, closedAfter, () -> "no line per check: "
                + ferryd.events(ServerEvent.ConnectionClosed.class).stream().map(ServerEvent.ConnectionClosed::reason)
                        .distinct().toList());
        Proc.Result r = through("sftp", v2Port, "127.0.0.8", "bob", FerrydFixture.BOB_PASSWORD, List.of(), "pwd\n");
        assertEquals(0, r.exit(), r.all());
    }

    private static long closedFromTheBalancer() {
        return ferryd.events(ServerEvent.ConnectionClosed.class).stream()
                .filter(c -> c.remote().startsWith("127.0.0.1:")).count();
    }

    private static boolean banned(String address) {
        return ferryd.events(ServerEvent.Banned.class).stream().anyMatch(e -> e.address().equals(address));
    }

    /** A raw connection to ferryd itself from {@code source}, which sends {@code bytes} and reads until closed. */
    private static String direct(String source, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress("127.0.0.1", ferryd.port()), 5000);
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
            } catch (IOException closedAlready) {
                // a refused connection may be gone before the write
            }
            InputStream in = s.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (java.net.SocketException reset) {
                return ""; // closed before anything was read
            }
        }
    }

    private static String refusal(String source) throws InterruptedException {
        waitFor(() -> ferryd.events(ServerEvent.ProxyHeaderRefused.class).stream()
                .anyMatch(e -> e.remote().startsWith(source + ":")));
        return ferryd.events(ServerEvent.ProxyHeaderRefused.class).stream()
                .filter(e -> e.remote().startsWith(source + ":")).reduce((a, b) -> b).orElseThrow().reason();
    }

    @Test
    void aConnectionFromAnAddressNotListedIsRefusedBeforeTheGreeting() throws Exception {
        String answer = direct("127.0.0.7", "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\nSSH-2.0-x\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals("", answer, "not even ferryd's identification line");
        assertTrue(refusal("127.0.0.7").contains("not from an address allowed"));
        assertFalse(logged(ServerEvent.ConnectionClosed.class, a -> a.startsWith("192.0.2.1:")));
    }

    @Test
    void aDirectConnectionFromTheBalancersAddressWithoutAHeaderIsRefused() throws Exception {
        int before = ferryd.events(ServerEvent.ProxyHeaderRefused.class).size();
        String answer = direct("127.0.0.1", "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(answer.startsWith("SSH-2.0-"), "the greeting goes first, then the connection is closed: " + answer);
        waitFor(() -> ferryd.events(ServerEvent.ProxyHeaderRefused.class).size() > before);
        assertEquals("no PROXY header", refusal("127.0.0.1"));
    }

    @Test
    void malformedHeadersAreRefusedEachWithItsReason() throws Exception {
        byte[] badVersion = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x31, 0x11, 0, 12};
        byte[] oversize = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11,
            (byte) 0xFF, (byte) 0xFF};
        List<byte[]> headers = List.of(
                "PROXY TCP4 192.0.2.1 192.0.2.2 99999 22\r\nSSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII),
                ("PROXY TCP4 " + "9".repeat(120) + "\r\n").getBytes(StandardCharsets.US_ASCII),
                badVersion, oversize, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        List<String> expected = List.of("port", "longer than 107", "version 3", "more than", "no PROXY header");
        for (int i = 0; i < headers.size(); i++) {
            int before = ferryd.events(ServerEvent.ProxyHeaderRefused.class).size();
            direct("127.0.0.1", headers.get(i));
            waitFor(() -> ferryd.events(ServerEvent.ProxyHeaderRefused.class).size() > before);
            String reason = ferryd.events(ServerEvent.ProxyHeaderRefused.class).get(before).reason();
            assertTrue(reason.contains(expected.get(i)), expected.get(i) + " in: " + reason);
        }
        assertNull(ferryd.events(ServerEvent.Banned.class).stream().filter(b -> b.address().equals("127.0.0.1"))
                .findAny().orElse(null), "malformed headers do not ban the balancer");
    }

    /**
     * MINA reads the identification line again at each arrival, rewinding to before the header until
     * the line is complete: the header must be skipped each time, and the client admitted once.
     */
    @Test
    void aHeaderFollowedByAnIdentificationArrivingByteByByteIsServed() throws Exception {
        byte[] header = "PROXY TCP4 192.0.2.44 127.0.0.2 40000 22\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", ferryd.port()), 5000);
            s.getOutputStream().write(header);
            s.getOutputStream().flush();
            for (byte b : "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII)) {
                s.getOutputStream().write(b);
                s.getOutputStream().flush();
                Thread.sleep(5); // separate segments, each a separate read for the server
            }
            s.setSoTimeout(2000);
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                while (in.read(buffer) >= 0) {
                    // the greeting and the key exchange's first message, then silence: the server waits
                }
                throw new AssertionError("the server closed the connection: " + ferryd.events());
            } catch (java.net.SocketTimeoutException waiting) {
                // still open, waiting for our key exchange
            }
        }
        waitFor(() -> logged(ServerEvent.ConnectionClosed.class, a -> a.startsWith("192.0.2.44:")));
        assertEquals(0, ferryd.events(ServerEvent.ProxyHeaderRefused.class).stream()
                .filter(e -> e.reason().contains("192.0.2.44")).count());
    }

    @Test
    void ferrydsFlagTakesTheBalancersAndRefusesAConnectionWithoutHeader(@TempDir Path cwd) throws Exception {
        try (FerrydProcess process = FerrydProcess.start(cwd, "--listen", "127.0.0.1:0",
                "--proxy-protocol-from", "127.0.0.1/32,10.0.0.0/8")) {
            try (Socket s = new Socket("127.0.0.1", process.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getInputStream().readAllBytes();
            }
            String line = process.awaitStderr("proxy-header-refused", 15);
            assertTrue(line.contains("127.0.0.1:") && line.contains("no PROXY header"), line);
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        waitFor(condition, () -> "");
    }

    private static void waitFor(BooleanSupplier condition, java.util.function.Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 15 s " + context.get());
            }
            Thread.sleep(50);
        }
    }
}
