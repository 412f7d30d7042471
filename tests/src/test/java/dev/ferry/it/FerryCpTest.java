package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;

/**
 * {@code ferry cp} against both servers it must serve: a stock OpenSSH sshd started by the test,
 * and ferryd. Copies in both directions, trees, -p, globs, names with spaces, atomic landing, JSON,
 * passwords and the errors a user sees.
 */
class FerryCpTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();


    /** Options for the OpenSSH server: its port, key and known_hosts, no prompts. */
    private static List<String> toSshd(String... rest) {
        List<String> args = new ArrayList<>(List.of("cp", "-B", "-P", String.valueOf(sshd.port()),
                "-i", sshd.clientKey().toString(), "-o", "UserKnownHostsFile=" + sshd.knownHosts(),
                "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null"));
        args.addAll(List.of(rest));
        return args;
    }

    private static List<String> toFerryd(String... rest) {
        List<String> args = new ArrayList<>(List.of("cp", "-B", "-P", String.valueOf(ferryd.port()),
                "-i", ferryd.key().toString(), "-o", "UserKnownHostsFile=" + ferryd.knownHosts(),
                "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null"));
        args.addAll(List.of(rest));
        return args;
    }

    private static Proc.Result ferry(Path cwd, List<String> args) {
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    private static String atSshd(Path path) {
        return sshd.user() + "@127.0.0.1:" + path;
    }

    @Test
    void aFileGoesUpAndBackThroughOpenSshsServer() throws Exception {
        Path local = sshd.newLocalDir();
        byte[] data = random(5_000_000, 1);
        Files.write(local.resolve("data.bin"), data);
        Path remote = sshd.root().resolve("data.bin");
        Proc.Result up = ferry(local, toSshd("data.bin", atSshd(remote)));
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(data, Files.readAllBytes(remote));
        Proc.Result down = ferry(local, toSshd(atSshd(remote), "back.bin"));
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(data, Files.readAllBytes(local.resolve("back.bin")));
        assertNoPartialFiles(sshd.root());
    }

    /**
     * Writes fit one packet of OpenSSH's sshd (32 KiB): MINA's writer waits for each larger write to
     * be out before queueing the next, which made uploads into sshd five times slower than scp at
     * 10 ms. ferryd's 128 KiB packets keep the 255 KiB writes.
     */
    @Test
    void writesFitOneOfSshdsPacketsAndKeepTheirFullSizeAgainstFerryd() throws Exception {
        Path local = sshd.newLocalDir();
        Files.write(local.resolve("small.bin"), random(100_000, 5));
        Pattern sizes = Pattern.compile("SFTP requests of (\\d+) / (\\d+) bytes");
        Proc.Result toSshd = ferry(local, toSshd("-v", "small.bin", atSshd(sshd.root().resolve("small.bin"))));
        assertEquals(0, toSshd.exit(), toSshd.all());
        Matcher s = sizes.matcher(toSshd.err());
        assertTrue(s.find(), toSshd.all());
        assertTrue(Integer.parseInt(s.group(2)) <= 32 * 1024 - 512, toSshd.err());
        Proc.Result toFerryd = ferry(local, toFerryd("-v", "small.bin", "alice@127.0.0.1:small.bin"));
        assertEquals(0, toFerryd.exit(), toFerryd.all());
        Matcher f = sizes.matcher(toFerryd.err());
        assertTrue(f.find(), toFerryd.all());
        assertEquals(255 * 1024, Integer.parseInt(f.group(2)), toFerryd.err());
    }

    /** Enough data to fill many windows both ways, against OpenSSH's 2 MiB window and 32 KiB packets. */
    @Test
    void aLargeFileGoesUpAndBackThroughOpenSshsServer() throws Exception {
        Path local = sshd.newLocalDir();
        byte[] data = random(96 << 20, 96);
        Files.write(local.resolve("large.bin"), data);
        Path remote = sshd.root().resolve("large.bin");
        Proc.Result up = ferry(local, toSshd("large.bin", atSshd(remote)));
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(data, Files.readAllBytes(remote));
        Proc.Result down = ferry(local, toSshd(atSshd(remote), "large-back.bin"));
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(data, Files.readAllBytes(local.resolve("large-back.bin")));
        Files.delete(remote);
    }

    @Test
    void aFileGoesUpAndBackThroughFerryd() throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = random(3_000_000, 2);
        Files.write(local.resolve("f.bin"), data);
        Proc.Result up = ferry(local, toFerryd("f.bin", "alice@127.0.0.1:f.bin"));
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve("f.bin")));
        Proc.Result down = ferry(local, toFerryd("alice@127.0.0.1:f.bin", "g.bin"));
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(data, Files.readAllBytes(local.resolve("g.bin")));
    }

    @Test
    void treesCopyRecursivelyWithTimesAndModes() throws Exception {
        Path local = sshd.newLocalDir();
        Path tree = Files.createDirectories(local.resolve("tree/sub"));
        Files.writeString(local.resolve("tree/a b.txt"), "spaced");
        Files.write(tree.resolve("c.bin"), random(70_000, 3));
        Path script = local.resolve("tree/run.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        FileTime old = FileTime.from(Instant.parse("2010-01-02T03:04:05Z"));
        Files.setLastModifiedTime(script, old);

        Path remote = sshd.root().resolve("tree-copy");
        assertEquals(0, ferry(local, toSshd("-r", "-p", "tree", atSshd(remote))).exit());
        assertEquals("spaced", Files.readString(remote.resolve("a b.txt")));
        assertArrayEquals(random(70_000, 3), Files.readAllBytes(remote.resolve("sub/c.bin")));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(remote.resolve("run.sh"))));
        assertEquals(old.toMillis() / 1000, Files.getLastModifiedTime(remote.resolve("run.sh")).toMillis() / 1000);

        Path back = sshd.newLocalDir();
        Proc.Result down = ferry(back, toSshd("-r", "-p", atSshd(remote), "again"));
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(random(70_000, 3), Files.readAllBytes(back.resolve("again/sub/c.bin")));
        assertEquals(old.toMillis() / 1000, Files.getLastModifiedTime(back.resolve("again/run.sh")).toMillis() / 1000);
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(back.resolve("again/run.sh"))));
    }

    @Test
    void remoteGlobsAreExpandedByTheClient() throws Exception {
        Path dir = Files.createDirectories(sshd.root().resolve("globs"));
        Files.writeString(dir.resolve("one.txt"), "1");
        Files.writeString(dir.resolve("two.txt"), "2");
        Files.writeString(dir.resolve("three.log"), "3");
        Path local = sshd.newLocalDir();
        Proc.Result r = ferry(local, toSshd(atSshd(dir) + "/*.txt", "."));
        assertEquals(0, r.exit(), r.all());
        assertEquals("1", Files.readString(local.resolve("one.txt")));
        assertEquals("2", Files.readString(local.resolve("two.txt")));
        assertFalse(Files.exists(local.resolve("three.log")));
        Proc.Result none = ferry(local, toSshd(atSshd(dir) + "/*.none", "."));
        assertEquals(1, none.exit(), none.all());
        assertTrue(none.err().contains("No such file or directory"), none.all());
    }

    @Test
    void namesWithSpacesQuotesAndNonAsciiCharactersWork() throws Exception {
        Path local = sshd.newLocalDir();
        String name = "it's a \"quoted\" café 日本.txt";
        Files.writeString(local.resolve(name), "odd name");
        Path remote = sshd.root().resolve(name);
        Proc.Result up = ferry(local, toSshd(name, atSshd(remote)));
        assertEquals(0, up.exit(), up.all());
        assertEquals("odd name", Files.readString(remote));
        Proc.Result down = ferry(local, toSshd(atSshd(remote), "copy of " + name));
        assertEquals(0, down.exit(), down.all());
        assertEquals("odd name", Files.readString(local.resolve("copy of " + name)));
    }

    @Test
    void aProgressBarIsDrawnOnlyWhenStderrIsATerminal() throws Exception {
        String script = dev.ferry.it.support.Peers.require("script");
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("p.bin"), random(4_000_000, 8));
        String command = String.join(" ", FerryCli.command(toFerryd("p.bin", "alice@127.0.0.1:p.bin")
                .toArray(String[]::new)).stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        Proc.Result onTerminal = Proc.run(List.of(script, "-qec", command, "/dev/null"), local, 120);
        assertEquals(0, onTerminal.exit(), onTerminal.all());
        assertTrue(onTerminal.out().contains("p.bin") && onTerminal.out().contains("100%")
                && onTerminal.out().contains("MiB"), onTerminal.all());
        Proc.Result piped = ferry(local, toFerryd("p.bin", "alice@127.0.0.1:p2.bin"));
        assertEquals(0, piped.exit(), piped.all());
        assertFalse(piped.err().contains("%"), "no bar when stderr is not a terminal: " + piped.all());
    }

    @Test
    void severalSourcesGoIntoADirectory() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("x.txt"), "x");
        Files.writeString(local.resolve("y.txt"), "y");
        Files.createDirectories(ferryd.rootOf("alice").resolve("inbox"));
        Proc.Result r = ferry(local, toFerryd("x.txt", "y.txt", "alice@127.0.0.1:inbox"));
        assertEquals(0, r.exit(), r.all());
        assertEquals("x", Files.readString(ferryd.rootOf("alice").resolve("inbox/x.txt")));
        assertEquals("y", Files.readString(ferryd.rootOf("alice").resolve("inbox/y.txt")));
        Proc.Result notDir = ferry(local, toFerryd("x.txt", "y.txt", "alice@127.0.0.1:inbox/x.txt"));
        assertEquals(1, notDir.exit(), notDir.all());
        assertTrue(notDir.err().contains("not a directory"), notDir.all());
    }

    @Test
    void anUploadReplacesTheOldFileWholeAndLeavesNoPartialFile() throws Exception {
        Path remote = sshd.root().resolve("replace.txt");
        Files.writeString(remote, "old");
        Files.setPosixFilePermissions(remote, PosixFilePermissions.fromString("rw-------"));
        Path local = sshd.newLocalDir();
        Files.writeString(local.resolve("replace.txt"), "new contents");
        assertEquals(0, ferry(local, toSshd("replace.txt", atSshd(remote))).exit());
        assertEquals("new contents", Files.readString(remote));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)),
                "the replaced file keeps its mode, as an in-place write would");
        assertNoPartialFiles(sshd.root());
    }

    @Test
    void aKilledUploadLeavesTheOldFileIntact() throws Exception {
        Path remote = sshd.root().resolve("big-target.bin");
        Files.writeString(remote, "the old version");
        Path local = sshd.newLocalDir();
        Path big = local.resolve("big.bin");
        try (var out = Files.newOutputStream(big)) {
            byte[] block = random(1 << 20, 9);
            for (int i = 0; i < 256; i++) {
                out.write(block);
            }
        }
        Process p = new ProcessBuilder(FerryCli.command(toSshd("big.bin", atSshd(remote)).toArray(String[]::new)))
                .directory(local.toFile()).redirectErrorStream(true).redirectOutput(local.resolve("out.txt").toFile())
                .start();
        Path partial = sshd.root().resolve(".big-target.bin.ferry-part");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!(Files.exists(partial) && Files.size(partial) > 0) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        p.destroyForcibly().waitFor();
        assertEquals("the old version", Files.readString(remote), "the target is untouched until complete");
    }

    @Test
    void jsonReportsOneObjectPerFile() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("j1.bin"), random(1000, 4));
        Files.write(local.resolve("j2.bin"), random(2000, 5));
        Proc.Result r = ferry(local, toFerryd("--json", "j1.bin", "j2.bin", "alice@127.0.0.1:"));
        assertEquals(0, r.exit(), r.all());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertEquals(2, lines.size(), r.out());
        // several files go side by side, so lines come in the order the files finish
        lines.sort((a, b) -> a.get("source").asText().compareTo(b.get("source").asText()));
        assertEquals(1000, lines.get(0).get("bytes").asLong());
        assertEquals(2000, lines.get(1).get("bytes").asLong());
        assertEquals("sftp", lines.get(1).get("protocol").asText());
        assertTrue(lines.get(1).has("MBps") && lines.get(1).has("seconds") && lines.get(1).has("source"));
    }

    @Test
    void aPasswordComesFromTheEnvironmentOrAFileNeverTheCommandLine() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("pw.txt"), "pw");
        List<String> base = List.of("cp", "-P", String.valueOf(ferryd.port()), "-o",
                "UserKnownHostsFile=" + ferryd.knownHosts(), "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null",
                "-o", "PubkeyAuthentication=no");
        List<String> viaEnv = new ArrayList<>(base);
        viaEnv.addAll(List.of("pw.txt", "bob@127.0.0.1:env.txt"));
        Proc.Result env = FerryCli.run(local, Map.of("FERRY_PASSWORD", FerrydFixture.BOB_PASSWORD),
                viaEnv.toArray(String[]::new));
        assertEquals(0, env.exit(), env.all());
        assertEquals("pw", Files.readString(ferryd.rootOf("bob").resolve("env.txt")));

        Path secret = Files.writeString(local.resolve("secret"), FerrydFixture.BOB_PASSWORD + "\n");
        List<String> viaFile = new ArrayList<>(base);
        viaFile.addAll(List.of("--password-file", secret.toString(), "pw.txt", "bob@127.0.0.1:file.txt"));
        assertEquals(0, FerryCli.run(local, viaFile.toArray(String[]::new)).exit());

        Path wrong = Files.writeString(local.resolve("wrong"), "nope\n");
        List<String> wrongArgs = new ArrayList<>(base);
        wrongArgs.addAll(List.of("--password-file", wrong.toString(), "pw.txt", "bob@127.0.0.1:no.txt"));
        Proc.Result refused = FerryCli.run(local, wrongArgs.toArray(String[]::new));
        assertEquals(255, refused.exit(), refused.all());
        assertTrue(refused.err().contains("Permission denied"), refused.all());
        assertFalse(Files.exists(ferryd.rootOf("bob").resolve("no.txt")));
    }

    @Test
    void ordinaryErrorsAreOneSentenceWithScpsExitCodes() throws Exception {
        Path local = sshd.newLocalDir();
        Proc.Result missing = ferry(local, toSshd(atSshd(sshd.root().resolve("nope.txt")), "x"));
        assertEquals(1, missing.exit(), missing.all());
        assertTrue(missing.err().contains("No such file or directory"), missing.all());
        assertFalse(missing.err().contains("\tat "), missing.all());

        Proc.Result localMissing = ferry(local, toSshd("not-here.txt", atSshd(sshd.root())));
        assertEquals(1, localMissing.exit(), localMissing.all());
        assertTrue(localMissing.err().contains("not-here.txt: No such file or directory"), localMissing.all());

        Proc.Result dir = ferry(local, toSshd(atSshd(sshd.root()), "x"));
        assertEquals(1, dir.exit(), dir.all());
        assertTrue(dir.err().contains("use -r"), dir.all());

        Proc.Result refused = FerryCli.run(local, "cp", "-B", "-P", "1", "-F", "/dev/null", "x.txt", "127.0.0.1:x");
        assertEquals(255, refused.exit(), refused.all());
        assertTrue(refused.err().contains("Connection refused"), refused.all());

        Proc.Result usage = FerryCli.run(local, "cp", "only-one-operand");
        assertEquals(1, usage.exit(), usage.all());
    }

    private static void assertNoPartialFiles(Path dir) throws java.io.IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> partial = walk.filter(p -> p.getFileName().toString().endsWith(".ferry-part")).toList();
            assertTrue(partial.isEmpty(), "partial files left: " + partial);
        }
    }
}
