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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;
import dev.ferry.server.log.ServerEvent;

/**
 * OpenSSH's {@code scp} against ferryd, in both of its protocols: SFTP (the default since OpenSSH 9)
 * and the legacy SCP protocol ({@code -O}), which ferryd serves without a shell.
 */
class ScpWithOpenSshTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    private final OpenSsh openssh = new OpenSsh(ferryd);

    /** "" for scp's default SFTP protocol, "-O" for the legacy protocol. */
    private static List<String> protocol(String flag) {
        return flag.isEmpty() ? List.of() : List.of(flag);
    }

    private Proc.Result scp(String protocolFlag, Path cwd, String... args) {
        List<String> all = new java.util.ArrayList<>(protocol(protocolFlag));
        all.addAll(List.of(args));
        return openssh.scp(cwd, all.toArray(String[]::new));
    }


    @ParameterizedTest(name = "scp {0}")
    @ValueSource(strings = {"", "-O"})
    void aFileGoesUpAndComesBackIdentical(String flag) throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = random(3 * 1024 * 1024 + 17, 1);
        Files.write(local.resolve("data.bin"), data);
        String name = "data" + flag + ".bin";
        Proc.Result up = scp(flag, local, "data.bin", openssh.remote("alice", name));
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve(name)));
        Proc.Result down = scp(flag, local, openssh.remote("alice", name), "back.bin");
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(data, Files.readAllBytes(local.resolve("back.bin")));
        assertEquals(data.length, ferryd.lastTransfer("/" + name).orElseThrow().bytes());
    }

    /**
     * 64 MiB from OpenSSH's clients into ferryd's 64 MiB window: with 256 KiB packets every upload
     * broke ("Tag mismatch"), which small files never showed.
     */
    @ParameterizedTest(name = "scp {0}")
    @ValueSource(strings = {"", "-O"})
    void aLargeUploadFillsTheBigWindowAndArrivesIntact(String flag) throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = random(64 << 20, 64);
        Files.write(local.resolve("large.bin"), data);
        String name = "large" + flag + ".bin";
        Proc.Result up = scp(flag, local, "large.bin", openssh.remote("alice", name));
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve(name)));
        Files.delete(ferryd.rootOf("alice").resolve(name));
        // Few, large window adjustments: one per eighth of the 64 MiB window, not one per ~768 KiB.
        ServerEvent.ChannelWindow window = waitForChannel(data.length * 9L / 10); // the tail is not released before close
        assertTrue(window.windowAdjusts() <= data.length / (window.window() / 8) + 1,
                window.windowAdjusts() + " adjustments for " + window.bytesReceived() + " bytes");
    }

    private static ServerEvent.ChannelWindow waitForChannel(long atLeast) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var match = ferryd.events(ServerEvent.ChannelWindow.class).stream()
                    .filter(e -> e.bytesReceived() >= atLeast).reduce((a, b) -> b);
            if (match.isPresent()) {
                return match.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no channel-window event for " + atLeast + " bytes: " + ferryd.events());
    }

    @ParameterizedTest(name = "scp {0} -r")
    @ValueSource(strings = {"", "-O"})
    void aTreeGoesUpAndComesBackWithDashR(String flag) throws Exception {
        Path local = ferryd.newLocalDir();
        Path tree = Files.createDirectories(local.resolve("tree/sub/deeper"));
        Files.writeString(local.resolve("tree/a.txt"), "a");
        Files.writeString(local.resolve("tree/sub/b.txt"), "bb");
        Files.write(tree.resolve("c.bin"), random(100_000, 2));
        String target = "tree" + flag;
        assertEquals(0, scp(flag, local, "-r", "tree", openssh.remote("alice", target)).exit());
        Path remote = ferryd.rootOf("alice").resolve(target);
        assertEquals("a", Files.readString(remote.resolve("a.txt")));
        assertEquals("bb", Files.readString(remote.resolve("sub/b.txt")));
        assertArrayEquals(random(100_000, 2), Files.readAllBytes(remote.resolve("sub/deeper/c.bin")));

        Path back = ferryd.newLocalDir();
        Proc.Result down = scp(flag, back, "-r", openssh.remote("alice", target), "copy");
        assertEquals(0, down.exit(), down.all());
        assertEquals("bb", Files.readString(back.resolve("copy/sub/b.txt")));
        assertArrayEquals(random(100_000, 2), Files.readAllBytes(back.resolve("copy/sub/deeper/c.bin")));
    }

    @ParameterizedTest(name = "scp {0} -p")
    @ValueSource(strings = {"", "-O"})
    void dashPKeepsTimesAndModesBothWays(String flag) throws Exception {
        Path local = ferryd.newLocalDir();
        Path file = local.resolve("old.txt");
        Files.writeString(file, "from the past");
        FileTime past = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));
        Files.setLastModifiedTime(file, past);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx--x---"));
        String name = "old" + flag + ".txt";
        assertEquals(0, scp(flag, local, "-p", "old.txt", openssh.remote("alice", name)).exit());
        Path remote = ferryd.rootOf("alice").resolve(name);
        assertEquals(past.toMillis() / 1000, Files.getLastModifiedTime(remote).toMillis() / 1000);
        assertEquals("rwx--x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)));

        Files.setLastModifiedTime(remote, FileTime.from(Instant.parse("1999-12-31T23:59:59Z")));
        assertEquals(0, scp(flag, local, "-p", openssh.remote("alice", name), "down.txt").exit());
        assertEquals(Instant.parse("1999-12-31T23:59:59Z").getEpochSecond(),
                Files.getLastModifiedTime(local.resolve("down.txt")).toMillis() / 1000);
    }

    @ParameterizedTest(name = "scp {0}")
    @ValueSource(strings = {"", "-O"})
    void namesWithSpacesAndNonAsciiCharactersWork(String flag) throws Exception {
        Path local = ferryd.newLocalDir();
        String name = "naïve café 日本 " + (flag.isEmpty() ? "sftp" : "scp") + ".txt";
        Files.writeString(local.resolve(name), "unicode\n");
        // Legacy scp passes the remote path through the remote shell, so it is quoted for one;
        // in SFTP mode there is no shell and the name goes as it is.
        String remoteName = flag.isEmpty() ? name : "'" + name + "'";
        Proc.Result up = scp(flag, local, name, openssh.remote("alice", remoteName));
        assertEquals(0, up.exit(), up.all());
        assertEquals("unicode\n", Files.readString(ferryd.rootOf("alice").resolve(name)));
        // For downloads scp -O checks the name it gets against the one it asked for, so the
        // quoting must be backslashes (which its pattern match understands).
        String downName = flag.isEmpty() ? name : name.replace(" ", "\\ ");
        Proc.Result down = scp(flag, local, openssh.remote("alice", downName), "got.txt");
        assertEquals(0, down.exit(), down.all());
        assertEquals("unicode\n", Files.readString(local.resolve("got.txt")));
    }

    @Test
    void legacyScpIntoADirectoryWithSpacesWorks() throws Exception {
        Files.createDirectories(ferryd.rootOf("alice").resolve("my docs"));
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("x.txt"), "x");
        Proc.Result r = scp("-O", local, "x.txt", openssh.remote("alice", "\"my docs/\""));
        assertEquals(0, r.exit(), r.all());
        assertEquals("x", Files.readString(ferryd.rootOf("alice").resolve("my docs/x.txt")));
    }

    @Test
    void legacyScpRefusesShellSyntaxInsteadOfRunningIt() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("y.txt"), "y");
        Proc.Result r = scp("-O", local, "y.txt", openssh.remote("alice", "y.txt;touch pwned"));
        assertNotEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("runs no shell"), r.all());
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("pwned")));
    }

    @Test
    void aReadOnlyUserCannotUploadWithEitherProtocol() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("nope.txt"), "nope");
        for (String flag : new String[] {"", "-O"}) {
            Proc.Result r = scp(flag, local, "nope.txt", openssh.remote("reader", "nope.txt"));
            assertNotEquals(0, r.exit(), "scp " + flag + ": " + r.all());
        }
        assertFalse(Files.exists(ferryd.rootOf("reader").resolve("nope.txt")));
        try (var files = Files.list(ferryd.rootOf("reader"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".ferry-upload-")),
                    "no temporary file is left behind");
        }
    }

    @Test
    void legacyScpUploadsReplaceTheOldFileOnlyWhenComplete() throws Exception {
        Path remote = ferryd.rootOf("alice").resolve("replace.txt");
        Files.writeString(remote, "old contents");
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("replace.txt"), "new contents");
        assertEquals(0, scp("-O", local, "replace.txt", openssh.remote("alice", "replace.txt")).exit());
        assertEquals("new contents", Files.readString(remote));
        try (var files = Files.list(ferryd.rootOf("alice"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".ferry-upload-")));
        }
    }

    @Test
    void otherCommandsAndShellsAreRefusedWithASentence() {
        Proc.Result exec = openssh.ssh("alice", "cat", "/etc/passwd");
        assertEquals(1, exec.exit(), exec.all());
        assertTrue(exec.err().contains("only SFTP and SCP"), exec.all());
        assertFalse(exec.out().contains("root:"), exec.all());
        Proc.Result shell = openssh.sshWithOptions(List.of("-T"), "alice");
        assertEquals(1, shell.exit(), shell.all());
        assertTrue(shell.err().contains("there is no shell"), shell.all());
        assertTrue(ferryd.events(ServerEvent.ExecRefused.class).stream()
                .anyMatch(e -> e.command().equals("cat /etc/passwd")));
    }
}
