package dev.ferry.it.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Haproxy;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Postgres;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;
import dev.ferry.security.KeyFiles;

/**
 * The scale-out layout of docs/scale-out.md on loopback: one PostgreSQL holding the users, two
 * ferryd processes (nodes a and b) sharing one root directory and one host key, and HAProxy in TCP
 * mode in front of them with {@code send-proxy-v2}. HAProxy listens on 127.0.0.2 and reaches the
 * nodes from 127.0.0.1, the only address the nodes take PROXY headers from; OpenSSH's clients bind
 * 127.0.0.3 and up, so the client's, the balancer's and the nodes' addresses all differ (ferry
 * cannot choose its source address and so comes from 127.0.0.1).
 *
 * <p>HAProxy has four parts: {@code balanced}, round robin over both nodes with the checks of
 * docs/scale-out.md (every 200 ms, down at the first failure) and retries that send a refused
 * connection to the other node; {@code only_a} and {@code only_b}, one node each, for the steps that
 * must know which node serves them (the node killed mid-upload, the two uploads through two nodes);
 * and {@code health}, no frontend, only the same checks every 100 ms, as a monitor's. The nodes are started once
 * for the class; the test that kills node a starts it again on its port, so the tests run in any order.
 */
class ScaleOutTest {

    /** sftp's -l, in Kbit/s: 2 MiB take about 4 s, long enough to kill a node or overlap two uploads. */
    private static final String SLOW = "4000";
    private static final int SIZE = 2 << 20;
    private static final String BALANCER = "127.0.0.2";
    /** Where ferry connects from ({@code -o BindAddress}), so that the nodes' logs can name it. */
    private static final String FERRY_SOURCE = "127.0.0.11";
    private static final String PASSWORD = "scale-out-secret";

    private static Path dir;
    private static Postgres pg;
    private static String database;
    private static Path hostKey;
    private static Path aliceRoot;
    private static Path knownHosts;
    private static FerrydProcess a;
    private static FerrydProcess b;
    private static Haproxy haproxy;
    private static int balanced;
    private static int onlyA;
    private static int onlyB;

    /** Where each node's log stood when the test began: the lines after it are the test's. */
    private int markA;
    private int markB;

    @BeforeAll
    static void startTheLayout() throws Exception {
        dir = Files.createTempDirectory("ferry-scale-out-");
        pg = Postgres.launch();
        database = pg.newDatabase("scaleout");
        hostKey = dir.resolve("shared/host_ed25519_key");
        Files.createDirectories(hostKey.getParent());
        KeyFiles.loadOrGenerateEd25519(hostKey);
        aliceRoot = Files.createDirectories(dir.resolve("shared/alice"));
        String aliceKey = "@" + newKey("alice");
        // three JVMs at once, a few seconds saved: the schema's migrations take an advisory lock
        CompletableFuture<Proc.Result> addAlice = CompletableFuture.supplyAsync(() -> ferrydUser(PASSWORD + "\n",
                "add", "alice", "--root", aliceRoot.toString(), "--key", aliceKey, "--password-stdin"));
        CompletableFuture<FerrydProcess> startA = CompletableFuture.supplyAsync(() -> node("a", 0));
        CompletableFuture<FerrydProcess> startB = CompletableFuture.supplyAsync(() -> node("b", 0));
        a = startA.join();
        b = startB.join();
        Proc.Result added = addAlice.join();
        assertEquals(0, added.exit(), added.all());

        balanced = Haproxy.freePort(BALANCER);
        onlyA = Haproxy.freePort(BALANCER);
        onlyB = Haproxy.freePort(BALANCER);
        String toA = "127.0.0.1:" + a.port() + " send-proxy-v2";
        String toB = "127.0.0.1:" + b.port() + " send-proxy-v2";
        // the checks of docs/scale-out.md: a PROXY v2 LOCAL header, an identification line as a client's,
        // the node's greeting read, the connection reset (were it a client's, a failed key exchange)
        String checks = String.join("\n", "    option tcp-check", "    tcp-check send SSH-2.0-HAProxy-check\\r\\n",
                "    tcp-check expect rstring ^SSH-2\\.0-", "    timeout check 2s", "");
        haproxy = Haproxy.start(dir, "global\n    stats socket " + dir.resolve("haproxy.sock") + "\n"
                + Haproxy.defaults() + String.join("\n",
                "frontend balanced",
                "    bind " + BALANCER + ":" + balanced,
                "    default_backend nodes",
                "backend nodes",
                "    balance roundrobin",
                "    option redispatch",
                "    retries 3",
                checks + "    server a " + toA + " check inter 200ms fall 1 rise 1 check-send-proxy",
                "    server b " + toB + " check inter 200ms fall 1 rise 1 check-send-proxy",
                "frontend only_a",
                "    bind " + BALANCER + ":" + onlyA,
                "    default_backend node_a",
                "backend node_a",
                "    server a " + toA,
                "frontend only_b",
                "    bind " + BALANCER + ":" + onlyB,
                "    default_backend node_b",
                "backend node_b",
                "    server b " + toB,
                // a monitor's, more often
                "backend health",
                checks + "    server a " + toA + " check inter 100ms check-send-proxy",
                "    server b " + toB + " check inter 100ms check-send-proxy",
                ""), BALANCER, balanced, onlyA, onlyB);

        String key = " " + Files.readString(Path.of(hostKey + ".pub")).strip() + "\n";
        knownHosts = Files.writeString(dir.resolve("known_hosts"), Stream.of(balanced, onlyA, onlyB)
                .map(port -> "[" + BALANCER + "]:" + port + key).reduce("", String::concat));
    }

