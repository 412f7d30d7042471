package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;

/**
 * The OpenSSH server fixture that Ferry's client is tested against: stock OpenSSH clients can use
 * it with the fixture's key and known_hosts, the host key really is the fixture's, and fixtures are
 * independent of each other.
 */
class SshdFixtureTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();


    /** {@code sftp -b} against {@code server} with its key and known_hosts (or {@code knownHosts} instead). */
    private static Proc.Result sftp(SshdFixture server, Path knownHosts, Path cwd, String... commands)
            throws Exception {
        Path batch = cwd.resolve(".sftp-batch");
        Files.writeString(batch, String.join("\n", commands) + "\n", StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-b", batch.toString(),
                "-P", String.valueOf(server.port())));
        cmd.addAll(withKnownHosts(server.openSshOptions(), knownHosts));
        cmd.add(server.user() + "@127.0.0.1");
        return Proc.run(cmd, cwd, 60);
    }

    private static Proc.Result sftp(SshdFixture server, Path cwd, String... commands) throws Exception {
        return sftp(server, server.knownHosts(), cwd, commands);
    }

    private static List<String> withKnownHosts(List<String> options, Path knownHosts) {
        List<String> replaced = new ArrayList<>();
        for (String option : options) {
            replaced.add(option.startsWith("UserKnownHostsFile=") ? "UserKnownHostsFile=" + knownHosts : option);
        }
        return replaced;
    }

    private static Proc.Result scp(SshdFixture server, Path cwd, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("scp"), "-P", String.valueOf(server.port())));
        cmd.addAll(server.openSshOptions());
        cmd.addAll(Arrays.asList(args));
        return Proc.run(cmd, cwd, 60);
    }

    /** Whether sshd logs a line containing {@code text} within 5 s (its stderr arrives through a reader thread). */
    private static boolean logs(SshdFixture server, String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        do {
            if (server.log().stream().anyMatch(l -> l.contains(text))) {
                return true;
            }
            Thread.sleep(20);
        } while (System.currentTimeMillis() < deadline);
        return false;
    }

    @Test
    void sftpUploadsIntoTheRootAndDownloadsItBack() throws Exception {
        Path local = sshd.newLocalDir();
        byte[] data = random(2 * 1024 * 1024 + 5, 1);
        Files.write(local.resolve("up.bin"), data);
        Path remote = sshd.root().resolve("sftp.bin");

        Proc.Result r = sftp(sshd, local, "put up.bin " + remote, "get " + remote + " down.bin");

        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(data, Files.readAllBytes(remote));
        assertArrayEquals(data, Files.readAllBytes(local.resolve("down.bin")));
        assertTrue(logs(sshd, "Accepted publickey for " + sshd.user()), () -> String.join("\n", sshd.log()));
    }

    @Test
    void scpInTheLegacyProtocolCopiesBothWays() throws Exception {
        Path local = sshd.newLocalDir();
        byte[] data = random(300_001, 2);
        Files.write(local.resolve("up.bin"), data);
        Path remote = sshd.root().resolve("scp-O.bin");
        String target = sshd.user() + "@127.0.0.1:" + remote;

        Proc.Result up = scp(sshd, local, "-O", "up.bin", target);
        assertEquals(0, up.exit(), up.all());
        Proc.Result down = scp(sshd, local, "-O", target, "down.bin");
        assertEquals(0, down.exit(), down.all());

        assertArrayEquals(data, Files.readAllBytes(remote));
        assertArrayEquals(data, Files.readAllBytes(local.resolve("down.bin")));
    }

    @Test
    void aClientExpectingAnotherHostKeyIsRefused() throws Exception {
        Path local = sshd.newLocalDir();
        Path otherKey = local.resolve("other_host_key");
        Proc.Result keygen = Proc.run(List.of(Peers.require("ssh-keygen"), "-q", "-t", "ed25519", "-N", "",
                "-f", otherKey.toString()), null, 30);
        assertEquals(0, keygen.exit(), keygen.all());
        Path wrongKnownHosts = local.resolve("wrong_known_hosts");
        Files.writeString(wrongKnownHosts, "[127.0.0.1]:" + sshd.port() + " "
                + Files.readString(local.resolve("other_host_key.pub")).strip() + "\n");
        Files.writeString(local.resolve("f.txt"), "hello\n");

        Proc.Result r = sftp(sshd, wrongKnownHosts, local, "put f.txt " + sshd.root().resolve("refused.txt"));

        assertNotEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), r.all());
        assertTrue(r.err().contains(sshd.hostKeyFingerprint()), r.all()); // ssh names the key it was offered
        assertFalse(Files.exists(sshd.root().resolve("refused.txt")));
    }

    @Test
    void twoFixturesRunAtOnceOnDifferentPortsWithDifferentKeys() throws Exception {
        try (SshdFixture second = new SshdFixture().start()) {
            assertNotEquals(sshd.port(), second.port());
            assertNotEquals(sshd.hostKeyFingerprint(), second.hostKeyFingerprint());
            assertNotEquals(sshd.pid(), second.pid());

            for (SshdFixture server : List.of(sshd, second)) {
                Path local = server.newLocalDir();
                Files.writeString(local.resolve("f.txt"), "port " + server.port() + "\n");
                Proc.Result r = sftp(server, local, "put f.txt " + server.root().resolve("f.txt"));
                assertEquals(0, r.exit(), r.all());
                assertEquals("port " + server.port() + "\n", Files.readString(server.root().resolve("f.txt")));
            }

            Path local = second.newLocalDir();
            Proc.Result crossed = sftp(second, sshd.knownHosts(), local, "ls /");
            assertNotEquals(0, crossed.exit(), "the first fixture's known_hosts must not vouch for the second");
        }
    }

    @Test
    void aClosedFixtureStopsItsServerAndRemovesItsFiles() throws Exception {
        SshdFixture fixture = new SshdFixture().start();
        ProcessHandle server = fixture.process();
        Path root = fixture.root();

        fixture.close();

        assertFalse(server.isAlive());
        assertFalse(Files.exists(root));
    }

    @Test
    void extraConfigLinesReachTheServer() throws Exception {
        try (SshdFixture denying = new SshdFixture(List.of("DenyUsers *")).start()) {
            Path local = denying.newLocalDir();
            Proc.Result r = sftp(denying, local, "ls /");
            assertNotEquals(0, r.exit(), r.all());
            assertTrue(logs(denying, "listed in DenyUsers"), () -> String.join("\n", denying.log()));
        }
    }

    @Test
    void anInvalidExtraLineFailsWithSshdsOwnMessage() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> new SshdFixture(List.of("NoSuchOption yes")).start());
        assertTrue(e.getMessage().contains("Bad configuration option: NoSuchOption"), e.getMessage());
    }
}
