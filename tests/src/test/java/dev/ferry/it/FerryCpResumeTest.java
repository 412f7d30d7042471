package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.server.log.ServerEvent;

/**
 * {@code ferry cp --resume}: a partial file is reused only after its SHA-256 matches the same
 * prefix of the source (hashed by the server where it can, ferryd; read back otherwise, OpenSSH),
 * and a partial file that is not a prefix is thrown away, never appended to.
 */
class FerryCpResumeTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();

    private static final int SIZE = 6_000_000;
    private static final int HALF = 2_500_000; // resumed from 2 MiB: restarts align to 1 MiB
    private static final int RESUMED_AT = 2 << 20;

    private static byte[] data() {
        return random(SIZE, 11);
    }

    private static Proc.Result ferrydCp(Path cwd, String... rest) {
        List<String> args = new ArrayList<>(List.of("cp", "-B", "-P", String.valueOf(ferryd.port()), "-i",
                ferryd.key().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + ferryd.knownHosts()));
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    @Test
    void anUploadResumesFromAVerifiedPartialFileOnFerryd() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("r.bin"), data());
        Path root = ferryd.rootOf("alice");
        Files.write(root.resolve(".r.bin.ferry-part"), Arrays.copyOf(data(), HALF));
        Proc.Result r = ferrydCp(local, "--resume", "r.bin", "alice@127.0.0.1:r.bin");
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(data(), Files.readAllBytes(root.resolve("r.bin")));
        assertFalse(Files.exists(root.resolve(".r.bin.ferry-part")));
        ServerEvent.Transfer sent = ferryd.lastTransfer("/.r.bin.ferry-part").orElseThrow();
        assertEquals(SIZE - RESUMED_AT, sent.bytes(), "only the missing part crossed the wire");
    }

    @Test
    void aPartialFileThatIsNotAPrefixIsDiscarded() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("c.bin"), data());
        Path root = ferryd.rootOf("alice");
        byte[] corrupt = Arrays.copyOf(data(), HALF);
        corrupt[HALF / 2] ^= 1;
        Files.write(root.resolve(".c.bin.ferry-part"), corrupt);
        Proc.Result r = ferrydCp(local, "--resume", "c.bin", "alice@127.0.0.1:c.bin");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("not a prefix") && r.err().contains("starting over"), r.all());
        assertArrayEquals(data(), Files.readAllBytes(root.resolve("c.bin")));
        assertEquals(SIZE, ferryd.lastTransfer("/.c.bin.ferry-part").orElseThrow().bytes());
    }

    @Test
    void aDownloadResumesFromAVerifiedLocalPartialFile() throws Exception {
        Path root = ferryd.rootOf("alice");
        Files.write(root.resolve("d.bin"), data());
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve(".d.bin.ferry-part"), Arrays.copyOf(data(), HALF));
        Proc.Result r = ferrydCp(local, "--resume", "alice@127.0.0.1:d.bin", "d.bin");
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(data(), Files.readAllBytes(local.resolve("d.bin")));
        assertEquals(SIZE - RESUMED_AT, ferryd.lastTransfer("/d.bin").orElseThrow().bytes());
    }

    @Test
    void anUploadResumesOnOpenSshByReadingThePartialFileBack() throws Exception {
        Path local = sshd.newLocalDir();
        Files.write(local.resolve("o.bin"), data());
        Path dir = Files.createDirectories(sshd.root().resolve("resume"));
        Files.write(dir.resolve("o.bin"), "old".getBytes());
        Files.write(dir.resolve(".o.bin.ferry-part"), Arrays.copyOf(data(), HALF));
        List<String> args = new ArrayList<>(List.of("cp", "-B", "-P", String.valueOf(sshd.port()), "-i",
                sshd.clientKey().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + sshd.knownHosts(),
                "--resume", "o.bin", sshd.user() + "@127.0.0.1:" + dir.resolve("o.bin")));
        Proc.Result r = FerryCli.run(local, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(data(), Files.readAllBytes(dir.resolve("o.bin")));
        assertFalse(Files.exists(dir.resolve(".o.bin.ferry-part")));
    }

    @Test
    void resumeAndInplaceExcludeEachOther() throws Exception {
        Proc.Result r = ferrydCp(ferryd.newLocalDir(), "--resume", "--inplace", "x", "alice@127.0.0.1:x");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("--resume"), r.all());
    }
}
