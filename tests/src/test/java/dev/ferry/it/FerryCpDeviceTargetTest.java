package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.it.support.TestData;

/**
 * {@code ferry cp host:file /dev/null}: a device (or pipe) already at the target is written into,
 * as scp does, over SFTP and with {@code -O}; it stays the device it was. A partial file renamed
 * over it replaced /dev/null with a regular file on a machine where this was run as root. The test
 * uses a device node of its own (the same one as /dev/null), so a regression breaks nothing else.
 */
class FerryCpDeviceTargetTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();

    private static Proc.Result ferry(Path cwd, String... rest) {
        List<String> args = new ArrayList<>(List.of("cp"));
        args.addAll(sshd.ferryOptions());
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    /** A character device like /dev/null (major 1, minor 3) at {@code path}; the tests run as root, as CI does. */
    private static void nullDevice(Path path) throws Exception {
        Process p = new ProcessBuilder("mknod", "-m", "666", path.toString(), "c", "1", "3").inheritIO().start();
        assertEquals(0, p.waitFor(), "mknod failed: these tests need root");
    }

    private static String kind(Path path) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%F", path.toString()).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return out;
    }

    @Test
    void aDeviceTargetIsWrittenIntoAndStaysADeviceBothOverSftpAndScp() throws Exception {
        Path local = sshd.newLocalDir();
        Path remote = sshd.root().resolve("to-null.bin");
        Files.write(remote, TestData.random(6_000_000, 5)); // large enough for the pipelined download
        Files.setPosixFilePermissions(remote, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path device = local.resolve("null");
        nullDevice(device);
        for (String[] mode : List.of(new String[0], new String[] {"-O"}, new String[] {"-p"})) {
            List<String> args = new ArrayList<>(List.of(mode));
            args.addAll(List.of(sshd.user() + "@127.0.0.1:" + remote, device.toString()));
            Proc.Result r = ferry(local, args.toArray(String[]::new));
            assertEquals(0, r.exit(), String.join(" ", mode) + ": " + r.all());
            assertEquals("character special file", kind(device), String.join(" ", mode));
            assertTrue(Files.exists(device, LinkOption.NOFOLLOW_LINKS));
        }
        try (var names = Files.list(local)) {
            assertEquals(List.of("null"), names.map(p -> p.getFileName().toString()).toList(), "nothing left beside it");
        }
    }
}
