package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.server.log.ServerEvent;

/**
 * Reused connections, as OpenSSH's ControlMaster: the first {@code ferry cp} or {@code ferry sync}
 * leaves a master holding the session, later runs attach to it through its socket and behave as
 * standalone runs do, and a master that dies, expires or is told to exit leaves nothing in the way.
 */
class ControlMasterTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();

    private static final Pattern PID = Pattern.compile("pid=(\\d+)");

    private final List<Path> controlDirs = new ArrayList<>();

    /** A private directory for control sockets (0700, as ~/.ssh). */
    private Path controlDir() throws IOException {
        Path dir = Files.createTempDirectory("ferry-cm-");
        controlDirs.add(dir);
        return dir;
    }

    @AfterEach
    void endMasters() throws IOException {
        for (Path dir : controlDirs) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path socket : files.toList()) {
                    masterPid(socket).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                    Files.deleteIfExists(socket);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static java.util.Optional<Long> masterPid(Path socket) {
        Proc.Result check = FerryCli.run(null, "-O", "check", "-F", "/dev/null", "-o", "ControlPath="
                + socket.toString().replaceFirst("\\.ferry$", ""), "127.0.0.1");
        Matcher m = PID.matcher(check.err());
        return m.find() ? java.util.Optional.of(Long.parseLong(m.group(1))) : java.util.Optional.empty();
    }

    private static List<String> control(Path dir, String persist) {
        return List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + dir.resolve("cm-%C"), "-o",
                "ControlPersist=" + persist);
    }

    private static List<String> toFerryd(String command, List<String> control, String... rest) {
        List<String> args = new ArrayList<>(List.of(command, "-B", "-P", String.valueOf(ferryd.port()), "-i",
                ferryd.key().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + ferryd.knownHosts()));
        args.addAll(control);
        args.addAll(List.of(rest));
        return args;
    }

    private static Proc.Result ferry(Path cwd, List<String> args) {
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    private static Proc.Result check(Path dir) {
        return FerryCli.run(null, "-O", "check", "-F", "/dev/null", "-P", String.valueOf(ferryd.port()), "-o",
                "ControlPath=" + dir.resolve("cm-%C"), "alice@127.0.0.1");
    }

    private static long pidOf(Proc.Result check) {
        Matcher m = PID.matcher(check.err());
        assertTrue(m.find(), check.all());
        return Long.parseLong(m.group(1));
    }

    private static Path socketIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sockets = files.filter(p -> p.getFileName().toString().endsWith(".ferry")).toList();
            assertEquals(1, sockets.size(), "one socket in " + dir + ": " + sockets);
            return sockets.get(0);
        }
    }

    /** Starts a master with a first upload of {@code big.bin}; its pid. */
    private static long startMaster(Path local, Path dir, List<String> cm, Map<String, String> env) {
        Proc.Result first = FerryCli.run(local, env, toFerryd("cp", cm, "big.bin", "alice@127.0.0.1:warm.bin")
                .toArray(String[]::new));
        assertEquals(0, first.exit(), first.all());
        return pidOf(check(dir));
    }

    private static long logins() {
        return ferryd.events(ServerEvent.AuthSucceeded.class).stream().filter(e -> e.user().equals("alice")).count();
    }

    @Test
    void laterRunsAttachToTheFirstRunsConnectionAndPrintWhatAStandaloneRunPrints() throws Exception {
        Path dir = controlDir();
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("a.bin"), random(100_000, 1));
        List<String> cm = control(dir, "60");
        long before = logins();

        Proc.Result first = ferry(local, toFerryd("cp", cm, "a.bin", "alice@127.0.0.1:a1.bin"));
        assertEquals(0, first.exit(), first.all());
        Path socket = socketIn(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket,
                LinkOption.NOFOLLOW_LINKS)), "the socket is the user's alone");
        Proc.Result checked = check(dir);
        assertEquals(0, checked.exit(), checked.all());
        assertTrue(checked.err().contains("Master running") && checked.err().contains("alice@127.0.0.1"), checked.all());

        // three more runs, both directions and a sync: no new login
        Proc.Result second = ferry(local, toFerryd("cp", cm, "a.bin", "alice@127.0.0.1:a2.bin"));
        Proc.Result back = ferry(local, toFerryd("cp", cm, "alice@127.0.0.1:a2.bin", "back.bin"));
        Proc.Result sync = ferry(local, toFerryd("sync", cm, "a.bin", "alice@127.0.0.1:a3.bin"));
        for (Proc.Result r : List.of(second, back, sync)) {
            assertEquals(0, r.exit(), r.all());
        }
        assertEquals(before + 1, logins(), "one login for four runs");
        assertArrayEquals(Files.readAllBytes(local.resolve("a.bin")), Files.readAllBytes(local.resolve("back.bin")));
        assertArrayEquals(Files.readAllBytes(local.resolve("a.bin")), Files.readAllBytes(ferryd.rootOf("alice")
                .resolve("a3.bin")));
        assertEquals(pidOf(checked), pidOf(check(dir)), "the same master served them");

        // an attached run's output, --json and exit status are a standalone run's, relative names included
        for (List<String> args : List.of(List.of("missing.bin", "alice@127.0.0.1:x.bin"),
                List.of("--json", "a.bin", "alice@127.0.0.1:j.bin"),
                List.of("--json", "alice@127.0.0.1:a1.bin", "./j.bin"),
                List.of("-r", "a.bin", "alice@127.0.0.1:nodir/deeper/x"))) {
            Proc.Result attached = ferry(local, toFerryd("cp", cm, args.toArray(String[]::new)));
            Proc.Result alone = ferry(local, toFerryd("cp", List.of(), args.toArray(String[]::new)));
            assertEquals(alone.exit(), attached.exit(), args + "\n" + attached.all() + "\n" + alone.all());
            assertEquals(alone.err(), attached.err(), args.toString());
            assertEquals(alone.out().replaceAll("\"seconds\":[0-9.]+,\"MBps\":[0-9.]+", ""),
                    attached.out().replaceAll("\"seconds\":[0-9.]+,\"MBps\":[0-9.]+", ""), args.toString());
        }
        assertEquals(before + 1 + 4, logins(), "the standalone runs logged in, the attached ones did not");
    }

    @Test
    void twoRunsAtOnceShareOneMaster() throws Exception {
        Path dir = controlDir();
        Path local = ferryd.newLocalDir();
        byte[] x = random(24 << 20, 2);
        byte[] y = random(24 << 20, 3);
        Files.write(local.resolve("x.bin"), x);
        Files.write(local.resolve("y.bin"), y);
        List<String> cm = control(dir, "60");
        assertEquals(0, ferry(local, toFerryd("cp", cm, "x.bin", "alice@127.0.0.1:warm.bin")).exit());
        long before = logins();
        CompletableFuture<Proc.Result> a = CompletableFuture.supplyAsync(() ->
                ferry(local, toFerryd("cp", cm, "x.bin", "alice@127.0.0.1:x.bin")));
        CompletableFuture<Proc.Result> b = CompletableFuture.supplyAsync(() ->
                ferry(local, toFerryd("cp", cm, "y.bin", "alice@127.0.0.1:y.bin")));
        assertEquals(0, a.get().exit(), a.get().all());
        assertEquals(0, b.get().exit(), b.get().all());
        assertArrayEquals(x, Files.readAllBytes(ferryd.rootOf("alice").resolve("x.bin")));
        assertArrayEquals(y, Files.readAllBytes(ferryd.rootOf("alice").resolve("y.bin")));
        assertEquals(before, logins(), "both ran on the master's session");
    }

    @Test
    void aMasterKilledMidRunFailsTheRunInOneSentenceAndTheNextRunStartsAFreshOne() throws Exception {
        Path dir = controlDir();
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("big.bin"), random(8 << 20, 4));
        Files.writeString(ferryd.rootOf("alice").resolve("kept.bin"), "the old file");
        List<String> cm = control(dir, "60");
        long pid = startMaster(local, dir, cm, Map.of());

        // 8 MiB at 4 Mbit/s: long enough to be killed in the middle
        CompletableFuture<Proc.Result> run = CompletableFuture.supplyAsync(() ->
                ferry(local, toFerryd("cp", cm, "-l", "4000", "big.bin", "alice@127.0.0.1:kept.bin")));
        Thread.sleep(2500);
        assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly());
        Proc.Result killed = run.get(60, TimeUnit.SECONDS);
        assertEquals(255, killed.exit(), killed.all());
        assertEquals(1, killed.err().strip().lines().count(), killed.all());
        assertTrue(killed.err().contains("control master") && killed.err().contains("went away"), killed.all());
        assertEquals("the old file", Files.readString(ferryd.rootOf("alice").resolve("kept.bin")));
        assertTrue(Files.exists(socketIn(dir)), "the dead master's socket is still there (stale)");

        Proc.Result next = ferry(local, toFerryd("cp", cm, "big.bin", "alice@127.0.0.1:kept.bin"));
        assertEquals(0, next.exit(), next.all());
        assertEquals("", next.err(), "a stale socket is replaced without a word");
        assertArrayEquals(Files.readAllBytes(local.resolve("big.bin")),
                Files.readAllBytes(ferryd.rootOf("alice").resolve("kept.bin")));
        long newPid = pidOf(check(dir));
        assertTrue(newPid != pid, "a new master");
    }

    @Test
    void ctrlCInAnAttachedRunEndsItWith130AndLeavesTheOldFileAndTheMaster() throws Exception {
        Path dir = controlDir();
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("big.bin"), random(8 << 20, 5));
        Files.writeString(ferryd.rootOf("alice").resolve("old.bin"), "old contents");
        List<String> cm = control(dir, "60");
        Path log = local.resolve("master.log");
        long pid = startMaster(local, dir, cm, Map.of("FERRY_CONTROL_LOG", log.toString()));

        ProcessBuilder pb = new ProcessBuilder(FerryCli.command(toFerryd("cp", cm, "-l", "4000", "big.bin",
                "alice@127.0.0.1:old.bin").toArray(String[]::new))).directory(local.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        Thread.sleep(2500);
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(130, p.exitValue());
        assertEquals("old contents", Files.readString(ferryd.rootOf("alice").resolve("old.bin")));
        // the interrupted run cleaned up its temporary file, and the master serves the next run
        Thread.sleep(500);
        try (Stream<Path> files = Files.list(ferryd.rootOf("alice"))) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".old.bin")), "no partial left");
        }
        Proc.Result after = check(dir);
        assertEquals(0, after.exit(), after.all() + "\n" + Files.readString(log));
        assertEquals(pid, pidOf(after));
        assertEquals(0, ferry(local, toFerryd("cp", cm, "big.bin", "alice@127.0.0.1:old.bin")).exit());
        assertTrue(Files.readString(log).contains("interrupting run"), Files.readString(log));
    }

    @Test
    void aMasterEndsWhenControlPersistRunsOutOrWhenToldToExit() throws Exception {
        Path dir = controlDir();
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("s.txt"), "small");
        assertEquals(0, ferry(local, toFerryd("cp", control(dir, "2s"), "s.txt", "alice@127.0.0.1:s.txt")).exit());
        long pid = pidOf(check(dir));
        ProcessHandle master = ProcessHandle.of(pid).orElseThrow();
        master.onExit().get(15, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "the expired master removed its socket");
        }
        assertEquals(255, check(dir).exit());

        Path other = controlDir();
        assertEquals(0, ferry(local, toFerryd("cp", control(other, "yes"), "s.txt", "alice@127.0.0.1:s.txt")).exit());
        long second = pidOf(check(other));
        Proc.Result exit = FerryCli.run(null, "-O", "exit", "-F", "/dev/null", "-P", String.valueOf(ferryd.port()),
                "-o", "ControlPath=" + other.resolve("cm-%C"), "alice@127.0.0.1");
        assertEquals(0, exit.exit(), exit.all());
        assertEquals("Exit request sent.", exit.err().strip());
        ProcessHandle.of(second).ifPresent(h -> h.onExit().join());
        try (Stream<Path> files = Files.list(other)) {
            assertEquals(0, files.count());
        }
        Proc.Result none = check(other);
        assertEquals(255, none.exit());
        assertTrue(none.err().contains("No such file or directory"), none.all());

        // ControlPersist=no: the master ends with the run that started it
        Path third = controlDir();
        assertEquals(0, ferry(local, toFerryd("cp", control(third, "no"), "s.txt", "alice@127.0.0.1:s.txt")).exit());
        Thread.sleep(1500);
        try (Stream<Path> files = Files.list(third)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aSocketDirectoryOthersCanEnterIsRefusedAndTheCopyGoesDirect() throws Exception {
        Path dir = controlDir();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("s.txt"), "small");
        Proc.Result r = ferry(local, toFerryd("cp", control(dir, "60"), "s.txt", "alice@127.0.0.1:open.txt"));
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("is open to other users") && r.err().contains("connecting directly"), r.all());
        assertEquals("small", Files.readString(ferryd.rootOf("alice").resolve("open.txt")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "no socket made there");
        }
    }

    @Test
    void anotherUserReachingTheSocketGetsNoAnswer() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to act as another user");
        String python = Peers.requireAt(Path.of("/usr/bin/python3")); // Debian's, which any user may run
        String setpriv = Peers.require("setpriv");
        Path dir = controlDir();
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("s.txt"), "small");
        List<String> cm = control(dir, "60");
        assertEquals(0, ferry(local, toFerryd("cp", cm, "s.txt", "alice@127.0.0.1:s.txt")).exit());
        Path socket = socketIn(dir);
        // Open the way on purpose, as a careless chmod would: the master's own uid check still refuses.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        String probe = String.join("\n",
                "import socket, struct",
                "s = socket.socket(socket.AF_UNIX)",
                "s.connect('" + socket + "')",
                "s.sendall(struct.pack('>iBi', 4, 2, 2))",  // a CHECK frame, version 2
                "s.settimeout(10)",
                "try:",
                "    print('reply:' + repr(s.recv(100)))",
                "except ConnectionResetError:",
                "    print(\"reply:b''\")");
        Proc.Result other = Proc.run(List.of(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", python, "-c",
                probe), null, Map.of(), null, 30);
        assertEquals(0, other.exit(), other.all());
        assertEquals("reply:b''", other.out().strip(), "closed without a word: " + other.all());
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Proc.Result mine = ferry(local, toFerryd("cp", cm, "s.txt", "alice@127.0.0.1:s2.txt"));
        assertEquals(0, mine.exit(), mine.all());
    }

    @Test
    void attachedRunsWorkAgainstOpenSshToo() throws Exception {
        Path dir = controlDir();
        Path local = sshd.newLocalDir();
        Files.write(local.resolve("o.bin"), random(300_000, 6));
        List<String> base = new ArrayList<>(List.of("-B", "-P", String.valueOf(sshd.port()), "-i",
                sshd.clientKey().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + sshd.knownHosts()));
        base.addAll(control(dir, "60"));
        String remote = sshd.user() + "@127.0.0.1:" + sshd.root();
        int logFrom = sshd.log().size(); // the server is the class's: count this test's lines only
        List<String> up = new ArrayList<>(List.of("cp"));
        up.addAll(base);
        up.addAll(List.of("o.bin", remote + "/o1.bin"));
        assertEquals(0, ferry(local, up).exit());
        List<String> sync = new ArrayList<>(List.of("sync"));
        sync.addAll(base);
        sync.addAll(List.of("o.bin", remote + "/o2.bin"));
        Proc.Result s = ferry(local, sync);
        assertEquals(0, s.exit(), s.all());
        assertArrayEquals(Files.readAllBytes(local.resolve("o.bin")), Files.readAllBytes(sshd.root().resolve("o2.bin")));
        assertEquals(0, ferry(local, up).exit(), "a third run");
        List<String> all = sshd.log();
        List<String> log = all.subList(logFrom, all.size());
        long accepted = log.stream().filter(l -> l.contains("Accepted publickey")).count();
        assertEquals(1, accepted, "one login at sshd for the three runs: " + log);
        long sftpServers = log.stream().filter(l -> l.contains("Starting session: subsystem 'sftp'")).count();
        assertEquals(1, sftpServers, "one sftp-server for the three runs: the master keeps its channel " + log);
    }

    /**
     * Every run's channels close at the server too: servers allow ten open at once on a connection
     * (OpenSSH's MaxSessions, ferryd's default), and a master that left each tree copy's channel open
     * there lost its connection at the eleventh.
     */
    @Test
    void runsBeyondTheServersChannelLimitAllSucceed() throws Exception {
        Path dir = controlDir();
        Path local = ferryd.newLocalDir();
        Path tree = Files.createDirectories(local.resolve("t/sub"));
        Files.write(tree.resolve("one.bin"), random(20_000, 7));
        Files.write(local.resolve("t/two.bin"), random(30_000, 8));
        List<String> cm = control(dir, "60");
        long before = logins();
        for (int i = 0; i < 12; i++) {
            Proc.Result r = ferry(local, toFerryd("cp", cm, "-r", "t", "alice@127.0.0.1:t" + i));
            assertEquals(0, r.exit(), "run " + i + ": " + r.all());
        }
        Proc.Result back = ferry(local, toFerryd("cp", cm, "-r", "alice@127.0.0.1:t11", "back"));
        assertEquals(0, back.exit(), back.all());
        assertArrayEquals(Files.readAllBytes(tree.resolve("one.bin")), Files.readAllBytes(local.resolve("back/sub/one.bin")));
        assertEquals(before + 1, logins(), "one login for thirteen runs");
        assertTrue(ferryd.events(ServerEvent.ChannelRefused.class).isEmpty(), "no channel refused");

        Path sdir = controlDir();
        List<String> base = new ArrayList<>(List.of("cp", "-r", "-B", "-P", String.valueOf(sshd.port()), "-i",
                sshd.clientKey().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + sshd.knownHosts()));
        base.addAll(control(sdir, "60"));
        for (int i = 0; i < 12; i++) {
            List<String> up = new ArrayList<>(base);
            up.addAll(List.of("t", sshd.user() + "@127.0.0.1:" + sshd.root() + "/t" + i));
            Proc.Result r = ferry(local, up);
            assertEquals(0, r.exit(), "run " + i + " to sshd: " + r.all());
        }
        assertArrayEquals(Files.readAllBytes(tree.resolve("one.bin")), Files.readAllBytes(sshd.root().resolve("t11/sub/one.bin")));
        // a sync to sshd first asks for Ferry's subsystem, which sshd refuses: that channel closes too
        for (int i = 0; i < 11; i++) {
            List<String> sync = new ArrayList<>(base);
            sync.set(0, "sync");
            sync.addAll(List.of("t/", sshd.user() + "@127.0.0.1:" + sshd.root() + "/s"));
            Proc.Result r = ferry(local, sync);
            assertEquals(0, r.exit(), "sync " + i + " to sshd: " + r.all());
        }
        assertArrayEquals(Files.readAllBytes(tree.resolve("one.bin")), Files.readAllBytes(sshd.root().resolve("s/sub/one.bin")));
    }
}
