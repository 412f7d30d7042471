package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.HostileScpServer;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;

/**
 * {@code ferry cp -O}: the legacy SCP protocol against OpenSSH's sshd and ferryd, and against a
 * hostile server that sends what was not asked for (the scp CVEs), all of which is refused.
 */
class FerryCpLegacyScpTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    static HostileScpServer hostile;

    @BeforeAll
    static void startHostile() throws Exception {
        hostile = new HostileScpServer();
    }

    @AfterAll
    static void stopHostile() throws Exception {
        hostile.close();
    }

    private static Proc.Result toSshd(Path cwd, String... rest) {
        List<String> args = new ArrayList<>(List.of("cp", "-O", "-B", "-P", String.valueOf(sshd.port()),
                "-i", sshd.clientKey().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + sshd.knownHosts()));
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    private static Proc.Result toHostile(Path cwd, String... rest) {
        List<String> args = new ArrayList<>(List.of("cp", "-O", "-B", "-P", String.valueOf(hostile.port()),
                "-i", ferryd.key().toString(), "-F", "/dev/null", "--host-key", hostile.fingerprint()));
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }


    @Test
    void filesAndTreesGoBothWaysWithOpenSshsServer() throws Exception {
        Path local = sshd.newLocalDir();
        Files.write(local.resolve("one.bin"), random(1_234_567));
        Path tree = Files.createDirectories(local.resolve("tree/sub"));
        Files.writeString(tree.resolve("x.txt"), "x");
        FileTime old = FileTime.from(Instant.parse("2005-05-05T05:05:05Z"));
        Files.setLastModifiedTime(tree.resolve("x.txt"), old);
        Path remoteDir = Files.createDirectories(sshd.root().resolve("legacy"));

        Proc.Result up = toSshd(local, "-r", "-p", "one.bin", "tree", sshd.user() + "@127.0.0.1:" + remoteDir);
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(random(1_234_567), Files.readAllBytes(remoteDir.resolve("one.bin")));
        assertEquals(old.toMillis() / 1000, Files.getLastModifiedTime(remoteDir.resolve("tree/sub/x.txt")).toMillis() / 1000);

        Path back = sshd.newLocalDir();
        Proc.Result down = toSshd(back, "-r", sshd.user() + "@127.0.0.1:" + remoteDir, "copy");
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(random(1_234_567), Files.readAllBytes(back.resolve("copy/one.bin")));
        assertEquals("x", Files.readString(back.resolve("copy/tree/sub/x.txt")));
    }

    @Test
    void ferrydServesFerrysLegacyScp() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("l.bin"), random(300_000));
        List<String> base = List.of("cp", "-O", "-B", "-P", String.valueOf(ferryd.port()), "-i", ferryd.key().toString(),
                "-F", "/dev/null", "-o", "UserKnownHostsFile=" + ferryd.knownHosts());
        List<String> up = new ArrayList<>(base);
        up.addAll(List.of("l.bin", "alice@127.0.0.1:legacy.bin"));
        assertEquals(0, FerryCli.run(local, up.toArray(String[]::new)).exit());
        List<String> down = new ArrayList<>(base);
        down.addAll(List.of("alice@127.0.0.1:legacy.bin", "back.bin"));
        Proc.Result r = FerryCli.run(local, down.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(random(300_000), Files.readAllBytes(local.resolve("back.bin")));
    }

    @Test
    void aNameThatWasNotRequestedIsRefused() throws Exception {
        Path dir = ferryd.newLocalDir();
        hostile.script("C0644 5 .bashrc\n", "evil\n\0");
        Proc.Result r = toHostile(dir, "x@127.0.0.1:wanted.txt", ".");
        assertNotEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("does not match request"), r.all());
        assertFalse(Files.exists(dir.resolve(".bashrc")));
        assertNothingBut(dir);
    }

    @Test
    void dotDotAndSlashesFromTheServerAreRefused() throws Exception {
        Path top = ferryd.newLocalDir();
        Path dir = Files.createDirectories(top.resolve("target"));
        for (String name : List.of("..", "../escape.txt", "a/b.txt", "")) {
            hostile.script("C0644 5 " + name + "\n", "evil\n\0");
            Proc.Result r = toHostile(dir, "-T", "x@127.0.0.1:*", ".");
            assertNotEquals(0, r.exit(), name + ": " + r.all());
        }
        hostile.script("D0755 0 sub\n", "C0644 5 ../../escape.txt\n", "evil\n\0", "E\n");
        Proc.Result r = toHostile(dir, "-r", "x@127.0.0.1:sub", ".");
        assertNotEquals(0, r.exit(), r.all());
        assertFalse(Files.exists(top.resolve("escape.txt")));
        assertNothingBut(dir, "sub");
    }

    @Test
    void terminalEscapesFromTheServerAreNotPrinted() throws Exception {
        Path dir = ferryd.newLocalDir();
        hostile.script("\u0002scp: \u001b]0;owned\u0007\u001b[2Jerror with escapes\n"); // \u0002: fatal
        Proc.Result r = toHostile(dir, "x@127.0.0.1:f.txt", ".");
        assertNotEquals(0, r.exit(), r.all());
        assertFalse(r.err().contains("\u001b") || r.err().contains("\u0007"), "escapes reached stderr: " + r.all());
        assertTrue(r.err().contains("error with escapes"), r.all());
    }

    private static void assertNothingBut(Path dir, String... allowed) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> !List.of(allowed).contains(n)).toList();
            assertTrue(names.isEmpty(), "unexpected files: " + names);
        }
    }
}
