package dev.ferry.it.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Postgres;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.postgres.Migrations;

/**
 * Users in PostgreSQL, against a real PostgreSQL 15 and OpenSSH's sftp: the schema migrated once
 * however many nodes start, {@code ferryd user --database} seen by every running ferryd at the
 * next login, and a database outage refusing new logins (logged) while transfers go on.
 */
class PostgresUsersTest {

    /** sftp's -l, in Kbit/s: 2 MiB take about 4 s. */
    private static final String SLOW = "4000";
    private static final int SIZE = 2 << 20;

    private static Postgres pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = Postgres.launch();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    private String publicKey(String name) throws Exception {
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyFiles.write(pair, dir.resolve(name), name);
        return dir.resolve(name + ".pub").toString();
    }

    private Proc.Result ferrydUser(String url, String... args) {
        return ferrydUser(url, new byte[0], args);
    }

    private Proc.Result ferrydUser(String url, byte[] stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("user"));
        all.addAll(List.of(args));
        all.addAll(List.of("--database", url));
        return FerrydProcess.run(dir, stdin, all.toArray(String[]::new));
    }

    private void addUser(String url, String name) throws Exception {
        Path root = Files.createDirectories(dir.resolve("roots").resolve(name));
        Proc.Result added = ferrydUser(url, "add", name, "--root", root.toString(), "--key", "@" + publicKey(name));
        assertEquals(0, added.exit(), added.all());
    }

    private FerrydProcess ferryd(String node, String url) throws Exception {
        Path state = Files.createDirectories(dir.resolve(node));
        return FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--state-dir", state.toString(),
                "--database", url);
    }

    private List<String> sftp(FerrydProcess ferryd, String node, String user, String limit, String... commands)
            throws Exception {
        Path batch = Files.writeString(Files.createTempFile(dir, "batch", ""), String.join("\n", commands) + "\n");
        String pub = Files.readString(dir.resolve(node).resolve("host_ed25519_key.pub")).strip();
        Path known = Files.writeString(dir.resolve("known_hosts_" + node),
                "[127.0.0.1]:" + ferryd.port() + " " + pub + "\n");
        List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-b", batch.toString(), "-P",
                String.valueOf(ferryd.port()), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + known,
                "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-i", dir.resolve(user).toString()));
        if (limit != null) {
            cmd.addAll(List.of("-l", limit));
        }
        cmd.add(user + "@127.0.0.1");
        return cmd;
    }

    private Proc.Result login(FerrydProcess ferryd, String node, String user, String... commands) throws Exception {
        return Proc.run(sftp(ferryd, node, user, null, commands), dir, 60);
    }

    @Test
    void theSchemaIsMigratedOnceWhenTwoNodesStartAtOnceAndASecondStartDoesNothing() throws Exception {
        String url = pg.newDatabase("migrations");
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Callable<List<String>> migrate = () -> {
                try (Connection db = DriverManager.getConnection(url)) {
                    return Migrations.apply(db);
                }
            };
            Future<List<String>> a = two.submit(migrate);
            Future<List<String>> b = two.submit(migrate);
            List<String> applied = new ArrayList<>(a.get(60, TimeUnit.SECONDS));
            applied.addAll(b.get(60, TimeUnit.SECONDS));
            try (Connection db = DriverManager.getConnection(url); Statement st = db.createStatement()) {
                List<String> recorded = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT name FROM ferry_schema_version ORDER BY version")) {
                    while (rs.next()) {
                        recorded.add(rs.getString(1));
                    }
                }
                assertTrue(recorded.contains("V1__users.sql"), recorded.toString());
                assertEquals(recorded, applied, "each migration applied by exactly one of the two");
                assertEquals(List.of(), Migrations.apply(db), "a second start applies nothing");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ferry_user")) {
                    assertTrue(rs.next());
                    assertEquals(0, rs.getInt(1));
                }
            }
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void aUserAddedOrChangedWithFerrydUserIsSeenByEveryRunningNodeAtTheNextLogin() throws Exception {
        String url = pg.newDatabase("nodes");
        addUser(url, "alice");
        try (FerrydProcess a = ferryd("a", url); FerrydProcess b = ferryd("b", url)) {
            Files.writeString(dir.resolve("hello.txt"), "from node a\n");
            Proc.Result put = login(a, "a", "alice", "put hello.txt");
            assertEquals(0, put.exit(), put.all());
            Proc.Result get = login(b, "b", "alice", "get hello.txt copy.txt");
            assertEquals(0, get.exit(), get.all());
            assertEquals("from node a\n", Files.readString(dir.resolve("copy.txt")));

            publicKey("bob");
            assertNotEquals(0, login(a, "a", "bob", "ls").exit(), "bob does not exist yet");
            Path bobRoot = Files.createDirectories(dir.resolve("roots/bob"));
            Proc.Result added = ferrydUser(url, "add", "bob", "--root", bobRoot.toString(), "--key",
                    "@" + dir.resolve("bob.pub"));
            assertEquals(0, added.exit(), added.all());
            for (FerrydProcess node : List.of(a, b)) {
                String name = node == a ? "a" : "b";
                Proc.Result ls = login(node, name, "bob", "ls");
                assertEquals(0, ls.exit(), "bob on node " + name + ": " + ls.all());
            }

            Proc.Result listed = ferrydUser(url, "list");
            assertTrue(listed.out().contains("alice  root=") && listed.out().contains("bob  root="), listed.all());

            // A password set through the database works at once on the other node.
            Proc.Result passwd = ferrydUser(url, "s3cret-pg\n".getBytes(StandardCharsets.UTF_8), "passwd", "bob",
                    "--password-stdin");
            assertEquals(0, passwd.exit(), passwd.all());
            List<String> withPassword = new ArrayList<>(List.of(Peers.require("sftp"), "-P", String.valueOf(b.port()),
                    "-F", "/dev/null", "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts_b"),
                    "-o", "StrictHostKeyChecking=yes", "-o", "PubkeyAuthentication=no",
                    "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "bob@127.0.0.1"));
            Proc.Result pw = Proc.run(withPassword, dir, OpenSsh.askpass("s3cret-pg", dir),
                    "put hello.txt pw.txt\n".getBytes(StandardCharsets.UTF_8), 60);
            assertTrue(Files.exists(bobRoot.resolve("pw.txt")), "bob's password login: " + pw.all());

            Proc.Result limited = ferrydUser(url, "limits", "bob", "--max-sessions", "2", "--quota-bytes", "10M");
            assertEquals(0, limited.exit(), limited.all());
            assertTrue(ferrydUser(url, "list").out().contains("sessions=2"));

            Proc.Result removed = ferrydUser(url, "remove", "bob");
            assertEquals(0, removed.exit(), removed.all());
            assertNotEquals(0, login(b, "b", "bob", "ls").exit(), "bob was removed");
            assertEquals(0, login(b, "b", "alice", "ls").exit());
        }
    }

    @Test
    void withPostgresDownANewLoginIsRefusedAndLoggedWhileARunningTransferFinishes() throws Exception {
        String url = pg.newDatabase("outage");
        addUser(url, "alice");
        // 6 MiB at sftp -l 4000: 12 s, to outlast stopping PostgreSQL and a refused login on a busy machine
        byte[] data = TestData.random(3 * SIZE, 7);
        Files.write(dir.resolve("roots/alice/big.bin"), data);
        boolean stopped = false;
        try (FerrydProcess ferryd = ferryd("n", url)) {
            Process download = new ProcessBuilder(sftp(ferryd, "n", "alice", SLOW, "get big.bin got.bin"))
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(Files.exists(dir.resolve("got.bin")) && Files.size(dir.resolve("got.bin")) > 0)) {
                assertTrue(System.nanoTime() < deadline, "the download did not start");
                Thread.sleep(20);
            }
            pg.stop();
            stopped = true;

            Proc.Result refused = login(ferryd, "n", "alice", "ls");
            assertNotEquals(0, refused.exit(), refused.all());
            String logged = ferryd.awaitStderr("user-store-unavailable", 20);
            // the reason is the driver's ("Connection ... refused", or "terminating connection due to
            // administrator command" on a pooled connection the stop closed)
            assertTrue(logged.contains("user=alice") && logged.contains("reason="), logged);
            assertTrue(download.isAlive(), "the download should still run when the login is refused: make it slower");

            String out = new String(download.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(download.waitFor(60, TimeUnit.SECONDS), "sftp did not end");
            assertEquals(0, download.exitValue(), out);
            assertArrayEquals(data, Files.readAllBytes(dir.resolve("got.bin")));

            pg.start();
            stopped = false;
            Proc.Result again = login(ferryd, "n", "alice", "ls");
            assertEquals(0, again.exit(), "PostgreSQL is back: " + again.all());
        } finally {
            if (stopped) {
                pg.start(false);
            }
        }
    }
}
