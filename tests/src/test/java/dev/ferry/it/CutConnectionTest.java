package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.CuttingForwarder;
import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.it.support.TestData;

/**
 * The connection cut mid-transfer by a relay ({@link CuttingForwarder} between client and server):
 * ferry cp (upload, download, a tree) and ferry sync (delta to ferryd, whole files to sshd) say so in
 * one sentence with exit code 255 (README: the connection failed), without a stack trace; the
 * target keeps its old content and no partial file takes its name; ferryd, once it has noticed,
 * leaves no temporary file of its own (SCP's, the delta's). The client's {@code .NAME.ferry-part}
 * of an SFTP upload stays on the server by design: {@code --resume} continues from it once its
 * prefix is verified (FerryCpResumeTest). OpenSSH's scp -O and sftp through the same relay to
 * ferryd show what ferryd itself guarantees.
 */
class CutConnectionTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();

    private static final int SIZE = 48 << 20;
    /** Bytes through the relay before the cut: past the log-in, well before the end. */
    private static final long CUT = 12_000_000;
    private static final byte[] OLD = "the old content\n".getBytes();

    private static byte[] data() {
        return TestData.random(SIZE, 18);
    }

    /** ferry's options for {@code server}'s port reached through {@code relay}. */
    private static List<String> via(CuttingForwarder relay, int port, Path key, Path knownHosts) {
        return List.of("-B", "-P", String.valueOf(relay.port()), "-i", key.toString(), "-F", "/dev/null",
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "HostKeyAlias=[127.0.0.1]:" + port);
    }

    private static List<String> viaFerryd(CuttingForwarder relay) {
        return via(relay, ferryd.port(), ferryd.key(), ferryd.knownHosts());
    }

    private static Proc.Result ferry(Path cwd, String command, List<String> connection, String... rest) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(connection);
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    /** Exit 255, one line on stderr (ferry sync's note on a server without the delta apart), no stack trace. */
    private static void assertConnectionFailed(CuttingForwarder relay, Proc.Result r) {
        assertTrue(relay.didCut(), "the relay cut the connection: " + r.all());
        assertEquals(255, r.exit(), r.all());
        assertEquals(List.of("ferry: lost connection during the copy; files not copied keep their old content"),
                r.err().strip().lines().filter(l -> !l.contains("has no ferry-delta subsystem"))
                        .map(l -> l.replaceFirst(": [^:]+@127\\.0\\.0\\.1:", ":")).toList(),
                "one sentence: " + r.all());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.all());
    }

    /** ferryd leaves none of its own temporary files in {@code dir} once it has noticed (within 30 s). */
    private static void assertFerrydCleansUp(Path dir) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<String> left;
        do {
            try (Stream<Path> entries = Files.list(dir)) {
                left = entries.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith(".ferry-upload-") || n.contains(".ferry-delta-")
                                || n.contains(".ferry-sftp-")).toList();
            }
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), left, "ferryd's temporary files in " + dir);
    }

    /** A partial file kept for --resume holds a prefix of the source, never anything else. */
    private static void assertPartIsAPrefix(Path dir, String name, byte[] source) throws IOException {
        Path part = dir.resolve("." + name + ".ferry-part");
        if (Files.exists(part)) {
            byte[] kept = Files.readAllBytes(part);
            assertTrue(kept.length <= source.length);
            assertArrayEquals(Arrays.copyOf(source, kept.length), kept, "the partial file is a prefix");
        }
    }

    /** The two sides of a test: a local directory and a directory on the server. */
    private record Sides(Path local, Path remote) {
    }

    /**
     * {@code local} holding {@code name} (the test data) and {@code remoteParent}'s {@code dir} made,
     * holding {@code old} under the same name unless null.
     */
    private static Sides sides(Path local, Path remoteParent, String dir, String name, byte[] old) throws IOException {
        Files.write(local.resolve(name), data());
        Path remote = Files.createDirectories(remoteParent.resolve(dir));
        if (old != null) {
            Files.write(remote.resolve(name), old);
        }
        return new Sides(local, remote);
    }

    @Test
    void anUploadCutMidwayLeavesFerrydsOldFile() throws Exception {
        Sides s = sides(ferryd.newLocalDir(), ferryd.rootOf("alice"), "cut-up", "up.bin", OLD);
        Path local = s.local();
        Path root = s.remote();
        try (CuttingForwarder relay = new CuttingForwarder(ferryd.port(), 1, CUT)) {
            Proc.Result r = ferry(local, "cp", viaFerryd(relay), "up.bin", "alice@127.0.0.1:cut-up/up.bin");
            assertConnectionFailed(relay, r);
        }
        assertArrayEquals(OLD, Files.readAllBytes(root.resolve("up.bin")));
        assertPartIsAPrefix(root, "up.bin", data());
        assertFerrydCleansUp(root);
    }

    @Test
    void aDownloadCutMidwayKeepsTheLocalFileAndLeavesNoPartialFile() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("down.bin"), OLD);
        Files.write(ferryd.rootOf("alice").resolve("cut-down.bin"), data());
        try (CuttingForwarder relay = new CuttingForwarder(ferryd.port(), 1, CUT)) {
            Proc.Result r = ferry(local, "cp", viaFerryd(relay), "alice@127.0.0.1:cut-down.bin", "down.bin");
            assertConnectionFailed(relay, r);
        }
        assertArrayEquals(OLD, Files.readAllBytes(local.resolve("down.bin")));
        assertFalse(Files.exists(local.resolve(".down.bin.ferry-part")), "removed: no --resume");
    }

    @Test
    void aTreeUploadCutMidwayLeavesEachFileOldOrWhole() throws Exception {
        Path local = ferryd.newLocalDir();
        Path tree = Files.createDirectories(local.resolve("tree"));
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            byte[] b = TestData.random(2 << 20, i);
            contents.add(b);
            Files.write(tree.resolve("f" + i + ".bin"), b);
        }
        Path target = Files.createDirectories(ferryd.rootOf("alice").resolve("cut-tree"));
        for (int i = 0; i < 24; i++) {
            Files.write(target.resolve("f" + i + ".bin"), OLD);
        }
        try (CuttingForwarder relay = new CuttingForwarder(ferryd.port(), 1, 20_000_000)) {
            Proc.Result r = ferry(local, "cp", viaFerryd(relay), "-r", "tree/.", "alice@127.0.0.1:cut-tree");
            assertConnectionFailed(relay, r);
        }
        int old = 0;
        for (int i = 0; i < 24; i++) {
            byte[] now = Files.readAllBytes(target.resolve("f" + i + ".bin"));
            if (Arrays.equals(now, OLD)) {
                old++;
            } else {
                assertArrayEquals(contents.get(i), now, "f" + i + ".bin is old or whole");
            }
            assertPartIsAPrefix(target, "f" + i + ".bin", contents.get(i));
        }
        assertTrue(old > 0, "the cut came before the end");
        assertFerrydCleansUp(target);
    }

    @Test
    void aDeltaSyncCutMidwayLeavesFerrydsOldCopyAndNoTemporaryFile() throws Exception {
        byte[] old = TestData.random(SIZE, 19);
        Sides s = sides(ferryd.newLocalDir(), ferryd.rootOf("alice"), "cut-sync", "s.bin", old);
        Path local = s.local();
        Path root = s.remote();
        Files.setLastModifiedTime(root.resolve("s.bin"), FileTime.fromMillis(0)); // not "up to date"
        try (CuttingForwarder relay = new CuttingForwarder(ferryd.port(), 1, CUT)) {
            Proc.Result r = ferry(local, "sync", viaFerryd(relay), "--mode", "delta", "s.bin",
                    "alice@127.0.0.1:cut-sync/s.bin");
            assertConnectionFailed(relay, r);
        }
        assertArrayEquals(old, Files.readAllBytes(root.resolve("s.bin")));
        assertFerrydCleansUp(root);
    }

    @Test
    void aWholeFileSyncToOpenSshCutMidwayKeepsTheOldCopy() throws Exception {
        Sides s = sides(sshd.newLocalDir(), sshd.root(), "cut-whole", "w.bin", OLD);
        Path local = s.local();
        Path remote = s.remote();
        try (CuttingForwarder relay = new CuttingForwarder(sshd.port(), 1, CUT)) {
            Proc.Result r = ferry(local, "sync", via(relay, sshd.port(), sshd.clientKey(), sshd.knownHosts()),
                    "w.bin", sshd.user() + "@127.0.0.1:" + remote.resolve("w.bin"));
            assertConnectionFailed(relay, r);
        }
        assertArrayEquals(OLD, Files.readAllBytes(remote.resolve("w.bin")));
        assertPartIsAPrefix(remote, "w.bin", data());
    }

    // ---- OpenSSH's clients through the relay to ferryd ---------------------------------------

    private static List<String> openSsh(String program, CuttingForwarder relay) {
        return new ArrayList<>(List.of(Peers.require(program), "-P", String.valueOf(relay.port()), "-F", "/dev/null",
                "-o", "UserKnownHostsFile=" + ferryd.knownHosts(), "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "HostKeyAlias=[127.0.0.1]:" + ferryd.port(),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-i", ferryd.key().toString()));
    }

    @Test
    void openSshsLegacyScpCutMidwayLeavesFerrydsOldFileAndNoTemporaryFile() throws Exception {
        Sides s = sides(ferryd.newLocalDir(), ferryd.rootOf("alice"), "cut-scp", "o.bin", OLD);
        Path local = s.local();
        Path root = s.remote();
        try (CuttingForwarder relay = new CuttingForwarder(ferryd.port(), 1, CUT)) {
            List<String> cmd = openSsh("scp", relay);
            cmd.addAll(List.of("-O", "o.bin", "alice@127.0.0.1:cut-scp/o.bin"));
            Proc.Result r = Proc.run(cmd, local, 60);
            assertTrue(relay.didCut());
            assertNotEquals(0, r.exit(), r.all());
        }
        assertArrayEquals(OLD, Files.readAllBytes(root.resolve("o.bin")));
        assertFerrydCleansUp(root);
    }

    @Test
    void openSshsSftpCutMidwayLeavesFerrydsOldFile() throws Exception {
        Sides s = sides(ferryd.newLocalDir(), ferryd.rootOf("alice"), "cut-sftp", "p.bin", OLD);
        Path local = s.local();
        Path root = s.remote();
        Path batch = Files.writeString(local.resolve("batch"), "put p.bin cut-sftp/p.bin\n");
        try (CuttingForwarder relay = new CuttingForwarder(ferryd.port(), 1, CUT)) {
            List<String> cmd = openSsh("sftp", relay);
            cmd.addAll(List.of("-b", batch.toString(), "alice@127.0.0.1"));
            Proc.Result r = Proc.run(cmd, local, 60);
            assertTrue(relay.didCut());
            assertNotEquals(0, r.exit(), r.all());
        }
        // sftp writes into the target's name; ferryd puts it into a temporary file renamed only at
        // the client's close (server/sftp/AtomicUploads), so the cut leaves the old file whole
        assertArrayEquals(OLD, Files.readAllBytes(root.resolve("p.bin")));
        assertFerrydCleansUp(root);
        try (Stream<Path> entries = Files.list(root)) {
            assertEquals(List.of("p.bin"), entries.map(p -> p.getFileName().toString()).toList());
        }
    }
}
