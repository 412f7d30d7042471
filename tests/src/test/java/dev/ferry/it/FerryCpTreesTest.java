package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;

/**
 * {@code ferry cp -r} moves trees with many files in flight on one channel of Ferry's own
 * (TreeUpload up; many Downloads at once down). Up:
 * every shape of tree arrives whole at OpenSSH's sshd and at ferryd (more files than the bound
 * on open handles, empty directories, spaces and non-ASCII names, a file of several MiB among
 * small ones), nothing partial is left behind, a replaced file keeps its mode, and one failing
 * entry is reported in one sentence while the rest arrive, exit code 1. Down: the same tree comes
 * back whole from both servers (listed with every directory's requests in flight), with -p its
 * times and modes, links followed as scp -r follows them, and a file in a directory's place
 * locally is one sentence while the rest arrive.
 */
class FerryCpTreesTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private static Proc.Result toSshd(Path cwd, String... rest) {
        return ferryCp(cwd, sshd.ferryOptions(), rest);
    }

    private static Proc.Result toFerryd(Path cwd, String... rest) {
        return ferryCp(cwd, ferryd.ferryOptions(), rest);
    }

    private static Proc.Result ferryCp(Path cwd, List<String> options, String... rest) {
        List<String> args = new ArrayList<>(List.of("cp"));
        args.addAll(options);
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    /** 150 small files over three directories (more than the 64 open at once), an empty directory, odd names, 3 MiB. */
    private static Path tree(Path under) throws IOException {
        Path top = Files.createDirectories(under.resolve("tree"));
        for (int d = 0; d < 3; d++) {
            Path dir = Files.createDirectories(top.resolve("d" + d));
            for (int f = 0; f < 50; f++) {
                Files.write(dir.resolve("f" + f + ".bin"), random(1 + f * 997, d * 100 + f));
            }
        }
        Files.createDirectories(top.resolve("empty dir"));
        Path odd = Files.createDirectories(top.resolve("d1/ünï cödé"));
        Files.writeString(odd.resolve("a b.txt"), "spaced and accented\n");
        Files.write(top.resolve("big.bin"), random(3_145_739, 9));
        Files.write(top.resolve("zero.bin"), new byte[0]);
        return top;
    }

    private static List<String> listing(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        assertEquals(listing(expected), listing(actual));
        try (Stream<Path> all = Files.walk(expected)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(actual.resolve(expected.relativize(p))),
                        p.toString());
            }
        }
    }

    @Test
    void aTreeArrivesWholeAtOpenSshsServer() throws Exception {
        Path local = sshd.newLocalDir();
        Path tree = tree(local);
        Path remote = sshd.root().resolve("tree-up");
        Proc.Result r = toSshd(local, "-r", "tree", sshd.user() + "@127.0.0.1:" + remote);
        assertEquals(0, r.exit(), r.all());
        assertSameTree(tree, remote);
    }

    @Test
    void aTreeArrivesWholeAtFerrydAndIntoAnExistingDirectory() throws Exception {
        Path local = ferryd.newLocalDir();
        Path tree = tree(local);
        Files.createDirectories(ferryd.rootOf("alice").resolve("into"));
        Proc.Result r = toFerryd(local, "-r", "tree", "alice@127.0.0.1:into");
        assertEquals(0, r.exit(), r.all());
        assertSameTree(tree, ferryd.rootOf("alice").resolve("into/tree"));
        Proc.Result again = toFerryd(local, "-r", "tree", "alice@127.0.0.1:into");
        assertEquals(0, again.exit(), again.all()); // every directory exists now: kept, files replaced
        assertSameTree(tree, ferryd.rootOf("alice").resolve("into/tree"));
    }

    @Test
    void aReplacedFileKeepsItsModeAndNothingPartialIsLeft() throws Exception {
        Path local = sshd.newLocalDir();
        Path tree = tree(local);
        Path remote = sshd.root().resolve("tree-mode"); // the tree lands in it as tree/
        Files.createDirectories(remote.resolve("tree/d0"));
        Path kept = remote.resolve("tree/d0/f3.bin");
        Files.writeString(kept, "old");
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-------"));
        Proc.Result r = toSshd(local, "-r", "tree", sshd.user() + "@127.0.0.1:" + remote);
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(Files.readAllBytes(tree.resolve("d0/f3.bin")), Files.readAllBytes(kept));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
        assertFalse(listing(remote).stream().anyMatch(n -> n.endsWith(".ferry-part")), listing(remote).toString());
    }

    @Test
    void oneFailingEntryIsOneSentenceAndTheRestArriveWithExitOne() throws Exception {
        for (boolean openSsh : new boolean[] {true, false}) {
            Path local = openSsh ? sshd.newLocalDir() : ferryd.newLocalDir();
            Path tree = tree(local);
            Path base = openSsh ? sshd.root().resolve("tree-fail") : ferryd.rootOf("alice").resolve("tree-fail");
            Path remote = base.resolve("tree"); // the tree lands in the existing directory as tree/
            // A directory where a file goes, and a file where a directory goes.
            Files.createDirectories(remote.resolve("d0/f7.bin"));
            Files.writeString(remote.resolve("empty dir"), "a file in the way");
            String target = openSsh ? sshd.user() + "@127.0.0.1:" + base : "alice@127.0.0.1:tree-fail";
            Proc.Result r = openSsh ? toSshd(local, "-r", "tree", target) : toFerryd(local, "-r", "tree", target);
            assertEquals(1, r.exit(), r.all());
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(2, lines.size(), r.all());
            assertTrue(lines.stream().anyMatch(l -> l.endsWith("d0/f7.bin: is a directory")), r.all());
            assertTrue(lines.stream().anyMatch(l -> l.endsWith("empty dir: not a directory")), r.all());
            assertTrue(Files.isDirectory(remote.resolve("d0/f7.bin")));
            assertEquals("a file in the way", Files.readString(remote.resolve("empty dir")));
            assertArrayEquals(Files.readAllBytes(tree.resolve("d0/f8.bin")), Files.readAllBytes(remote.resolve("d0/f8.bin")));
            assertArrayEquals(Files.readAllBytes(tree.resolve("big.bin")), Files.readAllBytes(remote.resolve("big.bin")));
            assertFalse(listing(remote).stream().anyMatch(n -> n.endsWith(".ferry-part")), listing(remote).toString());
        }
    }

    @Test
    void aTreeComesBackWholeFromBothServersWithTimesAndModes() throws Exception {
        for (boolean openSsh : new boolean[] {true, false}) {
            Path local = openSsh ? sshd.newLocalDir() : ferryd.newLocalDir();
            Path tree = tree(local);
            Path script = tree.resolve("d2/run.sh");
            Files.writeString(script, "#!/bin/sh\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
            Files.setLastModifiedTime(script, java.nio.file.attribute.FileTime.fromMillis(1_262_401_445_000L));
            Path remote = openSsh ? sshd.root().resolve("tree-down") : ferryd.rootOf("alice").resolve("tree-down");
            copyTree(tree, remote);
            String source = openSsh ? sshd.user() + "@127.0.0.1:" + remote : "alice@127.0.0.1:tree-down";
            Proc.Result r = openSsh ? toSshd(local, "-r", "-p", source, "back") : toFerryd(local, "-r", "-p", source, "back");
            assertEquals(0, r.exit(), r.all());
            Path back = local.resolve("back");
            assertSameTree(tree, back);
            assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(back.resolve("d2/run.sh"))));
            assertEquals(1_262_401_445L, Files.getLastModifiedTime(back.resolve("d2/run.sh")).toMillis() / 1000);
            assertFalse(listing(back).stream().anyMatch(n -> n.endsWith(".ferry-part")), listing(back).toString());
        }
    }

    @Test
    void aDownloadedTreeWithOneEntryInTheWayReportsItAndBringsTheRest() throws Exception {
        Path local = ferryd.newLocalDir();
        Path tree = tree(local);
        Path remote = ferryd.rootOf("alice").resolve("tree-down-fail");
        copyTree(tree, remote);
        // "back" exists, so the tree lands in it under its own name; a directory stands where a file goes.
        Path back = Files.createDirectories(local.resolve("back/tree-down-fail/d1/f4.bin"));
        Proc.Result r = toFerryd(local, "-r", "alice@127.0.0.1:tree-down-fail", "back");
        assertEquals(1, r.exit(), r.all());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.all());
        assertTrue(lines.get(0).endsWith("d1/f4.bin: is a directory"), r.all());
        assertTrue(Files.isDirectory(back));
        assertArrayEquals(Files.readAllBytes(tree.resolve("d1/f5.bin")),
                Files.readAllBytes(local.resolve("back/tree-down-fail/d1/f5.bin")));
        assertArrayEquals(Files.readAllBytes(tree.resolve("big.bin")),
                Files.readAllBytes(local.resolve("back/tree-down-fail/big.bin")));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    @Test
    void aDownloadFollowsLinksAsScpDoesAndListsDeepTreesWhole() throws Exception {
        Path local = sshd.newLocalDir();
        Path remote = sshd.root().resolve("tree-links");
        Path deep = Files.createDirectories(remote.resolve("a/b/c/d/e"));
        Files.writeString(deep.resolve("deep.txt"), "five levels down\n");
        Files.writeString(remote.resolve("a/top.txt"), "top\n");
        Files.createSymbolicLink(remote.resolve("to-a"), Path.of("a"));
        Files.createSymbolicLink(remote.resolve("to-top.txt"), Path.of("a/top.txt"));
        Proc.Result r = toSshd(local, "-r", sshd.user() + "@127.0.0.1:" + remote, "back");
        assertEquals(0, r.exit(), r.all());
        Path back = local.resolve("back");
        assertEquals("five levels down\n", Files.readString(back.resolve("a/b/c/d/e/deep.txt")));
        assertEquals("five levels down\n", Files.readString(back.resolve("to-a/b/c/d/e/deep.txt")));
        assertTrue(Files.isDirectory(back.resolve("to-a"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(back.resolve("to-top.txt"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals("top\n", Files.readString(back.resolve("to-top.txt")));
    }

    @Test
    void aTreeOfAHundredThousandFilesGoesUpInA48MiBHeap() throws Exception {
        // The client's memory stays bounded by the files in flight, not the tree: its state per
        // file is made at the file's OPEN and dropped at its end.
        Path local = ferryd.newLocalDir();
        Path big = local.resolve("big");
        byte[] data = new byte[1024];
        Random seeded = new Random(3);
        for (int d = 0; d < 100; d++) {
            Path dir = Files.createDirectories(big.resolve("d" + d));
            for (int f = 0; f < 1000; f++) {
                seeded.nextBytes(data);
                Files.write(dir.resolve("f" + f), data);
            }
        }
        List<String> args = new ArrayList<>(List.of("cp"));
        args.addAll(ferryd.ferryOptions());
        args.addAll(List.of("-r", "-q", "big", "alice@127.0.0.1:"));
        Proc.Result r = Proc.run(FerryCli.command(args.toArray(String[]::new)), local,
                Map.of("JDK_JAVA_OPTIONS", "-Xmx48m"), null, 600);
        assertEquals(0, r.exit(), r.all());
        Path arrived = ferryd.rootOf("alice").resolve("big");
        try (Stream<Path> files = Files.walk(arrived)) {
            assertEquals(100_000, files.filter(Files::isRegularFile).count());
        }
        for (int d = 0; d < 100; d += 7) {
            for (int f = 0; f < 1000; f += 97) {
                String rel = "d" + d + "/f" + f;
                assertArrayEquals(Files.readAllBytes(big.resolve(rel)), Files.readAllBytes(arrived.resolve(rel)), rel);
            }
        }
    }
}
