package dev.ferry.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.security.KeyFiles;

/**
 * {@code ferryd.yaml} from the command line: {@code --check-config} and {@code --print-config},
 * flags over the file, a mistake as one sentence, and a server listening where the file says, on
 * IPv4 and IPv6 at once, logging where it says.
 */
class ConfigFileCommandTest {

    @TempDir
    Path dir;

    @Test
    void checkConfigSaysValidOrNamesTheMistakeInOneLine() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.writeString(state.resolve("ferryd.yaml"), "listen: 127.0.0.1:2299\nlimits: {maxSessions: 4}\n");
        Proc.Result ok = FerrydProcess.run(dir, null, "--state-dir", state.toString(), "--check-config");
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(ok.out().contains("the configuration is valid (" + state.resolve("ferryd.yaml")), ok.all());
        assertFalse(Files.exists(state.resolve("host_ed25519_key")), "checking writes nothing");

        Files.writeString(state.resolve("ferryd.yaml"), "listen: 127.0.0.1:2299\nlimits:\n  loginGraceTime: 2 min\n");
        Proc.Result bad = FerrydProcess.run(dir, null, "--state-dir", state.toString(), "--check-config");
        assertEquals(1, bad.exit(), bad.all());
        assertEquals("ferryd: " + state.resolve("ferryd.yaml") + ":3: 'limits.loginGraceTime' must be a time such as "
                + "90s, 10m or 1h, not '2 min'", bad.err().strip());

        Proc.Result missing = FerrydProcess.run(dir, null, "--config-file", "nowhere.yaml", "--check-config");
        assertEquals(1, missing.exit(), missing.all());
        assertEquals("ferryd: nowhere.yaml: no such config file", missing.err().strip());
    }

    @Test
    void flagsWinOverTheFileAndThePrintedConfigurationShowsTheOutcome() throws Exception {
        Path file = Files.writeString(dir.resolve("custom.yaml"), """
                listen: 127.0.0.1:2299
                log: {format: json}
                limits: {maxAuthTries: 3, loginGraceTime: 20s}
                bans: {threshold: 12}
                """);
        Proc.Result r = FerrydProcess.run(dir, null, "--config-file", file.toString(), "--print-config",
                "--listen", "[::1]:2300", "--login-grace-time", "45s", "--ban-threshold", "9");
        assertEquals(0, r.exit(), r.all());
        String printed = r.out();
        assertTrue(printed.contains("listen:\n- \"[::1]:2300\"\n"), printed);
        assertTrue(printed.contains("format: json"), printed);
        assertTrue(printed.contains("maxAuthTries: 3"), printed);
        assertTrue(printed.contains("loginGraceTime: 45s"), printed);
        assertTrue(printed.contains("threshold: 9"), printed);

        // what was printed is itself a valid ferryd.yaml
        Path again = Files.writeString(dir.resolve("printed.yaml"), printed);
        Proc.Result check = FerrydProcess.run(dir, null, "--config-file", again.toString(), "--print-config");
        assertEquals(0, check.exit(), check.all());
        assertEquals(printed, check.out());
    }

    @Test
    void userLimitsSetsAndRemovesAUsersQuotaRatesAndSessions() throws Exception {
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyFiles.write(pair, dir.resolve("id"), "alice");
        Path users = dir.resolve("users.yaml");
        Proc.Result add = FerrydProcess.run(dir, null, "user", "add", "alice", "--root", "alice", "--key",
                "@" + dir.resolve("id.pub"), "--config", users.toString());
        assertEquals(0, add.exit(), add.all());
        Proc.Result set = FerrydProcess.run(dir, null, "user", "limits", "alice", "--quota-bytes", "1G",
                "--quota-files", "100", "--upload-rate", "2M", "--max-sessions", "2", "--config", users.toString());
        assertEquals(0, set.exit(), set.all());
        var account = dev.ferry.server.config.UsersFile.read(users).toDirectory().find("alice").orElseThrow();
        assertEquals(new dev.ferry.server.auth.UserLimits(1L << 30, 100, 2 << 20, 0, 2), account.limits());
        Proc.Result list = FerrydProcess.run(dir, null, "user", "list", "--config", users.toString());
        assertTrue(list.out().contains("quota=1G,100 files  rate=up 2M/s, down none/s  sessions=2"), list.all());

        Proc.Result bad = FerrydProcess.run(dir, null, "user", "limits", "alice", "--upload-rate", "fast",
                "--config", users.toString());
        assertEquals(1, bad.exit(), bad.all());
        assertEquals("ferryd: --upload-rate fast: use a size such as 500M or 10G", bad.err().strip());

        Proc.Result none = FerrydProcess.run(dir, null, "user", "limits", "alice", "--quota-bytes", "0",
                "--quota-files", "0", "--upload-rate", "0", "--max-sessions", "0", "--config", users.toString());
        assertEquals(0, none.exit(), none.all());
        assertEquals(dev.ferry.server.auth.UserLimits.NONE,
                dev.ferry.server.config.UsersFile.read(users).toDirectory().find("alice").orElseThrow().limits());
        assertFalse(Files.readString(users).contains("quota"), Files.readString(users));
    }

    @Test
    void theServerListensOnEveryAddressOfTheFileAndLogsWhereItSays() throws Exception {
        Peers.requireIpv6Loopback();
        Path state = Files.createDirectories(dir.resolve("state"));
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyFiles.write(pair, dir.resolve("id"), "tester");
        Files.writeString(state.resolve("ferryd.yaml"), """
                listen: [127.0.0.1:0, "[::1]:0"]
                log: {format: json, file: logs/ferryd.log}
                """);
        try (FerrydProcess ferryd = FerrydProcess.start(dir, "--state-dir", state.toString(), "--user", "tester",
                "--authorized-keys", dir.resolve("id.pub").toString())) {
            String banner = ferryd.stdout().get(0);
            Matcher m = Pattern.compile("ferryd listening on 127\\.0\\.0\\.1:(\\d+), \\[([0-9a-f:]+)\\]:(\\d+)")
                    .matcher(banner);
            assertTrue(m.find(), banner);
            String pub = Files.readString(state.resolve("host_ed25519_key.pub")).strip();
            Files.writeString(dir.resolve("up.txt"), "both\n");
            for (String[] target : List.of(new String[] {"127.0.0.1", m.group(1)},
                    new String[] {"::1", m.group(3)})) {
                String host = target[0].contains(":") ? "[" + target[0] + "]" : target[0];
                Path known = Files.writeString(dir.resolve("known_hosts"), "[" + target[0] + "]:" + target[1] + " " + pub + "\n");
                Path batch = Files.writeString(dir.resolve("batch"), "put up.txt\n");
                List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-b", batch.toString(), "-P",
                        target[1], "-F", "/dev/null", "-o", "UserKnownHostsFile=" + known, "-o",
                        "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-i", dir.resolve("id").toString(),
                        "tester@" + host));
                Proc.Result r = Proc.run(cmd, dir, 60);
                assertEquals(0, r.exit(), r.all());
            }
            Path log = state.resolve("logs/ferryd.log");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!(Files.exists(log) && Files.readString(log).split("\"event\":\"transfer\"", -1).length == 3)) {
                assertTrue(System.nanoTime() < deadline, "two transfers in " + log);
                Thread.sleep(50);
            }
            String text = Files.readString(log);
            assertTrue(text.contains("\"remote\":\"127.0.0.1:") && text.contains("\"remote\":\"[0:0:0:0:0:0:0:1]:"), text);
            assertFalse(String.join("\n", ferryd.stderr()).contains("\"event\""), "the log went to the file only");
        }
    }
}
