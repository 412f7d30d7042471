package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;

/**
 * SSH implementations that share no code with OpenSSH, from Debian's packages: PuTTY's
 * {@code psftp} and {@code pscp}, and Python's asyncssh. (paramiko 2.12 and curl's libssh2 1.10, as
 * Debian 12 ships them, offer neither an AEAD cipher nor an encrypt-then-MAC MAC, so they cannot
 * meet ferryd's algorithm policy.)
 */
class IndependentClientsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();


    private Path ppk(Path dir) {
        Path ppk = dir.resolve("key.ppk");
        Proc.Result r = Proc.run(List.of(Peers.require("puttygen"), ferryd.key().toString(), "-O", "private",
                "-o", ppk.toString()), dir, 30);
        assertEquals(0, r.exit(), r.all());
        return ppk;
    }

    private List<String> putty(String program, Path dir, String... auth) {
        List<String> cmd = new ArrayList<>(List.of(Peers.require(program), "-batch", "-P",
                String.valueOf(ferryd.port()), "-hostkey", ferryd.server().hostKeyFingerprint()));
        cmd.addAll(List.of(auth));
        return cmd;
    }

    @Test
    void puttyPsftpUploadsListsAndDownloadsWithAKey() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("up.bin"), random(1_000_000));
        Files.writeString(local.resolve("batch"), String.join("\n", "mkdir putty", "put up.bin putty/up.bin",
                "ls putty", "mv putty/up.bin putty/moved.bin", "get putty/moved.bin down.bin", "") );
        List<String> cmd = putty("psftp", local, "-i", ppk(local).toString(), "-b", "batch", "-be");
        cmd.add("alice@127.0.0.1");
        Proc.Result r = Proc.run(cmd, local, 60);
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(random(1_000_000), Files.readAllBytes(ferryd.rootOf("alice").resolve("putty/moved.bin")));
        assertArrayEquals(random(1_000_000), Files.readAllBytes(local.resolve("down.bin")));
        assertTrue(r.out().contains("up.bin"), r.all());
    }

    @Test
    void puttyPscpCopiesWithBothProtocolsAndAPassword() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("p.bin"), random(200_000));
        for (String protocol : List.of("-scp", "-sftp")) {
            List<String> cmd = putty("pscp", local, "-pw", FerrydFixture.BOB_PASSWORD, protocol, "p.bin",
                    "bob@127.0.0.1:p" + protocol + ".bin");
            Proc.Result r = Proc.run(cmd, local, 60);
            assertEquals(0, r.exit(), protocol + ": " + r.all());
            assertArrayEquals(random(200_000), Files.readAllBytes(ferryd.rootOf("bob").resolve("p" + protocol + ".bin")));
        }
        List<String> wrong = putty("pscp", local, "-pw", "wrong", "-scp", "p.bin", "bob@127.0.0.1:wrong.bin");
        assertNotEquals(0, Proc.run(wrong, local, 60).exit());
        assertTrue(Files.notExists(ferryd.rootOf("bob").resolve("wrong.bin")));
    }

    @Test
    void puttyRefusesAServerWhoseKeyIsNotTheExpectedOne() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("batch"), "ls\n");
        List<String> cmd = new ArrayList<>(List.of(Peers.require("psftp"), "-batch", "-P", String.valueOf(ferryd.port()),
                "-hostkey", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "-i", ppk(local).toString(),
                "-b", "batch", "alice@127.0.0.1"));
        assertNotEquals(0, Proc.run(cmd, local, 60).exit());
    }

    /** The asyncssh driver script (a test resource), copied where python can run it. */
    private Path asyncsshScript(Path dir) throws java.io.IOException {
        Path script = dir.resolve("asyncssh_sftp.py");
        try (InputStream in = getClass().getResourceAsStream("/asyncssh_sftp.py")) {
            Files.copy(in, script);
        }
        return script;
    }

    @Test
    void asyncsshDoesTheEverydayOperationsAndCannotSetSetuidOrChown() throws Exception {
        String python = Peers.requirePython("asyncssh");
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("up.bin"), random(2_000_000));
        Path script = asyncsshScript(local);
        Proc.Result r = Proc.run(List.of(python, script.toString(), String.valueOf(ferryd.port()), "alice",
                ferryd.knownHosts().toString(), "--key", ferryd.key().toString(), local.toString()), local, Map.of(),
                null, 90);
        assertEquals(0, r.exit(), r.all());
        JsonNode result = new ObjectMapper().readTree(r.out());
        assertEquals("[\"moved.bin\"]", result.get("names").toString());
        assertEquals(0, result.get("mode").asInt() & 06000, "setuid/setgid stripped: " + r.out());
        assertTrue(result.get("chown_refused").asBoolean(), "chown is refused: " + r.out());
        assertNotEquals(4242, result.get("uid").asInt(), r.out());
        assertArrayEquals(random(2_000_000), Files.readAllBytes(local.resolve("down.bin")));
        assertArrayEquals(random(2_000_000), Files.readAllBytes(ferryd.rootOf("alice").resolve("async-dir/moved.bin")));
    }

    @Test
    void asyncsshLogsInWithAPasswordAndIsRefusedWithAWrongOne() throws Exception {
        String python = Peers.requirePython("asyncssh");
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("up.bin"), random(10_000));
        Path script = asyncsshScript(local);
        List<String> base = List.of(python, script.toString(), String.valueOf(ferryd.port()), "bob",
                ferryd.knownHosts().toString(), "--password");
        List<String> right = new ArrayList<>(base);
        right.addAll(List.of(FerrydFixture.BOB_PASSWORD, local.toString()));
        Proc.Result ok = Proc.run(right, local, 90);
        assertEquals(0, ok.exit(), ok.all());
        List<String> wrong = new ArrayList<>(base);
        wrong.addAll(List.of("guess", local.toString()));
        Proc.Result refused = Proc.run(wrong, local, 90);
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.err().contains("Permission denied") || refused.err().contains("PermissionDenied"),
                refused.all());
    }
}