    @AfterAll
    static void stopTheLayout() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {haproxy, a, b, pg}) {
            if (c != null) {
                c.close();
            }
        }
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void markTheLogsOnceBothNodesAreUp() throws Exception {
        for (String node : List.of("a", "b")) {
            waitFor(() -> "UP".equals(stat("nodes", node).get("status")),
                    () -> "node " + node + " is not up in HAProxy" + logs());
        }
        markA = a.stderr().size();
        markB = b.stderr().size();
    }

    /** HAProxy's {@code show stat} row for {@code server} of {@code backend} ({@code status}, {@code chkfail}...). */
    private static Map<String, String> stat(String backend, String server) {
        try {
            return Haproxy.row(Haproxy.ask(dir.resolve("haproxy.sock"), "show stat"), backend, server);
        } catch (IOException e) {
            return Map.of("error", e.toString());
        }
    }

    /** Node {@code name} on {@code port} (0 for any), its users in PostgreSQL, its state its own. */
    private static FerrydProcess node(String name, int port) {
        try {
            return FerrydProcess.start(dir, "--listen", "127.0.0.1:" + port, "--state-dir",
                    dir.resolve("node-" + name).toString(), "--proxy-protocol-from", "127.0.0.1/32",
                    "--database", database, "--host-key", hostKey.toString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("node " + name + " did not start", e);
        }
    }

    /** {@code ferryd user ... --database}: a change every node sees at its next login. */
    private static Proc.Result ferrydUser(String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("user"));
        all.addAll(List.of(args));
        all.addAll(List.of("--database", database));
        return FerrydProcess.run(dir, stdin.getBytes(StandardCharsets.UTF_8), all.toArray(String[]::new));
    }

    /** A new ed25519 key pair at {@code dir/name}; the public key's file. */
    private static Path newKey(String name) throws Exception {
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyFiles.write(pair, dir.resolve(name), name);
        return dir.resolve(name + ".pub");
    }

    /** OpenSSH's sftp from {@code source} through the frontend on {@code port}, with {@code user}'s key. */
    private static List<String> sftp(String source, int port, String user, String limit, String... commands)
            throws IOException {
        Path batch = Files.writeString(Files.createTempFile(dir, "batch", ""), String.join("\n", commands) + "\n");
        List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-b", batch.toString(), "-P",
                String.valueOf(port), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "BindAddress=" + source,
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-i", dir.resolve(user).toString()));
        if (limit != null) {
            cmd.addAll(List.of("-l", limit));
        }
        cmd.add(user + "@" + BALANCER);
        return cmd;
    }

    private static Proc.Result run(List<String> command) {
        return Proc.run(command, dir, 60);
    }

    /** ferry's {@code cp} or {@code sync} through the balancer, with alice's key and the one host key. */
    private static Proc.Result ferry(String command, String... operands) {
        return FerryCli.run(dir, ferryArgs(balanced, command, operands).toArray(String[]::new));
    }

    /** The arguments of ferry's {@code command} through the frontend on {@code port}. */
    private static List<String> ferryArgs(int port, String command, String... operands) {
        List<String> args = new ArrayList<>(List.of(command, "-B", "-P", String.valueOf(port),
                "-o", "BindAddress=" + FERRY_SOURCE,
                "-i", dir.resolve("alice").toString(), "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null"));
        args.addAll(List.of(operands));
        return args;
    }

    /** The lines of {@code kind} ({@code auth-ok}, {@code banned}) that {@code node} logged from line {@code mark}. */
    private static List<String> logged(FerrydProcess node, int mark, String kind) {
        List<String> lines = node.stderr();
        return lines.subList(Math.min(mark, lines.size()), lines.size()).stream()
                .filter(l -> l.split(" ", 3).length > 1 && l.split(" ", 3)[1].equals(kind)).toList();
    }

    /**
     * Waits until {@code node} logged, from line {@code mark}, a line of {@code kind} that {@code matches}:
     * a node may write its line just after the client has its answer and exits.
     */
    private static void awaitLogged(FerrydProcess node, int mark, String kind, Predicate<String> matches, String what)
            throws InterruptedException {
        waitFor(() -> logged(node, mark, kind).stream().anyMatch(matches), () -> what + logs());
    }

    /** A field of a text log line ({@code remote=127.0.0.3:41234}), empty when absent. */
    private static String field(String line, String name) {
        Matcher m = Pattern.compile("(?:^| )" + name + "=(\\S+)").matcher(line);
        return m.find() ? m.group(1) : "";
    }

    /** Whether {@code line}'s remote is {@code address}, whatever the port. */
    private static boolean from(String line, String address) {
        return field(line, "remote").startsWith(address + ":");
    }

    private static String logs() {
        return "\n--- node a\n" + String.join("\n", a.stderr()) + "\n--- node b\n" + String.join("\n", b.stderr())
                + "\n--- haproxy\n" + haproxy.output();
    }

    private static List<String> namesIn(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void sftpThroughTheBalancerReachesBothNodesWhichLogTheClientsAddress() throws Exception {
        Path work = Files.createDirectories(aliceRoot.resolve("sftp"));
        byte[] data = TestData.random(300_000, 11);
        Files.write(dir.resolve("sftp-up.bin"), data);
        Proc.Result up = run(sftp("127.0.0.3", balanced, "alice", null, "put sftp-up.bin sftp/up.bin"));
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(data, Files.readAllBytes(work.resolve("up.bin")));
        for (int i = 0; i < 3; i++) {
            Path back = dir.resolve("sftp-down-" + i + ".bin");
            Proc.Result down = run(sftp("127.0.0.3", balanced, "alice", null, "get sftp/up.bin " + back));
            assertEquals(0, down.exit(), down.all());
            assertArrayEquals(data, Files.readAllBytes(back), "download " + i);
        }

        for (FerrydProcess node : List.of(a, b)) {
            List<String> logins = logged(node, node == a ? markA : markB, "auth-ok");
            String name = node == a ? "node a" : "node b";
            assertTrue(logins.size() >= 1, name + " served none of the four connections" + logs());
            assertTrue(logins.stream().allMatch(l -> from(l, "127.0.0.3")),
                    name + " names the client by its own address, never the balancer's: " + logins);
            assertTrue(logged(node, node == a ? markA : markB, "transfer").stream().allMatch(l -> from(l, "127.0.0.3")),
                    name + "'s transfers name the client" + logs());
        }
    }

    @Test
    void ferryCopiesUpAndDownAndSyncsThroughTheBalancer() throws Exception {
        Path work = Files.createDirectories(aliceRoot.resolve("ferry"));
        byte[] data = TestData.random(1 << 20, 21);
        Files.write(dir.resolve("cp-up.bin"), data);
        Proc.Result up = ferry("cp", "cp-up.bin", "alice@" + BALANCER + ":ferry/cp.bin");
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(data, Files.readAllBytes(work.resolve("cp.bin")));
        Proc.Result down = ferry("cp", "alice@" + BALANCER + ":ferry/cp.bin", "cp-down.bin");
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("cp-down.bin")));
        // round robin: one copy through each node, each logging ferry's own address, not the balancer's
        for (FerrydProcess node : List.of(a, b)) {
            awaitLogged(node, node == a ? markA : markB, "transfer", l -> from(l, FERRY_SOURCE),
                    (node == a ? "node a" : "node b") + " logged a copy from " + FERRY_SOURCE);
        }

        // the second sync reaches the other node, which patches what the first node wrote
        byte[] synced = TestData.random(1 << 20, 22);
        Files.write(dir.resolve("sync.bin"), synced);
        Proc.Result first = ferry("sync", "sync.bin", "alice@" + BALANCER + ":ferry/sync.bin");
        assertEquals(0, first.exit(), first.all());
        assertArrayEquals(synced, Files.readAllBytes(work.resolve("sync.bin")));
        System.arraycopy(TestData.random(4096, 23), 0, synced, 500_000, 4096);
        Files.write(dir.resolve("sync.bin"), synced);
        Proc.Result second = ferry("sync", "sync.bin", "alice@" + BALANCER + ":ferry/sync.bin");
        assertEquals(0, second.exit(), second.all());
        assertArrayEquals(synced, Files.readAllBytes(work.resolve("sync.bin")));
    }

    @Test
    void aUserAddedOrRemovedInTheDatabaseIsSeenByBothNodesAtTheNextLogin() throws Exception {
        Path root = Files.createDirectories(dir.resolve("shared/carol"));
        Proc.Result added = ferrydUser("", "add", "carol", "--root", root.toString(), "--key", "@" + newKey("carol"));
        assertEquals(0, added.exit(), added.all());
        for (int i = 0; i < 4; i++) {
            Proc.Result ls = run(sftp("127.0.0.4", balanced, "carol", null, "ls"));
            assertEquals(0, ls.exit(), "carol's login " + i + ": " + ls.all());
        }
        for (FerrydProcess node : List.of(a, b)) {
            assertTrue(logged(node, node == a ? markA : markB, "auth-ok").stream()
                    .anyMatch(l -> field(l, "user").equals("carol") && from(l, "127.0.0.4")),
                    "carol logged in on " + (node == a ? "node a" : "node b") + logs());
        }

        Proc.Result removed = ferrydUser("", "remove", "carol");
        assertEquals(0, removed.exit(), removed.all());
        for (int port : List.of(onlyA, onlyB)) {
            Proc.Result refused = run(sftp("127.0.0.4", port, "carol", null, "ls"));
            assertNotEquals(0, refused.exit(), "carol was removed: " + refused.all());
        }
        awaitLogged(a, markA, "auth-failed", l -> field(l, "user").equals("carol"), "carol refused on node a");
        awaitLogged(b, markB, "auth-failed", l -> field(l, "user").equals("carol"), "carol refused on node b");
    }

    /**
     * The interrupted upload goes through {@code only_a}, so that it is node a's for sure; the
     * connections after the kill go through {@code balanced}, whose checks and retries must route
     * them all to node b.
     */
    @Test
    void aNodeKilledMidUploadLeavesTheOldFileAndNewConnectionsGoToTheOther() throws Exception {
        Path work = Files.createDirectories(aliceRoot.resolve("kill"));
        byte[] old = "the old file\n".getBytes(StandardCharsets.UTF_8);
        Files.write(work.resolve("data.bin"), old);
        Files.write(dir.resolve("kill-new.bin"), TestData.random(SIZE, 41));
        int port = a.port();
        try {
            Process upload = Proc.begin(sftp("127.0.0.5", onlyA, "alice", SLOW, "put kill-new.bin kill/data.bin"), dir);
            waitFor(() -> names(work).stream().anyMatch(n -> n.contains(".ferry-")), () -> "the upload did not start");
            a.kill();
            Proc.Result r = Proc.finish(upload);
            assertNotEquals(0, r.exit(), "the client saw its node go: " + r.out());
            assertArrayEquals(old, Files.readAllBytes(work.resolve("data.bin")), "the old file is whole");

            for (int i = 0; i < 6; i++) {
                Proc.Result ls = run(sftp("127.0.0.5", balanced, "alice", null, "ls kill"));
                assertEquals(0, ls.exit(), "connection " + i + " after the kill: " + ls.all() + logs());
            }
            assertEquals(6, logged(b, markB, "auth-ok").stream().filter(l -> from(l, "127.0.0.5")).count(),
                    "node b served all six" + logs());
        } finally {
            if (!a.alive() || a.port() != port) {
                a = node("a", port);
            }
        }
        // node a, started again, removes its temporary file (its journal of uploads in flight) and is
        // back in the balancer at its first check
        a.awaitStderr("leftover-removed", 20);
        assertEquals(List.of("data.bin"), namesIn(work));
        waitFor(() -> "UP".equals(stat("nodes", "a").get("status")), () -> "node a is not back" + logs());
    }

    @Test
    void twoUploadsOfOneNameThroughTwoNodesAtOnceLeaveOneWholeFile() throws Exception {
        Path work = Files.createDirectories(aliceRoot.resolve("race"));
        byte[] first = TestData.random(SIZE, 51);
        byte[] second = TestData.random(SIZE, 52);
        Files.write(dir.resolve("race-1.bin"), first);
        Files.write(dir.resolve("race-2.bin"), second);
        Process viaA = Proc.begin(sftp("127.0.0.6", onlyA, "alice", SLOW, "put race-1.bin race/same.bin"), dir);
        Process viaB = Proc.begin(sftp("127.0.0.7", onlyB, "alice", SLOW, "put race-2.bin race/same.bin"), dir);
        for (Process p : List.of(viaA, viaB)) {
            Proc.Result r = Proc.finish(p);
            assertEquals(0, r.exit(), r.out());
        }
        byte[] landed = Files.readAllBytes(work.resolve("same.bin"));
        assertTrue(Arrays.equals(first, landed) || Arrays.equals(second, landed),
                "same.bin is neither upload whole (" + landed.length + " bytes)");
        assertEquals(List.of("same.bin"), namesIn(work), "no temporary file is left");
        awaitLogged(a, markA, "transfer", l -> from(l, "127.0.0.6"), "node a took the upload of 127.0.0.6");
        awaitLogged(b, markB, "transfer", l -> from(l, "127.0.0.7"), "node b took the upload of 127.0.0.7");
    }

    /**
     * The delta's landing, as the SFTP uploads above: two {@code ferry sync} runs of one name, one
     * through each node, started together (their transfers overlap when their JVMs start alike; the
     * outcome must be the same when they do not): one of the two files whole, no temporary left.
     */
    @Test
    void twoSyncsOfOneNameThroughTwoNodesAtOnceLeaveOneWholeFile() throws Exception {
        Path work = Files.createDirectories(aliceRoot.resolve("sync-race"));
        byte[] first = TestData.random(32 << 20, 61);
        byte[] second = TestData.random(32 << 20, 62);
        Files.write(dir.resolve("sync-race-1.bin"), first);
        Files.write(dir.resolve("sync-race-2.bin"), second);
        for (int round = 0; round < 2; round++) {
            Process viaA = Proc.begin(FerryCli.command(ferryArgs(onlyA, "sync", "sync-race-1.bin",
                    "alice@" + BALANCER + ":sync-race/same.bin").toArray(String[]::new)), dir);
            Process viaB = Proc.begin(FerryCli.command(ferryArgs(onlyB, "sync", "sync-race-2.bin",
                    "alice@" + BALANCER + ":sync-race/same.bin").toArray(String[]::new)), dir);
            for (Process p : List.of(viaA, viaB)) {
                Proc.Result r = Proc.finish(p);
                assertEquals(0, r.exit(), r.out());
            }
            byte[] landed = Files.readAllBytes(work.resolve("same.bin"));
            assertTrue(Arrays.equals(first, landed) || Arrays.equals(second, landed),
                    "round " + round + ": same.bin is neither sync whole (" + landed.length + " bytes)");
            assertEquals(List.of("same.bin"), namesIn(work), "no temporary file is left");
        }
    }

    /**
     * HAProxy's checks come as PROXY v2 LOCAL connections from the balancer's address, 15 a second to
     * each node here (the {@code health} backend's every 100 ms, {@code nodes}'s every 200 ms), each
     * greeting as a client. Were each scored (a failed key exchange, 1), they would reach the ban's 30
     * within 2 s. They are neither scored nor logged.
     */
    @Test
    void theBalancersHealthChecksAreNeverCountedAsFailedLogins() throws Exception {
        List<Map<String, String>> before = List.of(stat("health", "a"), stat("health", "b"));
        Thread.sleep(5000); // a window for 50 checks of the health backend to each node, not a measure of speed
        for (String node : List.of("a", "b")) {
            Map<String, String> row = stat("health", node);
            assertEquals(List.of("UP", "L7OK", before.get(node.equals("a") ? 0 : 1).get("chkfail")),
                    List.of(row.get("status"), row.get("check_status"), row.get("chkfail")),
                    "node " + node + " answered every check with its greeting: " + row);
        }
        for (FerrydProcess node : List.of(a, b)) {
            int mark = node == a ? markA : markB;
            assertFalse(bans(node, "127.0.0.1"), "the balancer is not banned" + logs());
            // nor a check reset before its node read the header (the kernel drops the unread header):
            // a connection of the balancer's that ended unheard is not logged either
            List<String> lines = logged(node, mark, "connection-closed").stream()
                    .filter(l -> from(l, "127.0.0.1") && field(l, "user").isEmpty()).toList();
            assertEquals(List.of(), lines, "no line per check");
        }
        for (int i = 0; i < 2; i++) {
            Proc.Result ls = run(sftp("127.0.0.8", balanced, "alice", null, "ls"));
            assertEquals(0, ls.exit(), "a client logs in: " + ls.all() + logs());
        }
    }

    private static long wrongPasswords(FerrydProcess node, int mark) {
        return logged(node, mark, "auth-failed").stream().filter(l -> from(l, "127.0.0.9")).count();
    }

    /** Whether {@code node} bans {@code address}: it banned it itself, or learned the ban from the database. */
    private static boolean bans(FerrydProcess node, String address) {
        return Stream.of("banned", "ban-learned").flatMap(kind -> logged(node, 0, kind).stream())
                .anyMatch(l -> field(l, "address").equals(address));
    }

    /**
     * Two connections of five wrong passwords each, which round robin sends one to each node: ten
     * offences of 3, the threshold of 30 reached only because the nodes add them up in PostgreSQL.
     */
    @Test
    void tenWrongPasswordsThroughTheBalancerBanTheClientOnBothNodesAndNotTheBalancer() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("ban"));
        List<String> results = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> ssh = List.of(Peers.require("ssh"), "-p", String.valueOf(balanced), "-F", "/dev/null",
                    "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
                    "-o", "StrictHostKeyChecking=yes", "-o", "BindAddress=127.0.0.9", "-o", "PubkeyAuthentication=no",
                    "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=5",
                    "alice@" + BALANCER, "true");
            results.add(Proc.run(ssh, cwd, OpenSsh.askpass("wrong-password", cwd), null, 60).all());
        }
        waitFor(() -> wrongPasswords(a, markA) + wrongPasswords(b, markB) == 10, () -> "ten wrong passwords" + logs());
        assertEquals(List.of(5L, 5L), List.of(wrongPasswords(a, markA), wrongPasswords(b, markB)),
                "round robin gave each node one connection" + logs());
        waitFor(() -> bans(a, "127.0.0.9") && bans(b, "127.0.0.9"), () -> "127.0.0.9 not banned by both: " + results
                + logs());

        for (int i = 0; i < 4; i++) {
            Proc.Result refused = run(sftp("127.0.0.9", balanced, "alice", null, "ls"));
            assertNotEquals(0, refused.exit(), refused.all());
            assertTrue(refused.err().contains("127.0.0.9 is banned"), "told why: " + refused.all());
        }
        awaitLogged(a, markA, "connection-refused", l -> from(l, "127.0.0.9"), "node a refused the banned client");
        awaitLogged(b, markB, "connection-refused", l -> from(l, "127.0.0.9"), "node b refused the banned client");
        assertFalse(bans(a, "127.0.0.1") || bans(b, "127.0.0.1"), "no node banned the balancer" + logs());
        for (int i = 0; i < 2; i++) {
            Proc.Result other = run(sftp("127.0.0.10", balanced, "alice", null, "ls"));
            assertEquals(0, other.exit(), "another client still logs in: " + other.all());
        }
    }

    private static List<String> names(Path d) {
        try {
            return namesIn(d);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void waitFor(BooleanSupplier condition, Supplier<String> failure) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("within 20 s: " + failure.get());
            }
            Thread.sleep(50);
        }
    }
}
