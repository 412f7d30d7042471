package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;

/**
 * A user can never read or write outside their root: not with {@code ..}, and not through symlinks
 * that someone else planted inside the root (absolute or relative, to a file or a directory,
 * dangling), over SFTP or SCP. After every test the directory outside is exactly as it was.
 */
class ContainmentTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    private final OpenSsh openssh = new OpenSsh(ferryd);
    private Map<String, String> outsideBefore;

    /** Links planted inside alice's root, each leading outside it. */
    static final List<String> ESCAPING_FILE_LINKS = List.of("abs-file", "rel-file", "via-dir-link/secret.txt",
            "inner/up/../outside/secret.txt");
    static final List<String> ESCAPING_DIR_LINKS = List.of("abs-dir", "rel-dir");

    @BeforeAll
    static void plantLinks() throws IOException {
        Path root = ferryd.rootOf("alice");
        Path secret = ferryd.outside().resolve("secret.txt");
        Files.createSymbolicLink(root.resolve("abs-file"), secret);
        Files.createSymbolicLink(root.resolve("rel-file"), Path.of("../../outside/secret.txt"));
        Files.createSymbolicLink(root.resolve("abs-dir"), ferryd.outside());
        Files.createSymbolicLink(root.resolve("rel-dir"), Path.of("../../outside"));
        Files.createSymbolicLink(root.resolve("via-dir-link"), ferryd.outside());
        Files.createSymbolicLink(root.resolve("dangling"), ferryd.outside().resolve("created-through-link.txt"));
        Files.createDirectories(root.resolve("inner"));
        Files.createSymbolicLink(root.resolve("inner/up"), Path.of("../.."));
        Files.writeString(root.resolve("inside.txt"), "inside\n");
        Files.createSymbolicLink(root.resolve("inside-link"), Path.of("inside.txt"));
    }

    @BeforeEach
    void snapshotOutside() throws IOException {
        outsideBefore = snapshot(ferryd.outside());
    }

    @AfterEach
    void outsideIsUnchanged() throws IOException {
        assertEquals(outsideBefore, snapshot(ferryd.outside()), "the directory outside the root changed");
    }

    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                files.put(dir.relativize(p).toString(), Files.isRegularFile(p) ? Files.readString(p) : "<dir>");
            }
        }
        return files;
    }

    private void assertNotLeaked(Path local, String name) throws IOException {
        Path got = local.resolve(name);
        assertFalse(Files.exists(got) && Files.readString(got).contains("outside-secret"),
                "the secret was read through " + name);
    }

    @Test
    void dotDotCannotClimbOutOfTheRootOverSftp() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("evil.txt"), "evil");
        for (String path : List.of("../outside/secret.txt", "../../outside/secret.txt",
                "/../../outside/secret.txt", "inner/../../outside/secret.txt")) {
            openssh.sftp("alice", local, "get " + path + " got.txt");
            assertNotLeaked(local, "got.txt");
        }
        openssh.sftp("alice", local, "cd ../..", "get outside/secret.txt got.txt");
        assertNotLeaked(local, "got.txt");
        openssh.sftp("alice", local, "put evil.txt ../../outside/evil.txt");
        openssh.sftp("alice", local, "mkdir ../../outside/newdir");
    }

    @ParameterizedTest(name = "scp {0}")
    @ValueSource(strings = {"-s", "-O"})
    void dotDotCannotClimbOutOfTheRootOverScp(String protocol) throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("evil.txt"), "evil");
        Proc.Result down = openssh.scp(local, protocol, openssh.remote("alice", "../../outside/secret.txt"), "got.txt");
        assertNotEquals(0, down.exit(), down.all());
        assertNotLeaked(local, "got.txt");
        openssh.scp(local, protocol, "evil.txt", openssh.remote("alice", "../../outside/evil.txt"));
    }

    @Test
    void plantedLinksToFilesOutsideCannotBeReadOverSftp() throws Exception {
        Path local = ferryd.newLocalDir();
        for (String link : ESCAPING_FILE_LINKS) {
            Proc.Result r = openssh.sftp("alice", local, "get " + link + " got.txt");
            assertNotEquals(0, r.exit(), link + ": " + r.all());
            assertNotLeaked(local, "got.txt");
        }
    }

    @ParameterizedTest(name = "scp {0}")
    @ValueSource(strings = {"-s", "-O"})
    void plantedLinksToFilesOutsideCannotBeReadOverScp(String protocol) throws Exception {
        Path local = ferryd.newLocalDir();
        for (String link : ESCAPING_FILE_LINKS) {
            Proc.Result r = openssh.scp(local, protocol, openssh.remote("alice", link), "got.txt");
            assertNotEquals(0, r.exit(), link + ": " + r.all());
            assertNotLeaked(local, "got.txt");
        }
        Proc.Result tree = openssh.scp(local, protocol, "-r", openssh.remote("alice", "abs-dir"), "tree");
        assertNotEquals(0, tree.exit(), tree.all());
        assertFalse(Files.exists(local.resolve("tree/secret.txt")));
    }

    @Test
    void plantedLinksToDirectoriesOutsideCannotBeListedOrWrittenInto() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("evil.txt"), "evil");
        for (String dir : ESCAPING_DIR_LINKS) {
            // sftp may show the link itself (as ls shows a dangling link), but never what is behind it.
            Proc.Result ls = openssh.sftp("alice", local, "ls " + dir, "ls " + dir + "/");
            assertFalse(ls.out().contains("secret.txt"), ls.all());
            assertNotEquals(0, openssh.sftp("alice", local, "put evil.txt " + dir + "/evil.txt").exit());
            assertNotEquals(0, openssh.sftp("alice", local, "mkdir " + dir + "/newdir").exit());
            assertNotEquals(0, openssh.scp(local, "-O", "evil.txt", openssh.remote("alice", dir + "/")).exit());
            assertNotEquals(0, openssh.scp(local, "evil.txt", openssh.remote("alice", dir + "/evil.txt")).exit());
        }
    }

    @Test
    void aDanglingLinkCannotCreateAFileOutside() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("evil.txt"), "evil");
        assertNotEquals(0, openssh.sftp("alice", local, "put evil.txt dangling").exit());
        assertNotEquals(0, openssh.scp(local, "-O", "evil.txt", openssh.remote("alice", "dangling")).exit());
        assertFalse(Files.exists(ferryd.outside().resolve("created-through-link.txt")));
    }

    @Test
    void linksThatStayInsideStillWorkAndPlantedOnesCanBeRemoved() throws Exception {
        Path local = ferryd.newLocalDir();
        Proc.Result r = openssh.sftp("alice", local, "get inside-link got.txt", "ls -l");
        assertEquals(0, r.exit(), r.all());
        assertEquals("inside\n", Files.readString(local.resolve("got.txt")));
        Files.createSymbolicLink(ferryd.rootOf("alice").resolve("remove-me"), ferryd.outside().resolve("secret.txt"));
        assertEquals(0, openssh.sftp("alice", local, "rm remove-me").exit());
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("remove-me"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void creatingLinksIsRefusedUnlessAllowedAndThenOnlyInsideTheRoot() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(ferryd.rootOf("alice").resolve("target.txt"), "t");
        assertNotEquals(0, openssh.sftp("alice", local, "ln -s target.txt soft").exit());
        assertNotEquals(0, openssh.sftp("alice", local, "ln target.txt hard").exit());
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("soft"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("hard")));

        Path linker = ferryd.rootOf("linker");
        Files.writeString(linker.resolve("target.txt"), "t");
        Proc.Result ok = openssh.sftp("linker", local, "ln -s target.txt soft", "get soft got.txt");
        assertEquals(0, ok.exit(), ok.all());
        assertEquals("t", Files.readString(local.resolve("got.txt")));
        assertNotEquals(0, openssh.sftp("linker", local, "ln -s ../../outside/secret.txt escape").exit());
        assertFalse(Files.exists(linker.resolve("escape"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        // An absolute target is taken inside the root, where /outside does not exist.
        openssh.sftp("linker", local, "ln -s " + ferryd.outside().resolve("secret.txt") + " abs");
        openssh.sftp("linker", local, "get abs got-abs.txt");
        assertNotLeaked(local, "got-abs.txt");
        List<String> made = new ArrayList<>();
        try (Stream<Path> s = Files.list(linker)) {
            s.forEach(p -> made.add(p.getFileName().toString()));
        }
        assertTrue(made.contains("soft"), made.toString());
    }
}
