package dev.ferry.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.server.auth.Network;
import dev.ferry.server.hook.Hook;
import dev.ferry.server.log.LogFormat;

class ConfigFileTest {

    @TempDir
    Path dir;

    private FerrydConfig read(String text) throws IOException {
        Path file = Files.writeString(dir.resolve("ferryd.yaml"), text);
        return ConfigFile.read(file, FerrydConfig.defaults().toBuilder()).build();
    }

    private String error(String text) {
        return assertThrows(IOException.class, () -> read(text)).getMessage();
    }

    @Test
    void anEmptyFileIsTheDefaults() throws IOException {
        assertEquals(FerrydConfig.defaults(), read(""));
        assertEquals(FerrydConfig.defaults(), read("# nothing set\n"));
    }

    @Test
    void everySectionIsRead() throws IOException {
        FerrydConfig c = read("""
                listen: [0.0.0.0:2222, "[::]:2022"]
                hostKeys: [keys/host_ed25519_key, /etc/ferry/host_rsa_key]
                algorithms: {profile: strict, ciphers: "-aes128-gcm@openssh.com"}
                limits:
                  maxAuthTries: 3
                  loginGraceTime: 20s
                  idleTimeout: 1h
                  maxSessions: 4
                  maxStartups: 100
                  perSourceMaxStartups: 5
                bans: {threshold: 12, window: 5m, time: 2m, maxTime: 1h, exempt: [10.0.0.0/8, "::1/128"]}
                log: {format: json, file: log/ferryd.log}
                metrics: 127.0.0.1:9339
                transport: {window: 16M, receiveBudget: 256M, ipqos: af21}
                users: {file: /etc/ferry/users.yaml}
                hook: {command: "/usr/local/bin/on-upload --quiet", events: [upload, delete], timeout: 5s}
                proxyProtocol: {from: [10.0.0.5/32]}
                sftp: {inPlace: true}
                stopGracePeriod: 2m
                """);
        assertEquals(List.of(new HostPort("0.0.0.0", 2222), new HostPort("::", 2022)), c.listen());
        assertEquals(List.of(dir.resolve("keys/host_ed25519_key"), Path.of("/etc/ferry/host_rsa_key")), c.hostKeys());
        assertEquals(new FerrydConfig.AlgorithmSettings("strict", null, "-aes128-gcm@openssh.com", null, null),
                c.algorithms());
        assertEquals(3, c.limits().maxAuthTries());
        assertEquals(Duration.ofSeconds(20), c.limits().authTimeout());
        assertEquals(Duration.ofHours(1), c.limits().idleTimeout());
        assertEquals(4, c.limits().maxSessionsPerConnection());
        assertEquals(100, c.limits().maxUnauthenticated());
        assertEquals(5, c.limits().maxUnauthenticatedPerSource());
        assertEquals(12, c.limits().bans().threshold());
        assertEquals(Duration.ofMinutes(5), c.limits().bans().window());
        assertEquals(Duration.ofMinutes(2), c.limits().bans().firstBan());
        assertEquals(Duration.ofHours(1), c.limits().bans().maxBan());
        assertEquals(List.of(Network.parse("10.0.0.0/8"), Network.parse("::1/128")), c.limits().bans().exempt());
        assertEquals(new FerrydConfig.LogSettings(LogFormat.JSON, Optional.of(dir.resolve("log/ferryd.log"))), c.log());
        assertEquals(Optional.of(new HostPort("127.0.0.1", 9339)), c.metrics());
        assertEquals(new FerrydConfig.TransportSettings(Optional.of(16L << 20), Optional.of(256L << 20),
                Optional.of("af21")), c.transport());
        assertEquals(Optional.of(Path.of("/etc/ferry/users.yaml")), c.usersFile());
        assertEquals(Optional.of(new Hook(List.of("/usr/local/bin/on-upload", "--quiet"),
                Set.of(Hook.Event.UPLOAD, Hook.Event.DELETE), Duration.ofSeconds(5))), c.hook());
        assertTrue(c.sftpInPlace());
        assertEquals(List.of(Network.parse("10.0.0.5/32")), c.proxyProtocolFrom());
        assertEquals(Duration.ofMinutes(2), c.stopGracePeriod());
    }

    @Test
    void whatIsPrintedReadsBackAsTheSameConfiguration() throws IOException {
        FerrydConfig c = read("""
                listen: ["[::1]:2222", 127.0.0.1:2222]
                limits: {loginGraceTime: 90s, maxSessions: 3}
                bans: {exempt: [192.168.0.0/16]}
                log: {format: json}
                metrics: 127.0.0.1:0
                transport: {window: 8M}
                hook: {command: [/bin/true, "a b"], events: [rename]}
                proxyProtocol: {from: [127.0.0.1/32, "::1/128"]}
                stopGracePeriod: 0
                """);
        FerrydConfig again = read(ConfigFile.write(c));
        assertEquals(c.toMap(), again.toMap());
        assertEquals(c, again);
        assertEquals(FerrydConfig.defaults(), read(ConfigFile.write(FerrydConfig.defaults())));
    }

