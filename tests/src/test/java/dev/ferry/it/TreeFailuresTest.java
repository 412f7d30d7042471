package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.it.support.TestData;
import dev.ferry.relay.TcpRelay;

/**
 * Trees where some entries fail and the rest must still go, as scp -r and rsync -a behave: a file
 * and a directory the user may not read (ferry cp -r and ferry sync -r, to ferryd and to OpenSSH's
 * sshd), each one sentence with exit code 1 at the end; a sync whose source could not be read
 * whole deletes nothing on the other side (rsync's rule); files deleted while a tree copy is under
 * way, on either side.
 */
class TreeFailuresTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    /** A tree with a file and a directory that only root could read, beside readable ones. */
    private static Path treeWithUnreadable(Path under) throws IOException {
        Path top = Files.createDirectories(under.resolve("src"));
        Files.writeString(top.resolve("a.txt"), "a\n");
        Files.createDirectories(top.resolve("open"));
        Files.writeString(top.resolve("open/b.txt"), "b\n");
        Path secret = Files.writeString(top.resolve("secret.txt"), "secret\n");
        Path closed = Files.createDirectories(top.resolve("closed"));
        Files.writeString(closed.resolve("x.txt"), "x\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
        return top;
    }

    private static List<String> errors(Proc.Result r) {
        // the sentences, without the summary ("ferry: 2 of 3 files sent ...")
        return r.err().lines().filter(l -> l.startsWith("ferry: ") && !l.matches("ferry: \\d+ of \\d+ files .*"))
                .toList();
    }

    private static List<String> names(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static List<String> command(String verb, List<String> options, String... rest) {
        List<String> args = new ArrayList<>(List.of(verb));
        args.addAll(options);
        args.addAll(List.of(rest));
        return args;
    }

    @Test
    void copyingATreeReportsEachUnreadableEntryOnceAndCopiesTheRest() throws Exception {
        for (boolean openSsh : new boolean[] {true, false}) {
            Path local = openSsh ? sshd.newLocalDir() : ferryd.newLocalDir();
            treeWithUnreadable(local);
            Path remote = openSsh ? sshd.root().resolve("unreadable-cp") : ferryd.rootOf("alice").resolve("unreadable-cp");
            String target = openSsh ? sshd.user() + "@127.0.0.1:" + remote : "alice@127.0.0.1:unreadable-cp";
            List<String> options = openSsh ? sshd.ferryOptions() : ferryd.ferryOptions();
            Proc.Result r = FerryCli.runBoundByModes(local, command("cp", options, "-r", "src", target)
                    .toArray(String[]::new));

            assertEquals(1, r.exit(), r.all());
            List<String> errors = r.err().lines().filter(l -> !l.isBlank()).toList(); // as scp -r: the lines alone
            assertEquals(2, errors.size(), r.all());
            assertTrue(errors.stream().anyMatch(l -> l.contains("secret.txt") && l.endsWith("Permission denied")), r.all());
            assertTrue(errors.stream().anyMatch(l -> l.contains("closed") && l.endsWith("Permission denied")), r.all());
            assertFalse(r.err().contains("Exception"), r.all());
            assertEquals("a\n", Files.readString(remote.resolve("a.txt")));
            assertEquals("b\n", Files.readString(remote.resolve("open/b.txt")));
            assertFalse(Files.exists(remote.resolve("secret.txt")), names(remote).toString());
            assertFalse(names(remote).stream().anyMatch(n -> n.contains(".ferry-part")), names(remote).toString());
        }
    }

    @Test
    void aSyncGoesOnPastUnreadableEntriesAndThenDeletesNothing() throws Exception {
        for (boolean openSsh : new boolean[] {true, false}) {
            Path local = openSsh ? sshd.newLocalDir() : ferryd.newLocalDir();
            treeWithUnreadable(local);
            Path remote = openSsh ? sshd.root().resolve("unreadable-sync") : ferryd.rootOf("alice").resolve("unreadable-sync");
            Files.createDirectories(remote.resolve("closed"));
            Files.writeString(remote.resolve("closed/x.txt"), "the copy from before\n");
            Files.writeString(remote.resolve("extra.txt"), "not in the source\n");
            String target = openSsh ? sshd.user() + "@127.0.0.1:" + remote + "/" : "alice@127.0.0.1:unreadable-sync/";
            List<String> options = openSsh ? sshd.ferryOptions() : ferryd.ferryOptions();
            Proc.Result r = FerryCli.runBoundByModes(local, command("sync", options, "-r", "--delete", "src/", target)
                    .toArray(String[]::new));

            assertEquals(1, r.exit(), r.all());
            List<String> errors = errors(r);
            assertTrue(errors.stream().anyMatch(l -> l.contains("secret.txt") && l.endsWith("Permission denied")), r.all());
            assertTrue(errors.stream().anyMatch(l -> l.endsWith("src/closed: Permission denied")), r.all());
            assertTrue(r.err().contains("some directories could not be read: nothing deleted"), r.all());
            assertFalse(r.err().contains("Exception"), r.all());
            assertEquals("a\n", Files.readString(remote.resolve("a.txt")));
            assertEquals("b\n", Files.readString(remote.resolve("open/b.txt")));
            assertEquals("the copy from before\n", Files.readString(remote.resolve("closed/x.txt")));
            assertEquals("not in the source\n", Files.readString(remote.resolve("extra.txt")));
            assertFalse(Files.exists(remote.resolve("secret.txt")));
        }
    }

    /**
     * Files deleted while the copy runs: through a link of 200 ms RTT, with ferryd's 64 open
     * handles, 400 files go in waves of a round trip or more each; once the first file has
     * arrived, every file that has not is deleted at the source. A file already open still
     * arrives whole (its data lives until it is closed); every other one is one sentence; nothing
     * partial is left, the rest arrive, exit 1. Both directions.
     */
    @Test
    void filesDeletedDuringATreeCopyAreOneSentenceEachAndTheRestArrive() throws Exception {
        try (TcpRelay relay = TcpRelay.builder(new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", ferryd.port())).delay(Duration.ofMillis(200)).start()) {
            List<String> options = new ArrayList<>(ferryd.ferryOptions());
            options.set(options.indexOf("-P") + 1, String.valueOf(relay.port()));
            options.addAll(List.of("--host-key", ferryd.hostKeyFingerprint()));

            Path local = ferryd.newLocalDir();
            Path up = Files.createDirectories(local.resolve("up"));
            for (int i = 0; i < 400; i++) {
                Files.write(up.resolve(String.format("f%03d.bin", i)), TestData.random(1024, i));
            }
            Path remote = Files.createDirectories(ferryd.rootOf("alice").resolve("vanishing")).resolve("up");
            copyWhileDeleting(local, command("cp", options, "-r", "up", "alice@127.0.0.1:vanishing"), up, remote);

            Path source = ferryd.rootOf("alice").resolve("vanishing-down/up");
            Files.createDirectories(source);
            for (int i = 0; i < 400; i++) {
                Files.write(source.resolve(String.format("f%03d.bin", i)), TestData.random(1024, 1000 + i));
            }
            copyWhileDeleting(local, command("cp", options, "-r", "alice@127.0.0.1:vanishing-down/up", "down"),
                    source, local.resolve("down"));
        }
    }

    private static void copyWhileDeleting(Path cwd, List<String> args, Path from, Path to) throws Exception {
        Map<String, byte[]> before = new TreeMap<>();
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                before.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        CompletableFuture<Proc.Result> run = CompletableFuture.supplyAsync(
                () -> FerryCli.run(cwd, args.toArray(String[]::new)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (arrived(to, before.keySet()).isEmpty() && !run.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Set<String> deleted = new TreeSet<>(before.keySet());
        deleted.removeAll(arrived(to, before.keySet()));
        for (String name : deleted) {
            Files.deleteIfExists(from.resolve(name));
        }
        Proc.Result r = run.get(120, TimeUnit.SECONDS);

        assertEquals(1, r.exit(), r.all());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertFalse(lines.isEmpty(), r.all());
        Set<String> reported = new TreeSet<>();
        // a file deleted before it was opened is gone; one deleted while it was read, changed
        for (String line : lines) {
            String reason = List.of(": No such file or directory",
                    ": changed while it was being copied; the copy was not kept").stream()
                    .filter(line::endsWith).findFirst().orElseThrow(() -> new AssertionError(r.all()));
            String name = line.substring(0, line.length() - reason.length());
            name = name.substring(name.lastIndexOf('/') + 1);
            assertTrue(deleted.contains(name), "a file that was not deleted is reported: " + line);
            assertTrue(reported.add(name), "reported twice: " + line);
        }
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            Path copy = to.resolve(e.getKey());
            if (reported.contains(e.getKey())) {
                assertFalse(Files.exists(copy), e.getKey() + " was reported and still arrived");
            } else {
                assertArrayEquals(e.getValue(), Files.readAllBytes(copy), e.getKey());
            }
        }
        List<String> left = names(to).stream().filter(n -> !n.isEmpty() && !before.containsKey(n)).toList();
        assertEquals(List.of(), left, "nothing else, nothing partial");
        assertEquals(before.size() - reported.size(), names(to).size() - 1, "every file not reported arrived");
    }

    private static Set<String> arrived(Path dir, Set<String> names) throws IOException {
        Set<String> there = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(names::contains).forEach(there::add);
            }
        }
        return there;
    }
}
