package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.server.log.ServerEvent;

/**
 * {@code ferry sync} as a user runs it: against ferryd over the ferry-delta subsystem in both
 * directions, trees with --delete and --dry-run, --checksum, the confinement of the user's root, and
 * the fallback to whole files over SFTP against OpenSSH's sshd.
 */
class FerrySyncTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Proc.Result sync(Path cwd, String... rest) {
        List<String> args = new ArrayList<>(List.of("sync", "-B", "-P", String.valueOf(ferryd.port()),
                "-i", ferryd.key().toString(), "-o", "UserKnownHostsFile=" + ferryd.knownHosts(),
                "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null"));
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    private static Proc.Result syncSshd(Path cwd, String... rest) {
        List<String> args = new ArrayList<>(List.of("sync", "-B", "-P", String.valueOf(sshd.port()),
                "-i", sshd.clientKey().toString(), "-o", "UserKnownHostsFile=" + sshd.knownHosts(),
                "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null"));
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The summary object of a --json run. */
    private static JsonNode summary(Proc.Result r) throws Exception {
        String[] lines = r.out().strip().split("\n");
        JsonNode last = JSON.readTree(lines[lines.length - 1]);
        assertTrue(last.path("summary").asBoolean(), r.all());
        return last;
    }

    private static List<JsonNode> files(Proc.Result r) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            JsonNode n = JSON.readTree(line);
            if (!n.path("summary").asBoolean()) {
                all.add(n);
            }
        }
        return all;
    }

    @Test
    void aChangedFileGoesUpAsASmallDeltaAndArrivesIntact() throws Exception {
        Path local = Files.createTempDirectory("sync-up");
        byte[] data = random(4 << 20, 1);
        Files.write(local.resolve("big.bin"), data);
        Proc.Result first = sync(local, "--json", "big.bin", "alice@127.0.0.1:big.bin");
        assertEquals(0, first.exit(), first.all());
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve("big.bin")));

        for (int i = 0; i < 10; i++) { // ten small edits
            data[i * 400_000 + 7] ^= 0x55;
        }
        Files.write(local.resolve("big.bin"), data);
        Proc.Result second = sync(local, "--json", "big.bin", "alice@127.0.0.1:big.bin");
        assertEquals(0, second.exit(), second.all());
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve("big.bin")));
        JsonNode s = summary(second);
        assertEquals("delta", files(second).get(0).path("how").asText());
        assertTrue(s.path("literalBytes").asLong() < 10 * 3 * 8192, s.toString());
        assertTrue(s.path("matchedBytes").asLong() > 3 << 20, s.toString());
        assertTrue(s.path("wireBytesSent").asLong() < 400_000, s.toString());
        assertTrue(ferryd.events(ServerEvent.Transfer.class).stream()
                .anyMatch(t -> t.protocol().equals("delta") && t.path().equals("big.bin") && t.error() == null));

        Proc.Result third = sync(local, "--json", "big.bin", "alice@127.0.0.1:big.bin");
        assertEquals(0, summary(third).path("sent").asInt(), third.all()); // size and mtime match now
    }

    @Test
    void aChangedFileComesDownAsADeltaOntoTheLocalCopy() throws Exception {
        byte[] data = random(3 << 20, 2);
        Files.write(ferryd.rootOf("alice").resolve("down.bin"), data);
        Path local = Files.createTempDirectory("sync-down");
        byte[] stale = data.clone();
        stale[1_000_000] ^= 1;
        Files.write(local.resolve("down.bin"), stale);
        // older than the server's copy, or the quick check (same size, same second) would skip it
        Files.setLastModifiedTime(local.resolve("down.bin"), FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Proc.Result r = sync(local, "--json", "alice@127.0.0.1:down.bin", "down.bin");
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(data, Files.readAllBytes(local.resolve("down.bin")));
        assertEquals("delta", files(r).get(0).path("how").asText());
        assertTrue(summary(r).path("literalBytes").asLong() < 100_000, r.out());
        assertEquals(Files.getLastModifiedTime(ferryd.rootOf("alice").resolve("down.bin")).toMillis() / 1000,
                Files.getLastModifiedTime(local.resolve("down.bin")).toMillis() / 1000);
    }

    @Test
    void withDigestSha256AChangedFileStillGoesAsADeltaBothWaysAndArrivesIntact() throws Exception {
        Path local = Files.createTempDirectory("sync-sha");
        byte[] data = random(2 << 20, 5);
        Path remote = ferryd.rootOf("alice").resolve("sha.bin");
        Files.write(remote, data);
        byte[] edited = data.clone();
        for (int i = 0; i < 5; i++) {
            edited[i * 400_000 + 3] ^= 0x55;
        }
        Files.write(local.resolve("sha.bin"), edited);
        // same size: an older server copy, or the quick check (same second) would skip it
        Files.setLastModifiedTime(remote, FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
        Proc.Result up = sync(local, "--json", "--digest=sha256", "sha.bin", "alice@127.0.0.1:sha.bin");
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(edited, Files.readAllBytes(remote), up.all());
        assertEquals("delta", files(up).get(0).path("how").asText(), up.out());
        assertTrue(summary(up).path("matchedBytes").asLong() > 1 << 20, up.out());

        Files.write(remote, data); // and back down onto the edited local copy
        Files.setLastModifiedTime(local.resolve("sha.bin"), FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Proc.Result down = sync(local, "--json", "--digest=sha256", "alice@127.0.0.1:sha.bin", "sha.bin");
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(data, Files.readAllBytes(local.resolve("sha.bin")), down.all());
        assertEquals("delta", files(down).get(0).path("how").asText(), down.out());

        Proc.Result wrong = sync(local, "--digest=md5", "sha.bin", "alice@127.0.0.1:sha.bin");
        assertTrue(wrong.exit() != 0, wrong.all());
        assertTrue(wrong.all().contains("--digest must be xxh128 or sha256, not 'md5'"), wrong.all());
    }

    @Test
    void aLargeAppendedFileIsSignedInTwoLevelsBothWays() throws Exception {
        // 24 MiB: 1 KiB chunks, about 24k of them; one level would be a 170 KB signature (7-byte
        // digests), two levels are ~770 group names and the chunks of the last group.
        byte[] old = random(24 << 20, 8);
        byte[] appended = java.util.Arrays.copyOf(old, old.length + (1 << 20));
        System.arraycopy(random(1 << 20, 9), 0, appended, old.length, 1 << 20);
        Path server = ferryd.rootOf("alice").resolve("grouped.bin");
        Files.write(server, old);
        Files.setLastModifiedTime(server, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Path local = Files.createTempDirectory("sync-grouped");
        Files.write(local.resolve("grouped.bin"), appended);

        Proc.Result up = sync(local, "--json", "grouped.bin", "alice@127.0.0.1:grouped.bin");
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(appended, Files.readAllBytes(server));
        assertEquals("delta", files(up).get(0).path("how").asText());
        assertTrue(summary(up).path("wireBytesReceived").asLong() < 20_000, "the signature: " + summary(up));
        assertTrue(summary(up).path("literalBytes").asLong() < (1 << 20) + 8192, summary(up).toString());

        Files.write(local.resolve("grouped.bin"), old); // and back: the local copy is the old one now
        Files.setLastModifiedTime(local.resolve("grouped.bin"), FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Proc.Result down = sync(local, "--json", "alice@127.0.0.1:grouped.bin", "grouped.bin");
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(appended, Files.readAllBytes(local.resolve("grouped.bin")));
        assertEquals("delta", files(down).get(0).path("how").asText());
        assertTrue(summary(down).path("wireBytesSent").asLong() < 20_000, "the signature: " + summary(down));
    }

    @Test
    void aTreeSyncsWithDeleteAndADryRunChangesNothing() throws Exception {
        Path local = Files.createTempDirectory("sync-tree");
        Path src = Files.createDirectories(local.resolve("src/sub"));
        Files.write(src.resolve("a.bin"), random(200_000, 3));
        Files.write(local.resolve("src/b.txt"), "b\n".getBytes());
        Files.write(local.resolve("src/c.txt"), "c\n".getBytes());
        Proc.Result first = sync(local, "-r", "src/", "alice@127.0.0.1:tree");
        assertEquals(0, first.exit(), first.all());
        Path tree = ferryd.rootOf("alice").resolve("tree");
        assertArrayEquals(Files.readAllBytes(src.resolve("a.bin")), Files.readAllBytes(tree.resolve("sub/a.bin")));
        assertEquals("b\n", Files.readString(tree.resolve("b.txt")));

        Files.delete(local.resolve("src/c.txt"));
        Files.writeString(local.resolve("src/d.txt"), "d\n");
        Proc.Result dry = sync(local, "-r", "--delete", "--dry-run", "src/", "alice@127.0.0.1:tree");
        assertEquals(0, dry.exit(), dry.all());
        assertTrue(dry.err().contains("would send tree/d.txt"), dry.all());
        assertTrue(dry.err().contains("would delete tree/c.txt"), dry.all());
        assertTrue(Files.exists(tree.resolve("c.txt")));
        assertFalse(Files.exists(tree.resolve("d.txt")));

        Proc.Result real = sync(local, "--json", "-r", "--delete", "src/", "alice@127.0.0.1:tree");
        assertEquals(0, real.exit(), real.all());
        assertFalse(Files.exists(tree.resolve("c.txt")));
        assertEquals("d\n", Files.readString(tree.resolve("d.txt")));
        JsonNode s = summary(real);
        assertEquals(1, s.path("sent").asInt(), real.out());
        assertEquals(1, s.path("deleted").asInt(), real.out());
        assertEquals(2, s.path("skipped").asInt(), real.out());

        // Without the trailing slash the directory itself goes inside the target.
        Proc.Result nested = sync(local, "-r", "src", "alice@127.0.0.1:tree");
        assertEquals(0, nested.exit(), nested.all());
        assertTrue(Files.exists(tree.resolve("src/sub/a.bin")));
    }

    @Test
    void aFileWhereADirectoryGoesIsReplacedAndNothingElseIsTouched() throws Exception {
        Path local = Files.createTempDirectory("sync-replace");
        Files.createDirectories(local.resolve("src/sub"));
        Files.writeString(local.resolve("src/sub/a.txt"), "a\n");
        Path root = ferryd.rootOf("alice");
        Files.createDirectories(root.resolve("replace"));
        Files.writeString(root.resolve("replace/sub"), "a file where the directory goes\n");
        Files.writeString(root.resolve("sub"), "unrelated, beside the target\n");
        Proc.Result r = sync(local, "-r", "src/", "alice@127.0.0.1:replace");
        assertEquals(0, r.exit(), r.all());
        assertEquals("a\n", Files.readString(root.resolve("replace/sub/a.txt")));
        assertEquals("unrelated, beside the target\n", Files.readString(root.resolve("sub")));
    }

    @Test
    void checksumFindsAChangeThatSizeAndTimeMiss() throws Exception {
        Path local = Files.createTempDirectory("sync-sum");
        Path file = Files.writeString(local.resolve("same.txt"), "version one\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_500_000_000_000L));
        Proc.Result dbg = sync(local, "same.txt", "alice@127.0.0.1:same.txt"); assertEquals(0, dbg.exit(), dbg.all());
        Files.writeString(file, "version two\n"); // same length
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_500_000_000_000L));
        Proc.Result quick = sync(local, "--json", "same.txt", "alice@127.0.0.1:same.txt");
        assertEquals(0, summary(quick).path("sent").asInt(), quick.out());
        Proc.Result sum = sync(local, "--json", "--checksum", "same.txt", "alice@127.0.0.1:same.txt");
        assertEquals(1, summary(sum).path("sent").asInt(), sum.out());
        assertEquals("version two\n", Files.readString(ferryd.rootOf("alice").resolve("same.txt")));
    }

    @Test
    void aDeltaCannotWriteThroughALinkOutOfTheRootNorIntoAReadOnlyRoot() throws Exception {
        Path outside = ferryd.outside();
        Files.createSymbolicLink(ferryd.rootOf("alice").resolve("escape"), outside);
        Path local = Files.createTempDirectory("sync-confined");
        Files.write(local.resolve("x.bin"), random(100_000, 4));
        Proc.Result r = sync(local, "--mode", "delta", "x.bin", "alice@127.0.0.1:escape/x.bin");
        assertEquals(1, r.exit(), r.all());
        assertFalse(Files.exists(outside.resolve("x.bin")));
        assertTrue(r.err().strip().lines().count() <= 2, r.err()); // one sentence, no stack trace
        assertFalse(r.err().contains("Exception"), r.err());

        Files.writeString(ferryd.rootOf("reader").resolve("ro.bin"), "old\n");
        Proc.Result ro = sync(local, "--mode", "delta", "x.bin", "reader@127.0.0.1:ro.bin");
        assertEquals(1, ro.exit(), ro.all());
        assertEquals("old\n", Files.readString(ferryd.rootOf("reader").resolve("ro.bin")));
    }

    @Test
    void againstOpenSshsServerItSaysSoOnceAndSendsWholeFiles() throws Exception {
        Path local = Files.createTempDirectory("sync-sshd");
        Path src = Files.createDirectories(local.resolve("src"));
        for (int i = 0; i < 3; i++) {
            Files.write(src.resolve("f" + i + ".bin"), random(100_000 + i, 10 + i));
        }
        Path remote = sshd.root().resolve("synced");
        String to = sshd.user() + "@127.0.0.1:" + remote;
        Proc.Result first = syncSshd(local, "-r", "src/", to);
        assertEquals(0, first.exit(), first.all());
        assertEquals(1, first.err().lines().filter(l -> l.contains("no ferry-delta subsystem")).count(), first.err());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(Files.readAllBytes(src.resolve("f" + i + ".bin")),
                    Files.readAllBytes(remote.resolve("f" + i + ".bin")));
        }
        Files.write(src.resolve("f1.bin"), random(100_001, 99));
        Proc.Result second = syncSshd(local, "--json", "-r", "src/", to);
        assertEquals(0, second.exit(), second.all());
        JsonNode s = summary(second);
        assertEquals(1, s.path("sent").asInt(), second.out());
        assertEquals(2, s.path("skipped").asInt(), second.out());
        assertEquals("whole", files(second).stream().filter(f -> f.path("action").asText().equals("sent"))
                .findFirst().orElseThrow().path("how").asText());
        assertArrayEquals(Files.readAllBytes(src.resolve("f1.bin")), Files.readAllBytes(remote.resolve("f1.bin")));
    }

    @Test
    void aTreeGoesWholeToAndFromOpenSshsServerAllInFlightWithTimesAndModes() throws Exception {
        Path local = Files.createTempDirectory("sync-sshd-tree");
        Path src = Files.createDirectories(local.resolve("src"));
        for (int i = 0; i < 60; i++) {
            Path dir = Files.createDirectories(src.resolve("d" + i % 6).resolve("sub " + i % 3));
            Path f = Files.write(dir.resolve("f" + i + ".txt"), random(1 + i * 997, i));
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_500_000_000_000L + i * 1000L));
            if (i % 5 == 0) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-x---"));
            }
        }
        Files.createDirectories(src.resolve("empty"));
        Path remote = sshd.root().resolve("tree-synced");
        Proc.Result up = syncSshd(local, "--json", "-r", "src/", sshd.user() + "@127.0.0.1:" + remote + "/");
        assertEquals(0, up.exit(), up.all());
        assertEquals(60, summary(up).path("sent").asInt(), up.out());
        Proc.Result down = syncSshd(local, "--json", "-r", sshd.user() + "@127.0.0.1:" + remote + "/", "back/");
        assertEquals(0, down.exit(), down.all());
        assertEquals(60, summary(down).path("sent").asInt(), down.out());
        assertTrue(Files.isDirectory(local.resolve("back/empty")));
        try (var files = Files.walk(src)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = src.relativize(f).toString();
                for (Path copy : List.of(remote.resolve(rel), local.resolve("back").resolve(rel))) {
                    assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(copy), rel);
                    assertEquals(Files.getLastModifiedTime(f).toMillis() / 1000,
                            Files.getLastModifiedTime(copy).toMillis() / 1000, rel);
                    assertEquals(Files.getPosixFilePermissions(f), Files.getPosixFilePermissions(copy), rel);
                }
            }
        }
        Proc.Result again = syncSshd(local, "--json", "-r", sshd.user() + "@127.0.0.1:" + remote + "/", "back/");
        assertEquals(60, summary(again).path("skipped").asInt(), again.out());
    }

    /** A small tree with links of every kind: to a file, to a directory, absolute out, dangling. */
    private static Path treeWithLinks(Path local) throws Exception {
        Path src = Files.createDirectories(local.resolve("src/sub"));
        Files.writeString(src.resolve("inner.txt"), "inner\n");
        Files.writeString(local.resolve("src/file.txt"), "file\n");
        Files.createSymbolicLink(local.resolve("src/rel"), Path.of("file.txt"));
        Files.createSymbolicLink(local.resolve("src/dirlink"), Path.of("sub"));
        Files.createSymbolicLink(local.resolve("src/sub/up"), Path.of("../file.txt"));
        Files.createSymbolicLink(local.resolve("src/dangling"), Path.of("no such/ü"));
        return local.resolve("src");
    }

    private static void assertLinks(Path tree) throws Exception {
        assertEquals(Path.of("file.txt"), Files.readSymbolicLink(tree.resolve("rel")));
        assertEquals(Path.of("sub"), Files.readSymbolicLink(tree.resolve("dirlink")));
        assertEquals(Path.of("../file.txt"), Files.readSymbolicLink(tree.resolve("sub/up")));
        assertEquals(Path.of("no such/ü"), Files.readSymbolicLink(tree.resolve("dangling")));
        assertEquals("inner\n", Files.readString(tree.resolve("sub/inner.txt")));
    }

    @Test
    void linksAreKeptAsLinksBothWaysWithFerrydAndNeverFollowed() throws Exception {
        Path local = Files.createTempDirectory("sync-links");
        Path src = treeWithLinks(local);
        Proc.Result up = sync(local, "--json", "-r", "src/", "linker@127.0.0.1:tree");
        assertEquals(0, up.exit(), up.all());
        Path remote = ferryd.rootOf("linker").resolve("tree");
        assertLinks(remote);
        assertEquals(4, files(up).stream().filter(f -> f.path("how").asText().equals("link")).count(), up.out());

        Proc.Result again = sync(local, "--json", "-r", "src/", "linker@127.0.0.1:tree");
        assertEquals(0, again.exit(), again.all());
        assertEquals(0, summary(again).path("sent").asInt(), again.out());
        assertEquals(6, summary(again).path("skipped").asInt(), again.out());

        // a link that now points elsewhere is made again; one the target has in a file's place is replaced
        Files.delete(src.resolve("rel"));
        Files.createSymbolicLink(src.resolve("rel"), Path.of("sub/inner.txt"));
        Files.delete(remote.resolve("dangling"));
        Files.writeString(remote.resolve("dangling"), "a file where the link goes\n");
        Proc.Result changed = sync(local, "--json", "-r", "src/", "linker@127.0.0.1:tree");
        assertEquals(0, changed.exit(), changed.all());
        assertEquals(2, summary(changed).path("sent").asInt(), changed.out());
        assertEquals(Path.of("sub/inner.txt"), Files.readSymbolicLink(remote.resolve("rel")));
        assertEquals(Path.of("no such/ü"), Files.readSymbolicLink(remote.resolve("dangling")));

        // down: links come back as links; a local link where a file or directory goes is replaced,
        // and what it pointed to is left alone
        Path back = Files.createDirectories(local.resolve("back"));
        Path victim = Files.writeString(local.resolve("victim.txt"), "keep me\n");
        Path victimDir = Files.createDirectories(local.resolve("victim-dir"));
        Files.createSymbolicLink(back.resolve("file.txt"), victim);
        Files.createSymbolicLink(back.resolve("sub"), victimDir);
        Proc.Result down = sync(local, "-r", "linker@127.0.0.1:tree/", "back/");
        assertEquals(0, down.exit(), down.all());
        assertEquals(Path.of("sub/inner.txt"), Files.readSymbolicLink(back.resolve("rel")));
        assertEquals(Path.of("sub"), Files.readSymbolicLink(back.resolve("dirlink")));
        assertEquals(Path.of("../file.txt"), Files.readSymbolicLink(back.resolve("sub/up")));
        assertEquals("file\n", Files.readString(back.resolve("file.txt")));
        assertFalse(Files.isSymbolicLink(back.resolve("file.txt")));
        assertFalse(Files.isSymbolicLink(back.resolve("sub")));
        assertEquals("keep me\n", Files.readString(victim));
        try (var left = Files.list(victimDir)) {
            assertEquals(0, left.count(), "nothing written through the link");
        }
    }

    @Test
    void aServerThatRefusesLinksGetsOneSentencePerLinkAndTheFilesStillGo() throws Exception {
        Path local = Files.createTempDirectory("sync-links-refused");
        treeWithLinks(local);
        Proc.Result up = sync(local, "-r", "src/", "alice@127.0.0.1:refused-links");
        assertEquals(1, up.exit(), up.all());
        Path remote = ferryd.rootOf("alice").resolve("refused-links");
        assertEquals("file\n", Files.readString(remote.resolve("file.txt")));
        assertEquals("inner\n", Files.readString(remote.resolve("sub/inner.txt")));
        assertFalse(Files.exists(remote.resolve("rel"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        List<String> refusals = up.err().lines().filter(l -> l.startsWith("ferry: refused-links/")).toList();
        assertEquals(4, refusals.size(), up.err());
        assertFalse(up.err().contains("Exception"), up.err());
        try (var left = Files.list(remote)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".ferry-link-")), "no temporary left");
        }
    }

    @Test
    void linksAreKeptAsLinksBothWaysWithOpenSshsServer() throws Exception {
        Path local = Files.createTempDirectory("sync-links-sshd");
        Path src = treeWithLinks(local);
        Files.createSymbolicLink(src.resolve("abs"), Path.of("/etc"));
        Path remote = sshd.root().resolve("links-synced");
        String to = sshd.user() + "@127.0.0.1:" + remote + "/";
        Proc.Result up = syncSshd(local, "-r", "src/", to);
        assertEquals(0, up.exit(), up.all());
        assertLinks(remote);
        assertEquals(Path.of("/etc"), Files.readSymbolicLink(remote.resolve("abs")));

        Proc.Result again = syncSshd(local, "--json", "-r", "src/", to);
        assertEquals(0, summary(again).path("sent").asInt(), again.out());

        Proc.Result down = syncSshd(local, "-r", to, "back/");
        assertEquals(0, down.exit(), down.all());
        assertLinks(local.resolve("back"));
        assertEquals(Path.of("/etc"), Files.readSymbolicLink(local.resolve("back/abs")));

        // one link named on its own goes as a link, unless named with a slash
        Proc.Result one = syncSshd(local, "src/rel", sshd.user() + "@127.0.0.1:" + remote + "/one-link");
        assertEquals(0, one.exit(), one.all());
        assertEquals(Path.of("file.txt"), Files.readSymbolicLink(remote.resolve("one-link")));
        Proc.Result through = syncSshd(local, "-r", "src/dirlink/", sshd.user() + "@127.0.0.1:" + remote + "/through");
        assertEquals(0, through.exit(), through.all());
        assertEquals("inner\n", Files.readString(remote.resolve("through/inner.txt")));
        assertFalse(Files.isSymbolicLink(remote.resolve("through")));
    }

    @Test
    void directoriesKeepTheirModesAndTimesBothWaysAsWithRsync() throws Exception {
        for (boolean openSsh : new boolean[] {true, false}) {
            Path local = Files.createTempDirectory("sync-dirs");
            Path src = Files.createDirectories(local.resolve("src/a/b"));
            Files.writeString(src.resolve("f.txt"), "f\n");
            Files.createDirectories(local.resolve("src/empty"));
            Files.setPosixFilePermissions(local.resolve("src/a"), PosixFilePermissions.fromString("rwxr-x---"));
            Files.setPosixFilePermissions(local.resolve("src/empty"), PosixFilePermissions.fromString("rwx------"));
            long[] when = {1_500_000_000_000L, 1_500_000_100_000L, 1_500_000_200_000L, 1_500_000_300_000L};
            List<Path> dirs = List.of(local.resolve("src"), local.resolve("src/a"), local.resolve("src/a/b"),
                    local.resolve("src/empty"));
            for (int i = 0; i < dirs.size(); i++) {
                Files.setLastModifiedTime(dirs.get(i), FileTime.fromMillis(when[i]));
            }
            Path remote = openSsh ? sshd.root().resolve("dirs-synced") : ferryd.rootOf("alice").resolve("dirs-synced");
            String target = openSsh ? sshd.user() + "@127.0.0.1:" + remote + "/" : "alice@127.0.0.1:dirs-synced/";
            Proc.Result up = openSsh ? syncSshd(local, "-r", "src/", target) : sync(local, "-r", "src/", target);
            assertEquals(0, up.exit(), up.all());
            Proc.Result down = openSsh ? syncSshd(local, "-r", target, "back/") : sync(local, "-r", target, "back/");
            assertEquals(0, down.exit(), down.all());
            for (Path copyTop : List.of(remote, local.resolve("back"))) {
                for (Path d : dirs) {
                    Path copy = copyTop.resolve(local.resolve("src").relativize(d).toString());
                    String what = (openSsh ? "sshd " : "ferryd ") + copy;
                    assertEquals(Files.getLastModifiedTime(d).toMillis() / 1000,
                            Files.getLastModifiedTime(copy).toMillis() / 1000, what);
                    assertEquals(Files.getPosixFilePermissions(d), Files.getPosixFilePermissions(copy), what);
                }
            }
            // a second sync finds nothing to change
            Proc.Result again = openSsh ? syncSshd(local, "--json", "-r", "src/", target)
                    : sync(local, "--json", "-r", "src/", target);
            assertEquals(0, again.exit(), again.all());
            assertEquals(0, summary(again).path("sent").asInt(), again.out());
        }
    }

    @Test
    void linksKeepTheirOwnTimesBothWaysAsWithRsync() throws Exception {
        for (boolean openSsh : new boolean[] {true, false}) {
            Path local = Files.createTempDirectory("sync-link-times");
            Path src = treeWithLinks(local);
            Files.setLastModifiedTime(src.resolve("file.txt"), FileTime.fromMillis(1_400_000_000_000L));
            List<String> links = List.of("rel", "dirlink", "sub/up", "dangling");
            for (int i = 0; i < links.size(); i++) {
                linkTime(src.resolve(links.get(i)), 1_500_000_000_000L + i * 100_000L);
            }
            Path remote = openSsh ? sshd.root().resolve("link-times") : ferryd.rootOf("linker").resolve("link-times");
            String target = openSsh ? sshd.user() + "@127.0.0.1:" + remote + "/" : "linker@127.0.0.1:link-times/";
            Proc.Result up = openSsh ? syncSshd(local, "-r", "src/", target) : sync(local, "-r", "src/", target);
            assertEquals(0, up.exit(), up.all());
            Proc.Result down = openSsh ? syncSshd(local, "-r", target, "back/") : sync(local, "-r", target, "back/");
            assertEquals(0, down.exit(), down.all());
            String server = openSsh ? "sshd " : "ferryd ";
            for (Path copyTop : List.of(remote, local.resolve("back"))) {
                for (String l : links) {
                    assertEquals(linkTime(src.resolve(l)) / 1000, linkTime(copyTop.resolve(l)) / 1000,
                            server + copyTop.resolve(l));
                }
                // the link's time, not its target's: the file a link leads to keeps its own
                assertEquals(1_400_000_000L, Files.getLastModifiedTime(copyTop.resolve("file.txt")).toMillis() / 1000,
                        server + copyTop);
            }

            // a link whose time alone changed keeps its target and takes the new time; nothing is sent
            linkTime(src.resolve("rel"), 1_600_000_000_000L);
            Proc.Result again = openSsh ? syncSshd(local, "--json", "-r", "src/", target)
                    : sync(local, "--json", "-r", "src/", target);
            assertEquals(0, again.exit(), again.all());
            assertEquals(0, summary(again).path("sent").asInt(), again.out());
            assertEquals(1_600_000_000L, linkTime(remote.resolve("rel")) / 1000, server + again.out());
            assertEquals(Path.of("file.txt"), Files.readSymbolicLink(remote.resolve("rel")));
        }
    }

    /** Sets a link's own modification time (not its target's). */
    private static void linkTime(Path link, long millis) throws Exception {
        Files.getFileAttributeView(link, java.nio.file.attribute.BasicFileAttributeView.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).setTimes(FileTime.fromMillis(millis), null, null);
    }

    private static long linkTime(Path link) throws Exception {
        return Files.getLastModifiedTime(link, java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis();
    }
}
