package dev.ferry.client.connect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.ferry.client.FerryException;
import dev.ferry.client.control.ControlSettings;
import dev.ferry.client.operand.Operand;

/**
 * Coverage-guided fuzzing of ferry's reading of an ssh_config file (given with {@code -F}, or
 * {@code ~/.ssh/config}): the Host and Match blocks MINA parses, and what ferry takes from the
 * settings of the block that applies: host name, port, user, ProxyJump, identity files,
 * StrictHostKeyChecking and the known_hosts files ({@link Connector#resolve}), ControlMaster,
 * ControlPath with its % tokens and ControlPersist ({@link ControlSettings#of}). The first byte of
 * an input picks the operand's host and user, the rest is the file. For every input: the only
 * failure is a {@link FerryException} or an {@link IllegalArgumentException} with a message (ferry
 * prints either as its one sentence); no other exception, no hang (10 s per input).
 * Seeds: {@code HostSettingsFuzzTestInputs/}, configuration files of each shape.
 */
class HostSettingsFuzzTest {

    private static final List<String> HOSTS = List.of("example.com", "alias", "10.0.0.7", "relay.example.org", "::1");

    @TempDir
    static Path home;
    static Path config;
    static ConnectOptions options;
    static Connector connector;

    @BeforeAll
    static void home() throws IOException {
        // ~ in the file, the default identities and known_hosts: all under a home of the test's own.
        System.setProperty("user.home", home.toString());
        config = Files.createDirectories(home.resolve(".ssh")).resolve("config");
        Files.writeString(config, "");
        options = ConnectOptions.builder().configFile(config).batch(true).build();
    }

    @AfterAll
    static void stop() throws IOException {
        if (connector != null) {
            connector.close();
        }
    }

    @FuzzTest
    void aConfigFileIsReadOrRefusedWithASentence(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        // A new file each time (a rename, not a write in place): MINA reads it again when its
        // inode, size or time changes, and two inputs may share a size and a second.
        Path next = home.resolve(".ssh/config.next");
        Files.write(next, Arrays.copyOfRange(input, 1, input.length));
        Files.move(next, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        String host = HOSTS.get((input[0] & 0x7f) % HOSTS.size());
        Operand.Remote remote = new Operand.Remote((input[0] & 0x80) != 0 ? "bob" : "", host, OptionalInt.empty(), "f");
        try {
            if (connector == null) {
                connector = new Connector(options, Interaction.none(warning -> { }));
            }
            connector.resolve(remote);
            ControlSettings.of(new HostSettings(options).resolve(remote), host);
        } catch (FerryException | IllegalArgumentException refused) {
            String message = refused.getMessage();
            assertTrue(message != null && !message.isBlank(), () -> "refused without a sentence: " + refused);
        }
    }
}
