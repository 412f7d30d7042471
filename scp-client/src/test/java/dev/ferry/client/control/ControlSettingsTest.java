package dev.ferry.client.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.ConnectOptions;
import dev.ferry.client.connect.HostSettings;
import dev.ferry.client.operand.Operands;
import dev.ferry.client.operand.Operand;

class ControlSettingsTest {

    private static ControlSettings settings(Path config, String operand, String... options) throws FerryException {
        ConnectOptions.Builder b = ConnectOptions.builder().configFile(config);
        for (String o : options) {
            b.option(o);
        }
        Operand.Remote remote = (Operand.Remote) Operands.parse(operand);
        return ControlSettings.of(new HostSettings(b.build()).resolve(remote), remote.host());
    }

    @Test
    void controlPersistReadsYesNoAndSshdTimes() throws Exception {
        assertEquals(ControlSettings.FOREVER, ControlSettings.persist("yes"));
        assertEquals(ControlSettings.FOREVER, ControlSettings.persist("0"), "0 means yes, as in ssh");
        assertEquals(Duration.ZERO, ControlSettings.persist("no"));
        assertEquals(Duration.ofSeconds(600), ControlSettings.persist("600"));
        assertEquals(Duration.ofMinutes(10), ControlSettings.persist("10m"));
        assertEquals(Duration.ofSeconds(5400), ControlSettings.persist("1h30m"));
        assertEquals(Duration.ofDays(8), ControlSettings.persist("1w1d"));
        for (String bad : new String[] {"", "ten", "10x", "m10", "-5"}) {
            assertThrows(FerryException.class, () -> ControlSettings.persist(bad), bad);
        }
        assertEquals(ControlSettings.FOREVER, ControlSettings.parseFormatted(ControlSettings.format(ControlSettings.FOREVER)));
        assertEquals(Duration.ofSeconds(90), ControlSettings.parseFormatted(ControlSettings.format(Duration.ofSeconds(90))));
    }

    @Test
    void controlMasterModesAndTheOnesFerryCannotDo() throws Exception {
        assertEquals(ControlSettings.Mode.AUTO, ControlSettings.mode("auto"));
        assertEquals(ControlSettings.Mode.YES, ControlSettings.mode("Yes"));
        assertEquals(ControlSettings.Mode.NO, ControlSettings.mode("no"));
        FerryException ask = assertThrows(FerryException.class, () -> ControlSettings.mode("autoask"));
        assertTrue(ask.getMessage().contains("use auto"), ask.getMessage());
        assertThrows(FerryException.class, () -> ControlSettings.mode("maybe"));
    }

    @Test
    void controlPathTokensExpandAsSshDoesAndFerrysSocketHasItsOwnSuffix(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("config"), String.join("\n",
                "Host box",
                "  HostName 127.0.0.9",
                "  Port 2022",
                "  User carol",
                "  ControlMaster auto",
                "  ControlPath " + dir + "/%r@%h:%p-%n",
                "  ControlPersist 10m",
                ""));
        ControlSettings s = settings(config, "box:file");
        assertEquals(ControlSettings.Mode.AUTO, s.mode());
        assertEquals(Optional.of(dir.resolve("carol@127.0.0.9:2022-box.ferry")), s.socket());
        assertEquals(Duration.ofMinutes(10), s.idleTimeout());

        ControlSettings flags = settings(config, "box:file", "ControlPath=" + dir + "/%C", "ControlPersist=yes");
        String hash = flags.socket().orElseThrow().getFileName().toString();
        assertTrue(hash.matches("[0-9a-f]{40}\\.ferry"), hash);
        assertEquals(ControlSettings.FOREVER, flags.idleTimeout(), "-o wins over the Host block");
        ControlSettings otherUser = settings(config, "dave@box:file", "ControlPath=" + dir + "/%C");
        assertNotEquals(flags.socket(), otherUser.socket(), "%C differs per user");
        assertEquals("%-" + System.getProperty("user.name"), settings(config, "box:f", "ControlPath=" + dir + "/%%-%u")
                .socket().orElseThrow().getFileName().toString().replace(".ferry", ""));

        assertEquals(Optional.empty(), settings(config, "box:f", "ControlPath=none").socket());
        assertEquals(Optional.empty(), settings(Path.of("/dev/null"), "box:f").socket(), "no path, no master");
        assertThrows(FerryException.class, () -> settings(config, "box:f", "ControlPath=" + dir + "/%z"));
        FerryException longPath = assertThrows(FerryException.class,
                () -> settings(config, "box:f", "ControlPath=" + dir + "/" + "x".repeat(120)));
        assertTrue(longPath.getMessage().contains("too long for a Unix socket"), longPath.getMessage());
    }

    @Test
    void aMasterRefusesADirectoryOthersCanEnterAndTwoMastersCannotShareAPath(@TempDir Path dir) throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-x---"));
        FerryException refused = assertThrows(FerryException.class,
                () -> ControlMaster.bind(open.resolve("cm.ferry"), Duration.ofSeconds(5)));
        assertTrue(refused.getMessage().contains("open to other users"), refused.getMessage());

        Path mine = Files.createDirectory(dir.resolve("mine"));
        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwx------"));
        Path socket = mine.resolve("cm.ferry");
        ControlMaster first = ControlMaster.bind(socket, Duration.ofSeconds(5));
        Thread serving = new Thread(() -> first.serve(run -> 0));
        serving.start();
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertThrows(ControlMaster.AlreadyRunning.class, () -> ControlMaster.bind(socket, Duration.ofSeconds(5)));
            try (Stream<Path> left = Files.list(mine)) {
                assertEquals(1, left.count(), "the loser left no temporary socket");
            }
        } finally {
            first.shutdown("test over");
            serving.join(5000);
        }
        assertTrue(Files.notExists(socket), "a master removes its socket when it ends");

        // a dead master's socket (bound, then nobody listening) is stale: the next master takes the path
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        ControlMaster second = ControlMaster.bind(socket, Duration.ofSeconds(5));
        assertTrue(ControlClient.attach(socket, false).isPresent(), "the new master listens there");
        second.shutdown("test over");
    }
}