    /** The sample the distribution installs as /etc/ferry/ferryd.yaml is valid, and says what it says. */
    @Test
    void theDistributedSampleIsValid() throws IOException {
        FerrydConfig sample = ConfigFile.read(Path.of("src/main/dist/ferryd.yaml"), FerrydConfig.defaults().toBuilder())
                .build();
        assertEquals(List.of(new HostPort("0.0.0.0", 2222), new HostPort("::", 2222)), sample.listen());
        assertEquals(Optional.of(new HostPort("127.0.0.1", 9339)), sample.metrics());
        assertEquals(Optional.of(Path.of("/etc/ferry/users.yaml")), sample.usersFile());
        FerrydConfig withoutThose = sample.toBuilder().listen(List.of(FerrydConfig.DEFAULT_LISTEN))
                .metrics(Optional.empty()).build();
        assertEquals(FerrydConfig.defaults().toBuilder().usersFile(Path.of("/etc/ferry/users.yaml")).build(),
                withoutThose, "the sample shows the defaults but for listen, metrics and users");
    }

    @Test
    void theUsersMayBeInADatabaseWhosePasswordIsNotPrinted() throws IOException {
        FerrydConfig c = read("users: {database: \"jdbc:postgresql://db:5432/ferry?user=ferry&password=s3cret\"}\n");
        assertEquals(Optional.of("jdbc:postgresql://db:5432/ferry?user=ferry&password=s3cret"), c.usersDatabase());
        String printed = ConfigFile.write(c);
        assertTrue(printed.contains("password=***") && !printed.contains("s3cret"), printed);
        assertTrue(error("users: {file: users.yaml, database: \"jdbc:postgresql://db/ferry\"}\n")
                .contains("ferryd.yaml:1: 'users' names both a file and a database"));
    }

    @Test
    void aSingleAddressNeedsNoList() throws IOException {
        assertEquals(List.of(new HostPort("0.0.0.0", 22)), read("listen: 0.0.0.0:22\n").listen());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an unknown key is named, with those known   | limits:\\n  maxSesions: 3\\n | ferryd.yaml:2: unknown setting 'limits.maxSesions' (known here: maxAuthTries, loginGraceTime",
        "an unknown top-level key                     | listen: 127.0.0.1:22\\nport: 22\\n | ferryd.yaml:2: unknown setting 'port'",
        "a time without a unit it knows              | limits: {idleTimeout: 5 minutes}\\n | ferryd.yaml:1: 'limits.idleTimeout' must be a time such as 90s",
        "a number out of range                        | \\nlimits:\\n  maxAuthTries: 0\\n | ferryd.yaml:3: 'limits.maxAuthTries' must be within 1..100, not 0",
        "a port that is not a number                  | listen: [127.0.0.1:ssh]\\n | ferryd.yaml:1: 'listen' is wrong: 'ssh' is not a port number",
        "a cipher outside the policy                  | algorithms: {ciphers: +3des-cbc}\\n | ferryd.yaml:1: 'algorithms' is wrong: Unsupported Ciphers '3des-cbc'",
        "a log format                                 | log: {format: xml}\\n | ferryd.yaml:1: 'log.format' is wrong: unknown log format 'xml'",
        "a section given a value                      | limits: 5\\n | ferryd.yaml:1: 'limits' must hold settings",
        "a key given twice                            | metrics: off\\nmetrics: 127.0.0.1:9339\\n | ferryd.yaml:2: 'metrics' is given twice",
        "a hook event                                 | hook: {command: /bin/true, events: [uplod]}\\n | ferryd.yaml:1: 'hook.events' is wrong: unknown hook event 'uplod'",
        "a hook without a command                     | hook: {events: [upload]}\\n | ferryd.yaml:1: 'hook' has no 'command'",
        "a boolean                                    | sftp: {inPlace: maybe}\\n | ferryd.yaml:1: 'sftp.inPlace' must be true or false",
        "a size                                       | transport: {window: lots}\\n | ferryd.yaml:1: 'transport.window' must be a size such as 64M",
        "a network                                    | bans: {exempt: [10.0.0.0/33]}\\n | ferryd.yaml:1: 'bans.exempt' is wrong",
        "a first ban longer than the longest          | bans: {time: 2h, maxTime: 1h}\\n | ferryd.yaml:1: 'bans.maxTime' is wrong",
        "broken YAML, on one line                     | listen: [127.0.0.1:22\\n | ferryd.yaml:2: ",
        "not a mapping                                | - listen\\n | ferryd.yaml:1: expected settings as 'key: value' lines",
    })
    void eachMistakeIsOneSentenceWithItsLineAndKey(String what, String text, String expected) {
        String message = error(text.replace("\\n", "\n"));
        assertTrue(message.contains(expected), what + ": " + message);
        assertTrue(message.startsWith(dir.resolve("ferryd.yaml").toString()), message);
        assertEquals(1, message.lines().count(), message);
    }
}
