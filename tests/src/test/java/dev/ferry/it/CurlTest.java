package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.log.ServerEvent;

/**
 * curl's SFTP and SCP (libssh2 1.10 on Debian 12 and Ubuntu 22.04: no AEAD cipher, no
 * encrypt-then-MAC MAC) against ferryd: the modern profile, the default, admits it; the strict one
 * refuses it and logs why, naming curl's software and the profile that would admit it. curl checks
 * the host key by its pinned SHA-256 fingerprint ({@code --hostpubsha256}), never skipping it.
 */
class CurlTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    @RegisterExtension
    static final FerrydFixture strict = new FerrydFixture()
            .algorithms(AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.STRICT));

    private static Proc.Result curl(FerrydFixture server, Path dir, String... args) throws Exception {
        Path pub = dir.resolve("id.pub");
        Files.writeString(pub, KeyFiles.publicKeyLine(KeyFiles.load(server.key()).getPublic(), null) + "\n");
        List<String> command = new ArrayList<>(List.of(Peers.require("curl"), "-sS", "--hostpubsha256",
                server.hostKeyFingerprint().substring("SHA256:".length()), "--key", server.key().toString(),
                "--pubkey", pub.toString()));
        command.addAll(List.of(args));
        return Proc.run(command, dir, 60);
    }

    private static String url(FerrydFixture server, String scheme, String path) {
        return scheme + "://alice@127.0.0.1:" + server.port() + path;
    }

    @Test
    void curlUploadsDownloadsListsRenamesAndRemovesOverSftp() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.writeString(dir.resolve("up.txt"), "over curl\n");
        Proc.Result up = curl(ferryd, dir, "-T", "up.txt", url(ferryd, "sftp", "/curl-up.txt"));
        assertEquals(0, up.exit(), up.all());
        assertEquals("over curl\n", Files.readString(ferryd.rootOf("alice").resolve("curl-up.txt")));

        Proc.Result down = curl(ferryd, dir, "-o", "down.txt", url(ferryd, "sftp", "/curl-up.txt"));
        assertEquals(0, down.exit(), down.all());
        assertEquals("over curl\n", Files.readString(dir.resolve("down.txt")));

        Files.write(dir.resolve("empty"), new byte[0]);
        Proc.Result empty = curl(ferryd, dir, "-T", "empty", url(ferryd, "sftp", "/curl-empty"));
        assertEquals(0, empty.exit(), empty.all());
        assertEquals(0, Files.size(ferryd.rootOf("alice").resolve("curl-empty")));
        Proc.Result accented = curl(ferryd, dir, "-T", "up.txt", url(ferryd, "sftp", "/caf%C3%A9.txt"));
        assertEquals(0, accented.exit(), accented.all());
        assertEquals("over curl\n", Files.readString(ferryd.rootOf("alice").resolve("caf\u00e9.txt")));

        Proc.Result list = curl(ferryd, dir, url(ferryd, "sftp", "/"));
        assertEquals(0, list.exit(), list.all());
        assertTrue(list.out().contains("curl-up.txt") && list.out().contains("caf\u00e9.txt"), list.all());

        Proc.Result change = curl(ferryd, dir, "-Q", "mkdir /curl-dir", "-Q", "rename /curl-up.txt /curl-dir/moved.txt",
                url(ferryd, "sftp", "/"));
        assertEquals(0, change.exit(), change.all());
        assertTrue(Files.exists(ferryd.rootOf("alice").resolve("curl-dir/moved.txt")));
        Proc.Result remove = curl(ferryd, dir, "-Q", "rm /curl-dir/moved.txt", "-Q", "rmdir /curl-dir", url(ferryd, "sftp", "/"));
        assertEquals(0, remove.exit(), remove.all());
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("curl-dir")));
    }

    @Test
    void curlCopiesBothWaysOverScp() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.writeString(dir.resolve("scp.txt"), "scp by curl\n");
        Proc.Result up = curl(ferryd, dir, "-T", "scp.txt", url(ferryd, "scp", "/curl-scp.txt"));
        assertEquals(0, up.exit(), up.all());
        assertEquals("scp by curl\n", Files.readString(ferryd.rootOf("alice").resolve("curl-scp.txt")));
        Proc.Result down = curl(ferryd, dir, "-o", "back.txt", url(ferryd, "scp", "/curl-scp.txt"));
        assertEquals(0, down.exit(), down.all());
        assertEquals("scp by curl\n", Files.readString(dir.resolve("back.txt")));
    }

    @Test
    void curlLogsInWithAPasswordAndIsRefusedWithAWrongOne() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.writeString(dir.resolve("pw.txt"), "by password\n");
        String pin = ferryd.hostKeyFingerprint().substring("SHA256:".length());
        String url = "sftp://127.0.0.1:" + ferryd.port() + "/curl-pw.txt";
        Proc.Result ok = Proc.run(List.of(Peers.require("curl"), "-sS", "--hostpubsha256", pin,
                "-u", "bob:" + FerrydFixture.BOB_PASSWORD, "-T", "pw.txt", url), dir, 60);
        assertEquals(0, ok.exit(), ok.all());
        assertEquals("by password\n", Files.readString(ferryd.rootOf("bob").resolve("curl-pw.txt")));
        Proc.Result wrong = Proc.run(List.of(Peers.require("curl"), "-sS", "--hostpubsha256", pin,
                "-u", "bob:guess", "-o", "x", url), dir, 60);
        assertNotEquals(0, wrong.exit(), wrong.all());
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void aWrongPinnedHostKeyIsRefused() throws Exception {
        Path dir = ferryd.newLocalDir();
        Files.writeString(dir.resolve("x.txt"), "x");
        List<String> command = List.of(Peers.require("curl"), "-sS", "--hostpubsha256",
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "--key", ferryd.key().toString(),
                "-T", "x.txt", url(ferryd, "sftp", "/pinned.txt"));
        Proc.Result r = Proc.run(command, dir, 60);
        assertNotEquals(0, r.exit(), r.all());
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("pinned.txt")));
    }

    @Test
    void theStrictProfileRefusesCurlAndSaysWhy() throws Exception {
        Path dir = strict.newLocalDir();
        Files.writeString(dir.resolve("x.txt"), "x");
        Proc.Result r = curl(strict, dir, "-T", "x.txt", url(strict, "sftp", "/refused.txt"));
        assertNotEquals(0, r.exit(), r.all());
        List<ServerEvent.NegotiationFailed> failed = strict.events(ServerEvent.NegotiationFailed.class);
        for (int i = 0; i < 100 && failed.isEmpty(); i++) {
            Thread.sleep(50); // curl may exit before the server has logged the failure
            failed = strict.events(ServerEvent.NegotiationFailed.class);
        }
        assertFalse(failed.isEmpty(), "a negotiation-failed line");
        ServerEvent.NegotiationFailed line = failed.get(0);
        assertTrue(line.software().contains("libssh2"), line.toString());
        assertTrue(line.list().contains("mac") || line.list().contains("MAC"), line.toString());
        assertTrue(line.offered().contains("hmac-sha2-256"), line.toString());
        assertEquals("--algorithms=modern would admit it", line.hint());
    }
}
