package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.CuttingForwarder;
import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;

/**
 * {@code ferry cp --streams N}: a large file goes as N ranges over N connections and is put back
 * together byte for byte, against OpenSSH's sshd and ferryd, also when one connection is cut.
 */
class FerryCpStreamsTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private static byte[] data() {
        return random(40_000_017, 40); // not a multiple of anything
    }

    private static Proc.Result toSshd(Path cwd, int port, String... rest) {
        List<String> args = new ArrayList<>(List.of("cp", "-B", "-P", String.valueOf(port), "-i",
                sshd.clientKey().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + sshd.knownHosts(),
                "-o", "HostKeyAlias=[127.0.0.1]:" + sshd.port()));
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    @Test
    void fourStreamsReassembleAFileBothWaysWithOpenSsh() throws Exception {
        Path local = sshd.newLocalDir();
        Files.write(local.resolve("s.bin"), data());
        Path remote = sshd.root().resolve("streams.bin");
        Proc.Result up = toSshd(local, sshd.port(), "--streams", "4", "s.bin", sshd.user() + "@127.0.0.1:" + remote);
        assertEquals(0, up.exit(), up.all());
        assertArrayEquals(data(), Files.readAllBytes(remote));
        Proc.Result down = toSshd(local, sshd.port(), "--streams", "4", sshd.user() + "@127.0.0.1:" + remote, "back.bin");
        assertEquals(0, down.exit(), down.all());
        assertArrayEquals(data(), Files.readAllBytes(local.resolve("back.bin")));
    }

    @Test
    void threeStreamsReassembleAFileBothWaysWithFerryd() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("s.bin"), data());
        List<String> base = List.of("cp", "-B", "-P", String.valueOf(ferryd.port()), "-i", ferryd.key().toString(),
                "-F", "/dev/null", "-o", "UserKnownHostsFile=" + ferryd.knownHosts(), "--streams", "3");
        List<String> up = new ArrayList<>(base);
        up.addAll(List.of("s.bin", "alice@127.0.0.1:streams.bin"));
        Proc.Result u = FerryCli.run(local, up.toArray(String[]::new));
        assertEquals(0, u.exit(), u.all());
        assertArrayEquals(data(), Files.readAllBytes(ferryd.rootOf("alice").resolve("streams.bin")));
        List<String> down = new ArrayList<>(base);
        down.addAll(List.of("alice@127.0.0.1:streams.bin", "back.bin"));
        Proc.Result d = FerryCli.run(local, down.toArray(String[]::new));
        assertEquals(0, d.exit(), d.all());
        assertArrayEquals(data(), Files.readAllBytes(local.resolve("back.bin")));
    }

    @Test
    void aCutStreamIsCopiedAgainAndTheFileIsStillWhole() throws Exception {
        Path local = sshd.newLocalDir();
        Files.write(local.resolve("s.bin"), data());
        Path remote = sshd.root().resolve("cut.bin");
        Files.writeString(remote, "old");
        // connection 1 is the main session; 3 is one of the four streams: cut after 3 MB
        try (CuttingForwarder forwarder = new CuttingForwarder(sshd.port(), 3, 3_000_000)) {
            Proc.Result r = toSshd(local, forwarder.port(), "--streams", "4", "s.bin",
                    sshd.user() + "@127.0.0.1:" + remote);
            assertEquals(0, r.exit(), r.all());
            assertTrue(forwarder.didCut(), "a stream was cut");
            assertTrue(forwarder.connections() >= 6, "the cut range went again over a new connection: "
                    + forwarder.connections() + " connections");
        }
        assertArrayEquals(data(), Files.readAllBytes(remote));
    }
}
