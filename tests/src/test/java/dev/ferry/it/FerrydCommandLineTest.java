package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.security.KeyFiles;

/**
 * {@code ferryd} as a user runs it: the defaults, the single-user flags, the users file and its
 * subcommands, the JSON log, and one clear sentence for a mistake.
 */
class FerrydCommandLineTest {

    @TempDir
    Path dir;

    private Path userKey(String name) throws Exception {
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        Path key = dir.resolve(name);
        KeyFiles.write(pair, key, name);
        return key;
    }

    private Proc.Result sftp(int port, Path knownHosts, String user, Path key, String... commands) throws Exception {
        Path batch = Files.writeString(dir.resolve("batch"), String.join("\n", commands) + "\n");
        return Proc.run(List.of(Peers.require("sftp"), "-b", batch.toString(), "-P", String.valueOf(port),
                "-F", "/dev/null", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
                "-o", "IdentitiesOnly=yes", "-i", key.toString(), user + "@127.0.0.1"), dir, 60);
    }

    private Path knownHosts(int port, Path stateDir) throws Exception {
        String pub = Files.readString(stateDir.resolve("host_ed25519_key.pub")).strip();
        return Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + pub + "\n");
    }

    @Test
    void theDefaultsServeTheStateDirectorysFilesAndKeepTheHostKeyAcrossRestarts() throws Exception {
        Path key = userKey("id_test");
        String fingerprint;
        try (FerrydProcess ferryd = FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--user", "tester",
                "--authorized-keys", key + ".pub")) {
            String banner = String.join("\n", ferryd.stdout());
            Path state = dir.resolve("ferry-data");
            assertTrue(Files.isDirectory(state.resolve("files")), banner);
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(state.resolve("host_ed25519_key"))));
            fingerprint = KeyFiles.fingerprint(KeyFiles.load(state.resolve("host_ed25519_key")).getPublic());
            assertTrue(banner.contains(fingerprint), banner);
            assertTrue(banner.contains("sftp -P " + ferryd.port() + " tester@127.0.0.1"), banner);

            Files.writeString(dir.resolve("up.txt"), "served\n");
            Proc.Result r = sftp(ferryd.port(), knownHosts(ferryd.port(), state), "tester", key, "put up.txt");
            assertEquals(0, r.exit(), r.all());
            assertEquals("served\n", Files.readString(state.resolve("files/up.txt")));
        }
        try (FerrydProcess again = FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--user", "tester",
                "--authorized-keys", key + ".pub")) {
            assertTrue(String.join("\n", again.stdout()).contains(fingerprint), "the same host key is reused");
        }
    }

    @Test
    void theUserSubcommandsWriteAUsersFileThatTheServerUses() throws Exception {
        Path key = userKey("id_carol");
        Path root = dir.resolve("carol-files");
        Proc.Result add = FerrydProcess.run(dir, "s3cret pass\n".getBytes(StandardCharsets.UTF_8),
                "user", "add", "carol", "--root", root.toString(), "--password-stdin", "--umask", "027");
        assertEquals(0, add.exit(), add.all());
        Proc.Result addKey = FerrydProcess.run(dir, null, "user", "add-key", "carol", "@" + key + ".pub");
        assertEquals(0, addKey.exit(), addKey.all());
        Proc.Result reader = FerrydProcess.run(dir, null, "user", "add", "dave", "--root", "dave-files",
                "--read-only", "--key", "@" + key + ".pub");
        assertEquals(0, reader.exit(), reader.all());

        Path usersFile = dir.resolve("ferry-data/users.yaml");
        String yaml = Files.readString(usersFile);
        assertTrue(yaml.contains("$argon2id$v=19$"), yaml);
        assertFalse(yaml.contains("s3cret"), "the password is stored only as a hash");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(usersFile)));
        Proc.Result list = FerrydProcess.run(dir, null, "user", "list");
        assertTrue(list.out().contains("carol") && list.out().contains("dave") && list.out().contains("read-only"),
                list.all());

        try (FerrydProcess ferryd = FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--log-format", "json")) {
            Path knownHosts = knownHosts(ferryd.port(), dir.resolve("ferry-data"));
            Files.writeString(dir.resolve("c.txt"), "carol's\n");
            Proc.Result put = sftp(ferryd.port(), knownHosts, "carol", key, "put c.txt", "mkdir sub");
            assertEquals(0, put.exit(), put.all());
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("c.txt"))));
            assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("sub"))));
            Proc.Result denied = sftp(ferryd.port(), knownHosts, "dave", key, "put c.txt");
            assertTrue(denied.exit() != 0, denied.all());

            Proc.Result byPassword = Proc.run(List.of(Peers.require("sftp"), "-P", String.valueOf(ferryd.port()),
                    "-F", "/dev/null", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "PubkeyAuthentication=no",
                    "-o", "PreferredAuthentications=password", "carol@127.0.0.1"), dir,
                    OpenSsh.askpass("s3cret pass", dir),
                    "ls\n".getBytes(StandardCharsets.UTF_8), 60);
            assertTrue(byPassword.out().contains("c.txt"), byPassword.all());

            Thread.sleep(300); // let the log lines of the last connection arrive
            ObjectMapper json = new ObjectMapper();
            boolean sawPasswordLogin = false;
            boolean sawTransfer = false;
            for (String line : ferryd.stderr()) {
                JsonNode event = json.readTree(line); // every line is one JSON object
                sawPasswordLogin |= event.path("event").asText().equals("auth-ok")
                        && event.path("user").asText().equals("carol") && event.path("method").asText().equals("password");
                sawTransfer |= event.path("event").asText().equals("transfer") && event.path("bytes").asLong() == 8
                        && event.path("path").asText().equals("/c.txt");
            }
            assertTrue(sawPasswordLogin && sawTransfer, String.join("\n", ferryd.stderr()));
        }
    }

    @Test
    void mistakesGetOneSentenceAndNoStackTrace() throws Exception {
        Proc.Result badRoot = FerrydProcess.run(dir, null, "--root", dir.resolve("missing").toString(),
                "--listen", "127.0.0.1:0");
        assertEquals(1, badRoot.exit(), badRoot.all());
        assertTrue(badRoot.err().startsWith("ferryd: ") && badRoot.err().contains("not a directory"), badRoot.all());
        assertFalse(badRoot.err().contains("\tat "), badRoot.all());

        Proc.Result badPort = FerrydProcess.run(dir, null, "--listen", "127.0.0.1:http");
        assertEquals(1, badPort.exit(), badPort.all());
        assertTrue(badPort.err().contains("not a port number"), badPort.all());

        Proc.Result badOption = FerrydProcess.run(dir, null, "--no-such-option");
        assertEquals(2, badOption.exit(), badOption.all());

        Files.writeString(dir.resolve("bad.yaml"), "users:\n  eve:\n    root: .\n    pasword: x\n");
        Proc.Result badConfig = FerrydProcess.run(dir, null, "--config", "bad.yaml", "--listen", "127.0.0.1:0");
        assertEquals(1, badConfig.exit(), badConfig.all());
        assertTrue(badConfig.err().contains("unknown setting 'pasword'"), badConfig.all());
        assertEquals(1, badConfig.err().strip().lines().count(), badConfig.all());
    }

    @Test
    void banListAndRemoveReachTheRunningServerThroughItsStateDirectory() throws Exception {
        Path key = userKey("id_ok");
        Path stranger = userKey("id_stranger");
        try (FerrydProcess ferryd = FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--user", "tester",
                "--authorized-keys", key + ".pub", "--ban-threshold", "3", "--ban-time", "10m")) {
            Path hosts = knownHosts(ferryd.port(), dir.resolve("ferry-data"));
            assertEquals("no address is banned", FerrydProcess.run(dir, null, "ban", "list").out().strip());

            Proc.Result wrongKey = sftp(ferryd.port(), hosts, "tester", stranger, "ls");
            assertEquals(255, wrongKey.exit(), wrongKey.all()); // an unaccepted key scores 3: banned
            Proc.Result list = null;
            for (int i = 0; i < 50; i++) {
                list = FerrydProcess.run(dir, null, "ban", "list");
                if (list.out().contains("127.0.0.1 banned for")) {
                    break;
                }
                Thread.sleep(100);
            }
            assertTrue(list.out().contains("127.0.0.1 banned for"), list.all());
            Proc.Result refused = sftp(ferryd.port(), hosts, "tester", key, "ls");
            assertEquals(255, refused.exit(), refused.all());
            assertTrue(refused.err().contains("is banned for"), refused.all());

            Proc.Result remove = FerrydProcess.run(dir, null, "ban", "remove", "127.0.0.1");
            assertEquals(0, remove.exit(), remove.all());
            assertEquals("127.0.0.1 is not banned now", remove.out().strip());
            Proc.Result again = sftp(ferryd.port(), hosts, "tester", key, "ls");
            assertEquals(0, again.exit(), again.all());
        }
        Proc.Result noServer = FerrydProcess.run(dir, null, "ban", "remove", "127.0.0.1");
        assertEquals(1, noServer.exit(), noServer.all());
        assertTrue(noServer.err().contains("no ferryd running with state directory"), noServer.all());
        Proc.Result name = FerrydProcess.run(dir, null, "ban", "remove", "localhost");
        assertEquals(1, name.exit(), name.all());
        assertTrue(name.err().contains("not an IP address: localhost"), name.all());
    }

    @Test
    void badBanAlgorithmMetricsAndHookFlagsGetOneSentence() throws Exception {
        String[][] cases = {
            {"--ban-window", "10x", "--ban-window 10x: use a time such as 90s, 10m or 1h"},
            {"--login-grace-time", "soon", "--login-grace-time soon: use a time such as 90s, 10m or 1h"},
            {"--max-startups", "0", "--max-startups must be at least 1"},
            {"--ban-exempt", "10.0.0.0/40", "--ban-exempt: prefix length 40 out of range"},
            {"--proxy-protocol-from", "127.0.0.1/33", "--proxy-protocol-from: prefix length 33 out of range"},
            {"--macs", "hmac-sha1", "Unsupported MACs 'hmac-sha1' (ferryd offers "},
            {"--ciphers", "-aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,"
                    + "aes192-ctr,aes256-ctr", "leaves no algorithm to offer"},
            {"--algorithms", "lax", "unknown algorithm profile lax: use modern or strict"},
            {"--metrics", "127.0.0.1:http", "--metrics: 'http' is not a port number"},
            {"--hook-timeout", "5s", "--hook-events and --hook-timeout need --hook-command"},
            {"--hook-events", "upload,chmod", "unknown hook event 'chmod' (use upload, download, delete or rename)"},
            {"--hook-command", "notify 'unterminated", "--hook-command: unterminated single quote"},
        };
        for (String[] c : cases) {
            Proc.Result r = FerrydProcess.run(dir, null, "--listen", "127.0.0.1:0", c[0], c[1]);
            assertEquals(1, r.exit(), r.all());
            assertTrue(r.err().contains(c[2]), c[0] + ": " + r.all());
            assertEquals(1, r.err().strip().lines().count(), r.all());
        }
    }

    @Test
    void theMetricsAndTheHookFlagsServeMetricsAndRunTheCommand() throws Exception {
        Path key = userKey("id_test");
        Path events = dir.resolve("hook-events.jsonl");
        try (FerrydProcess off = FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--user", "tester",
                "--authorized-keys", key + ".pub")) {
            assertTrue(off.stdout().stream().noneMatch(l -> l.startsWith("metrics at")), off.stdout().toString());
        }
        try (FerrydProcess ferryd = FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--user", "tester",
                "--authorized-keys", key + ".pub", "--metrics", "127.0.0.1:0",
                "--hook-command", "sh -c 'cat >> \"$0\"' " + events, "--hook-events", "upload,delete",
                "--hook-timeout", "20s")) {
            String line = ferryd.stdout().stream().filter(l -> l.startsWith("metrics at http://127.0.0.1:"))
                    .findFirst().orElseThrow(() -> new AssertionError(ferryd.stdout().toString()));
            int metricsPort = Integer.parseInt(line.replaceAll(".*:(\\d+)/metrics$", "$1"));
            Files.write(dir.resolve("up.bin"), new byte[4321]);
            Proc.Result put = sftp(ferryd.port(), knownHosts(ferryd.port(), dir.resolve("ferry-data")), "tester", key,
                    "put up.bin", "rm up.bin");
            assertEquals(0, put.exit(), put.all());

            long end = System.nanoTime() + 20_000_000_000L;
            while ((!Files.exists(events) || Files.readAllLines(events).size() < 2) && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            ObjectMapper json = new ObjectMapper();
            List<String> told = Files.readAllLines(events).stream().map(l -> {
                try {
                    JsonNode e = json.readTree(l);
                    return e.get("event").asText() + " " + e.get("path").asText() + " " + e.path("bytes").asText();
                } catch (Exception e) {
                    throw new AssertionError(l, e);
                }
            }).sorted().toList();
            assertEquals(List.of("delete /up.bin ", "upload /up.bin 4321"), told);

            String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(body.lines().anyMatch(l -> l.matches(
                    "ferryd_transfers_total\\{direction=\"upload\",outcome=\"success\",protocol=\"sftp\"} 1(\\.0)?")),
                    body);
            assertTrue(body.lines().anyMatch(l -> l.matches(
                    "ferryd_logins_total\\{method=\"publickey\",outcome=\"success\"} 1(\\.0)?")), body);
        }
    }
}
