package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.relay.TcpRelay;
import dev.ferry.security.KeyFiles;

/**
 * Host-key trust in {@code ferry cp}, against a real OpenSSH sshd: strict by default, accept-new,
 * changed keys, HostKeyAlias, a pinned fingerprint, the known-key relay mode through a plain TCP
 * relay, checking turned off (with a warning each time), and -J where every hop is checked.
 */
class FerryHostKeysTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private static Proc.Result cp(Path dir, Path knownHosts, int port, String... rest) {
        List<String> args = new ArrayList<>(List.of("cp", "-B", "-P", String.valueOf(port),
                "-i", sshd.clientKey().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "GlobalKnownHostsFile=/dev/null"));
        args.addAll(List.of(rest));
        return FerryCli.run(dir, args.toArray(String[]::new));
    }

    private static String target(String name) {
        return sshd.user() + "@127.0.0.1:" + sshd.root().resolve(name);
    }

    private static Path fileToSend(Path dir) throws Exception {
        Path f = dir.resolve("k.txt");
        Files.writeString(f, "k");
        return f;
    }

    @Test
    void anUnknownHostIsRefusedWithItsFingerprintAndHowToTrustIt() throws Exception {
        Path dir = sshd.newLocalDir();
        fileToSend(dir);
        Path empty = dir.resolve("known_hosts");
        Proc.Result r = cp(dir, empty, sshd.port(), "k.txt", target("unknown.txt"));
        assertEquals(255, r.exit(), r.all());
        assertTrue(r.err().contains(sshd.hostKeyFingerprint()), r.all());
        assertTrue(r.err().contains("StrictHostKeyChecking=accept-new") && r.err().contains("--host-key"), r.all());
        assertFalse(Files.exists(sshd.root().resolve("unknown.txt")));
        assertFalse(Files.exists(empty) && !Files.readString(empty).isBlank(), "nothing was recorded");
    }

    @Test
    void acceptNewRecordsAnUnknownKeyOnceAndThenChecksIt() throws Exception {
        Path dir = sshd.newLocalDir();
        fileToSend(dir);
        Path kh = dir.resolve("known_hosts");
        Proc.Result first = cp(dir, kh, sshd.port(), "-o", "StrictHostKeyChecking=accept-new", "k.txt",
                target("new1.txt"));
        assertEquals(0, first.exit(), first.all());
        assertEquals(1, Files.readAllLines(kh).size());
        assertTrue(Files.readString(kh).startsWith("[127.0.0.1]:" + sshd.port() + " ssh-ed25519 "));
        Proc.Result strict = cp(dir, kh, sshd.port(), "k.txt", target("new2.txt"));
        assertEquals(0, strict.exit(), strict.all());
    }

    @Test
    void aChangedKeyIsRefusedEvenWithAcceptNew() throws Exception {
        Path dir = sshd.newLocalDir();
        fileToSend(dir);
        String otherKey = KeyFiles.publicKeyLine(KeyUtils.generateKeyPair("ssh-ed25519", 256).getPublic(), null);
        Path kh = Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + sshd.port() + " " + otherKey + "\n");
        Proc.Result r = cp(dir, kh, sshd.port(), "-o", "StrictHostKeyChecking=accept-new", "k.txt",
                target("changed.txt"));
        assertEquals(255, r.exit(), r.all());
        assertTrue(r.err().toUpperCase().contains("CHANGED"), r.all());
        assertTrue(r.err().contains(sshd.hostKeyFingerprint()), r.all());
        assertFalse(Files.exists(sshd.root().resolve("changed.txt")));
    }

    @Test
    void hostKeyAliasLooksTheKeyUpUnderTheAlias() throws Exception {
        Path dir = sshd.newLocalDir();
        fileToSend(dir);
        Path kh = Files.writeString(dir.resolve("known_hosts"), "myserver " + sshd.hostPublicKeyLine() + "\n");
        Proc.Result r = cp(dir, kh, sshd.port(), "-o", "HostKeyAlias=myserver", "k.txt", target("alias.txt"));
        assertEquals(0, r.exit(), r.all());
        Proc.Result without = cp(dir, kh, sshd.port(), "k.txt", target("alias2.txt"));
        assertEquals(255, without.exit(), "without the alias the host is unknown: " + without.all());
    }

    @Test
    void aPinnedFingerprintIsAcceptedAloneAndAnyOtherRefused() throws Exception {
        Path dir = sshd.newLocalDir();
        fileToSend(dir);
        Path empty = dir.resolve("known_hosts");
        Proc.Result ok = cp(dir, empty, sshd.port(), "--host-key", sshd.hostKeyFingerprint(), "k.txt",
                target("pinned.txt"));
        assertEquals(0, ok.exit(), ok.all());
        assertFalse(Files.exists(empty) && !Files.readString(empty).isBlank(), "a pin records nothing");
        Proc.Result wrong = cp(dir, empty, sshd.port(), "--host-key", "SHA256:" + "A".repeat(43), "k.txt",
                target("pinned2.txt"));
        assertEquals(255, wrong.exit(), wrong.all());
    }

    @Test
    void knownKeyModeTrustsARelayedServerWhoseKeyIsKnownAndRecordsTheNewName() throws Exception {
        Path dir = sshd.newLocalDir();
        fileToSend(dir);
        Path kh = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + sshd.port() + " " + sshd.hostPublicKeyLine() + "\n");
        try (TcpRelay relay = relayTo(sshd.port())) {
            Proc.Result strict = cp(dir, kh, relay.port(), "k.txt", target("relay0.txt"));
            assertEquals(255, strict.exit(), "a new address is unknown to strict checking: " + strict.all());

            Proc.Result r = cp(dir, kh, relay.port(), "-o", "StrictHostKeyChecking=known-key", "k.txt",
                    target("relay.txt"));
            assertEquals(0, r.exit(), r.all());
            assertTrue(Files.exists(sshd.root().resolve("relay.txt")));
            assertTrue(Files.readString(kh).contains("[127.0.0.1]:" + relay.port() + " ssh-ed25519"),
                    "the relay's name is recorded beside the original:\n" + Files.readString(kh));
            Proc.Result after = cp(dir, kh, relay.port(), "k.txt", target("relay2.txt"));
            assertEquals(0, after.exit(), "now known under the relay's name too: " + after.all());
        }
        try (TcpRelay toOther = relayTo(ferryd.port())) {
            Proc.Result other = cp(dir, kh, toOther.port(), "-o", "StrictHostKeyChecking=known-key", "k.txt",
                    target("wrong-server.txt"));
            assertEquals(255, other.exit(), "a server whose key is not known anywhere is refused: " + other.all());
        }
    }

    /** A plain TCP relay on a new loopback port: the same server behind a new address. */
    private static TcpRelay relayTo(int port) throws java.io.IOException {
        return TcpRelay.builder(new java.net.InetSocketAddress("127.0.0.1", 0), new java.net.InetSocketAddress("127.0.0.1", port))
                .start();
    }

    @Test
    void checkingTurnedOffStillWarnsEveryTime() throws Exception {
        Path dir = sshd.newLocalDir();
        fileToSend(dir);
        Path empty = dir.resolve("known_hosts");
        for (int i = 0; i < 2; i++) {
            Proc.Result r = cp(dir, empty, sshd.port(), "-o", "StrictHostKeyChecking=no", "k.txt", target("off.txt"));
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.err().contains(sshd.hostKeyFingerprint()) && r.err().toLowerCase().contains("warning"),
                    r.all());
        }
    }

    @Test
    void eachJumpHostIsCheckedUnderItsOwnName() throws Exception {
        Path dir = sshd.newLocalDir();
        fileToSend(dir);
        String hop = "[127.0.0.1]:" + sshd.port() + " " + sshd.hostPublicKeyLine() + "\n";
        String dest = Files.readString(ferryd.knownHosts());
        Path both = Files.writeString(dir.resolve("known_hosts"), hop + dest);
        List<String> args = new ArrayList<>(List.of("cp", "-B", "-F", "/dev/null", "-i", sshd.clientKey().toString(),
                "-i", ferryd.key().toString(), "-o", "UserKnownHostsFile=" + both,
                "-o", "GlobalKnownHostsFile=/dev/null", "-J", sshd.user() + "@127.0.0.1:" + sshd.port(),
                "-P", String.valueOf(ferryd.port()), "k.txt", "alice@127.0.0.1:jumped.txt"));
        Proc.Result r = FerryCli.run(dir, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        assertEquals("k", Files.readString(ferryd.rootOf("alice").resolve("jumped.txt")));

        List<String> twoHops = new ArrayList<>(args);
        String hopSpec = sshd.user() + "@127.0.0.1:" + sshd.port();
        twoHops.set(twoHops.indexOf("-J") + 1, hopSpec + "," + hopSpec);
        twoHops.set(twoHops.size() - 1, "alice@127.0.0.1:two-hops.txt");
        Proc.Result two = FerryCli.run(dir, twoHops.toArray(String[]::new));
        assertEquals(0, two.exit(), "through two jump hosts: " + two.all());
        assertEquals("k", Files.readString(ferryd.rootOf("alice").resolve("two-hops.txt")));

        Path onlyDest = Files.writeString(dir.resolve("known_hosts_dest"), dest);
        args.set(args.indexOf("UserKnownHostsFile=" + both), "UserKnownHostsFile=" + onlyDest);
        Proc.Result hopUnknown = FerryCli.run(dir, args.toArray(String[]::new));
        assertEquals(255, hopUnknown.exit(), "the jump host's key must be known too: " + hopUnknown.all());
    }
}
