package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KexProposalOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.client.connect.ConnectOptions;
import dev.ferry.client.connect.Connector;
import dev.ferry.client.connect.Interaction;
import dev.ferry.client.operand.Operand;
import dev.ferry.client.operand.Operands;
import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.server.log.ServerEvent;

/**
 * scp's options in {@code ferry cp}, each doing what scp does: -F with Host blocks, -c, -C, -l, -3,
 * -4/-6, -q, the ssh-agent, and encrypted keys.
 */
class FerryCpOptionsTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();


    private static List<String> toFerryd(String... rest) {
        List<String> args = new ArrayList<>(List.of("cp", "-B", "-P", String.valueOf(ferryd.port()), "-i",
                ferryd.key().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + ferryd.knownHosts()));
        args.addAll(List.of(rest));
        return args;
    }

    private static Proc.Result ferry(Path cwd, List<String> args) {
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    @Test
    void anSshConfigHostBlockSuppliesNamePortUserKeyAndKnownHosts() throws Exception {
        Path dir = sshd.newLocalDir();
        Path config = Files.writeString(dir.resolve("config"), String.join("\n",
                "Host myserver",
                "  HostName 127.0.0.1",
                "  Port " + sshd.port(),
                "  User " + sshd.user(),
                "  IdentityFile " + sshd.clientKey(),
                "  UserKnownHostsFile " + sshd.knownHosts(),
                "  StrictHostKeyChecking yes",
                ""));
        Files.writeString(dir.resolve("c.txt"), "via config");
        Proc.Result r = FerryCli.run(dir, "cp", "-B", "-F", config.toString(), "c.txt",
                "myserver:" + sshd.root().resolve("from-config.txt"));
        assertEquals(0, r.exit(), r.all());
        assertEquals("via config", Files.readString(sshd.root().resolve("from-config.txt")));
        Proc.Result portFlagWins = FerryCli.run(dir, "cp", "-B", "-F", config.toString(), "-P", "1", "c.txt",
                "myserver:x.txt");
        assertEquals(255, portFlagWins.exit(), "-P overrides the config's Port: " + portFlagWins.all());
    }

    @Test
    void dashCChoosesTheCipherAndRefusesWeakOnes() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.write(dir.resolve("c.bin"), random(100_000));
        Proc.Result ctr = ferry(dir, toFerryd("-v", "-c", "aes256-ctr", "c.bin", "alice@127.0.0.1:ctr.bin"));
        assertEquals(0, ctr.exit(), ctr.all());
        assertTrue(ctr.err().contains("cipher aes256-ctr"), ctr.all());
        assertArrayEquals(random(100_000), Files.readAllBytes(ferryd.rootOf("alice").resolve("ctr.bin")));
        Proc.Result weak = ferry(dir, toFerryd("-c", "3des-cbc", "c.bin", "alice@127.0.0.1:weak.bin"));
        assertEquals(1, weak.exit(), weak.all());
        assertTrue(weak.err().contains("Unknown cipher type '3des-cbc'"), weak.all());
    }

    /**
     * OpenSSH 9.2's sshd offers sntrup761x25519 and no ML-KEM: ferry takes the post-quantum hybrid by
     * default, with its key pair made ahead once the server is known to choose it (the second run),
     * and leaves it only when told to with -o KexAlgorithms, whose weak names are refused.
     */
    @Test
    void theKeyExchangeIsPostQuantumUnlessKexAlgorithmsSaysOtherwise() throws Exception {
        Path dir = sshd.newLocalDir();
        Files.writeString(dir.resolve("k.txt"), "kex");
        Map<String, String> cache = Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString());
        List<String> base = List.of("cp", "-B", "-v", "-F", "/dev/null", "-P", String.valueOf(sshd.port()), "-i",
                sshd.clientKey().toString(), "-o", "UserKnownHostsFile=" + sshd.knownHosts());
        for (int run = 1; run <= 2; run++) {
            List<String> args = new ArrayList<>(base);
            args.addAll(List.of("k.txt", sshd.user() + "@127.0.0.1:" + sshd.root().resolve("pq" + run + ".txt")));
            Proc.Result r = FerryCli.run(dir, cache, args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.err().contains("key exchange sntrup761x25519-sha512"), r.all());
            assertEquals("kex", Files.readString(sshd.root().resolve("pq" + run + ".txt")));
        }
        assertTrue(Files.readString(dir.resolve("cache/ferry/key-exchanges")).contains(
                "127.0.0.1:" + sshd.port() + " sntrup761x25519-sha512"), "the choice is remembered for the next run");

        List<String> classic = new ArrayList<>(base);
        classic.addAll(List.of("-o", "KexAlgorithms=-sntrup761x25519-sha512@openssh.com,sntrup761x25519-sha512",
                "k.txt", sshd.user() + "@127.0.0.1:" + sshd.root().resolve("classic.txt")));
        Proc.Result r = FerryCli.run(dir, cache, classic.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("key exchange curve25519-sha256"), r.all());

        List<String> weak = new ArrayList<>(base);
        weak.addAll(List.of("-o", "KexAlgorithms=diffie-hellman-group14-sha1", "k.txt",
                sshd.user() + "@127.0.0.1:weak.txt"));
        Proc.Result refused = FerryCli.run(dir, cache, weak.toArray(String[]::new));
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.err().contains("Unsupported KexAlgorithms 'diffie-hellman-group14-sha1'"), refused.all());
        assertFalse(refused.err().contains("Exception"), refused.all());
    }

    /** -o MACs= and -o HostKeyAlgorithms= as ssh_config spells them, against OpenSSH's sshd; weak names refused. */
    @Test
    void macsAndHostKeyAlgorithmsFollowSshConfig() throws Exception {
        Path dir = sshd.newLocalDir();
        Files.writeString(dir.resolve("m.txt"), "mac");
        List<String> base = List.of("cp", "-B", "-v", "-F", "/dev/null", "-P", String.valueOf(sshd.port()), "-i",
                sshd.clientKey().toString(), "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "-c", "aes128-ctr");
        List<String> eam = new ArrayList<>(base);
        eam.addAll(List.of("-o", "MACs=hmac-sha2-512", "-o", "HostKeyAlgorithms=ssh-ed25519", "m.txt",
                sshd.user() + "@127.0.0.1:" + sshd.root().resolve("mac.txt")));
        Proc.Result r = FerryCli.run(dir, Map.of(), eam.toArray(String[]::new));
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("cipher aes128-ctr, MAC hmac-sha2-512,"), r.all());
        assertEquals("mac", Files.readString(sshd.root().resolve("mac.txt")));

        List<String> prefixed = new ArrayList<>(base.subList(0, base.size() - 2));
        prefixed.addAll(List.of("-o", "Ciphers=^aes256-ctr", "m.txt", sshd.user() + "@127.0.0.1:" + sshd.root().resolve("first.txt")));
        Proc.Result first = FerryCli.run(dir, Map.of(), prefixed.toArray(String[]::new));
        assertEquals(0, first.exit(), first.all());
        assertTrue(first.err().contains("cipher aes256-ctr, MAC hmac-sha2-256-etm@openssh.com,"), first.all());

        for (String[] weak : new String[][] {{"MACs=hmac-sha1", "Unsupported MACs 'hmac-sha1' (ferry offers "},
            {"Ciphers=+aes128-cbc", "Unsupported Ciphers 'aes128-cbc' (ferry offers "},
            {"HostKeyAlgorithms=+ssh-rsa", "Unsupported HostKeyAlgorithms 'ssh-rsa' (ferry offers "}}) {
            List<String> args = new ArrayList<>(base.subList(0, base.size() - 2)); // without -c, which overrides Ciphers
            args.addAll(List.of("-o", weak[0], "m.txt", sshd.user() + "@127.0.0.1:weak.txt"));
            Proc.Result refused = FerryCli.run(dir, Map.of(), args.toArray(String[]::new));
            assertEquals(1, refused.exit(), refused.all());
            assertTrue(refused.err().contains(weak[1]), refused.all());
            assertEquals(1, refused.err().strip().lines().count(), refused.all());
        }
    }

    @Test
    void dashCapitalCCompresses() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.write(dir.resolve("z.txt"), "compressible ".repeat(100_000).getBytes());
        ConnectOptions options = ConnectOptions.builder().port(ferryd.port()).identity(ferryd.key())
                .configFile(Path.of("/dev/null")).option("UserKnownHostsFile=" + ferryd.knownHosts())
                .compression(true).batch(true).build();
        try (Connector connector = new Connector(options, Interaction.none(s -> { }));
                ClientSession session = connector.connect(connector.resolve(
                        (Operand.Remote) Operands.parse("alice@127.0.0.1:z")))) {
            assertEquals("zlib@openssh.com", session.getNegotiatedKexParameter(KexProposalOption.C2SCOMP));
        }
        Proc.Result r = ferry(dir, toFerryd("-C", "z.txt", "alice@127.0.0.1:z.txt"));
        assertEquals(0, r.exit(), r.all());
        assertEquals(Files.readString(dir.resolve("z.txt")), Files.readString(ferryd.rootOf("alice").resolve("z.txt")));
    }

    @Test
    void dashLHoldsTheRateDown() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.write(dir.resolve("slow.bin"), random(300_000));
        long start = System.nanoTime();
        Proc.Result r = ferry(dir, toFerryd("-l", "1200", "slow.bin", "alice@127.0.0.1:slow.bin")); // 150 kB/s
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, r.exit(), r.all());
        assertTrue(seconds >= 1.8, "300 kB at 1200 Kbit/s takes at least 2 s, took " + seconds);
        assertArrayEquals(random(300_000), Files.readAllBytes(ferryd.rootOf("alice").resolve("slow.bin")));
    }

    @Test
    void remoteToRemoteGoesThroughThisMachine() throws Exception {
        Path dir = sshd.newLocalDir();
        Files.write(sshd.root().resolve("r2r.bin"), random(1_000_000));
        Path both = Files.writeString(dir.resolve("known_hosts"),
                Files.readString(sshd.knownHosts()) + Files.readString(ferryd.knownHosts()));
        Path config = Files.writeString(dir.resolve("config"), String.join("\n",
                "Host src", "  HostName 127.0.0.1", "  Port " + sshd.port(), "  User " + sshd.user(),
                "  IdentityFile " + sshd.clientKey(),
                "Host dst", "  HostName 127.0.0.1", "  Port " + ferryd.port(), "  User alice",
                "  IdentityFile " + ferryd.key(), ""));
        Proc.Result r = FerryCli.run(dir, "cp", "-3", "-B", "-F", config.toString(), "-o",
                "UserKnownHostsFile=" + both, "src:" + sshd.root().resolve("r2r.bin"), "dst:r2r.bin");
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(random(1_000_000), Files.readAllBytes(ferryd.rootOf("alice").resolve("r2r.bin")));
    }

    @Test
    void dash4AndDash6ChooseTheAddressFamily() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.writeString(dir.resolve("f.txt"), "f");
        Proc.Result v4 = ferry(dir, toFerryd("-4", "f.txt", "alice@127.0.0.1:v4.txt"));
        assertEquals(0, v4.exit(), v4.all());
        Proc.Result v6 = ferry(dir, toFerryd("-6", "f.txt", "alice@127.0.0.1:v6.txt"));
        assertEquals(255, v6.exit(), v6.all());
        assertTrue(v6.err().contains("no IPv6 address"), v6.all());
    }

    @Test
    void dashQSilencesWarnings() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.writeString(dir.resolve("q.txt"), "q");
        List<String> args = List.of("cp", "-B", "-P", String.valueOf(ferryd.port()), "-i", ferryd.key().toString(),
                "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null");
        List<String> loud = new ArrayList<>(args);
        loud.addAll(List.of("q.txt", "alice@127.0.0.1:q1.txt"));
        assertTrue(ferry(dir, loud).err().contains("Warning"));
        List<String> quiet = new ArrayList<>(args);
        quiet.addAll(List.of("-q", "q.txt", "alice@127.0.0.1:q2.txt"));
        Proc.Result r = ferry(dir, quiet);
        assertEquals(0, r.exit(), r.all());
        assertEquals("", r.err().strip(), r.all());
    }

    @Test
    void keysInTheSshAgentAreUsed() throws Exception {
        Path dir = ferryd.newLocalDir();
        Path socket = dir.resolve("agent.sock");
        Process agent = new ProcessBuilder(Peers.require("ssh-agent"), "-D", "-a", socket.toString())
                .redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 100 && !Files.exists(socket); i++) {
                Thread.sleep(50);
            }
            Map<String, String> env = Map.of("SSH_AUTH_SOCK", socket.toString());
            Proc.Result add = Proc.run(List.of(Peers.require("ssh-add"), ferryd.key().toString()), dir, env, null, 30);
            assertEquals(0, add.exit(), add.all());
            Files.writeString(dir.resolve("a.txt"), "agent");
            List<String> args = List.of("cp", "-B", "-P", String.valueOf(ferryd.port()), "-F", "/dev/null",
                    "-o", "IdentityFile=" + dir.resolve("no-such-key"), "-o", "UserKnownHostsFile=" + ferryd.knownHosts(),
                    "a.txt", "alice@127.0.0.1:agent.txt");
            Proc.Result withAgent = FerryCli.run(dir, env, args.toArray(String[]::new));
            assertEquals(0, withAgent.exit(), withAgent.all());
            assertEquals("agent", Files.readString(ferryd.rootOf("alice").resolve("agent.txt")));
            Proc.Result withoutAgent = FerryCli.run(dir, Map.of("SSH_AUTH_SOCK", ""), args.toArray(String[]::new));
            assertEquals(255, withoutAgent.exit(), withoutAgent.all());
        } finally {
            agent.destroy();
        }
    }

    @Test
    void rsaAndEcdsaKeysInOpenSshFormatLogIn() throws Exception {
        Path dir = sshd.newLocalDir();
        Files.writeString(dir.resolve("k.txt"), "k");
        for (String[] type : new String[][] {{"rsa", "3072"}, {"ecdsa", "256"}}) {
            Path key = dir.resolve("id_" + type[0]);
            Proc.Result gen = Proc.run(List.of(Peers.require("ssh-keygen"), "-q", "-t", type[0], "-b", type[1], "-N", "",
                    "-f", key.toString()), dir, 60);
            assertEquals(0, gen.exit(), gen.all());
            Files.writeString(sshd.authorizedKeys(), Files.readString(Path.of(key + ".pub")),
                    java.nio.file.StandardOpenOption.APPEND);
            Proc.Result r = FerryCli.run(dir, "cp", "-B", "-P", String.valueOf(sshd.port()), "-i", key.toString(),
                    "-F", "/dev/null", "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "k.txt",
                    sshd.user() + "@127.0.0.1:" + sshd.root().resolve("by-" + type[0] + ".txt"));
            assertEquals(0, r.exit(), type[0] + ": " + r.all());
            assertTrue(sshd.log().stream().anyMatch(l -> l.contains("Accepted publickey")
                    && l.contains(type[0].toUpperCase())), sshd.log().toString());
        }
    }

    @Test
    void anEncryptedKeyAsksForItsPassphrase() throws Exception {
        Path dir = ferryd.newLocalDir();
        Path key = dir.resolve("enc");
        Proc.Result gen = Proc.run(List.of(Peers.require("ssh-keygen"), "-q", "-t", "ed25519", "-N", "open sesame",
                "-f", key.toString()), dir, 30);
        assertEquals(0, gen.exit(), gen.all());
        // ferryd's bob logs in with a password; alice takes the fixture key. Authorize the new key by
        // logging in as a user whose authorized keys we control: the OpenSSH fixture's.
        Files.writeString(sshd.authorizedKeys(), Files.readString(Path.of(key + ".pub")), java.nio.file.StandardOpenOption.APPEND);
        List<char[]> asked = new ArrayList<>();
        Interaction answers = new Interaction() {
            @Override
            public Optional<char[]> password(String userAtHost) {
                return Optional.empty();
            }

            @Override
            public Optional<char[]> passphrase(Path file) {
                char[] p = "open sesame".toCharArray();
                asked.add(p);
                return Optional.of(p);
            }

            @Override
            public Optional<Boolean> confirm(String question) {
                return Optional.empty();
            }

            @Override
            public void warn(String sentence) {
            }
        };
        ConnectOptions options = ConnectOptions.builder().port(sshd.port()).identity(key)
                .configFile(Path.of("/dev/null")).option("UserKnownHostsFile=" + sshd.knownHosts()).build();
        try (Connector connector = new Connector(options, answers);
                ClientSession session = connector.connect(connector.resolve(
                        (Operand.Remote) Operands.parse(sshd.user() + "@127.0.0.1:x")))) {
            assertTrue(session.isAuthenticated());
        }
        assertEquals(1, asked.size(), "the passphrase was asked once");

        Files.writeString(dir.resolve("e.txt"), "e");
        Proc.Result batch = FerryCli.run(dir, "cp", "-B", "-P", String.valueOf(sshd.port()), "-i", key.toString(),
                "-F", "/dev/null", "-o", "UserKnownHostsFile=" + sshd.knownHosts(), "e.txt",
                sshd.user() + "@127.0.0.1:" + sshd.root().resolve("e.txt"));
        assertEquals(255, batch.exit(), "-B never asks, so the encrypted key cannot be used: " + batch.all());
        assertFalse(Files.exists(sshd.root().resolve("e.txt")));
    }

    @Test
    void bindAddressChoosesTheLocalAddressAndANonLocalOneIsOneSentence() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.writeString(dir.resolve("b.txt"), "from 127.0.0.9");
        Proc.Result r = ferry(dir, toFerryd("-o", "BindAddress=127.0.0.9", "b.txt", "alice@127.0.0.1:bound.txt"));
        assertEquals(0, r.exit(), r.all());
        assertTrue(ferryd.events(ServerEvent.AuthSucceeded.class).stream().anyMatch(a -> a.remote().startsWith("127.0.0.9:")),
                "ferryd saw the client come from 127.0.0.9: " + ferryd.events(ServerEvent.AuthSucceeded.class));

        Proc.Result foreign = ferry(dir, toFerryd("-o", "BindAddress=192.0.2.1", "b.txt", "alice@127.0.0.1:no.txt"));
        assertEquals(255, foreign.exit(), foreign.all());
        assertEquals("ssh: bind 192.0.2.1: Cannot assign requested address", foreign.err().strip(), foreign.all());
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("no.txt")));
    }
}
