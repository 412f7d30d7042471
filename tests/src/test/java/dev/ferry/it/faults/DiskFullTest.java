package dev.ferry.it.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.ferry.it.faults.Rig.Client;
import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;

/**
 * A disk that fills during an upload: the user's root is a tmpfs of 8 MiB holding a 1 MiB file,
 * and each client uploads 12 MiB over it. The client hears a clear error (ferry: one sentence,
 * exit 1), the old file stays, and nothing is left in the root.
 */
class DiskFullTest {

    private static final String TARGET = "f.bin";
    private static final byte[] OLD = TestData.random(1 << 20, 3);
    private static final byte[] NEW = TestData.random(12 << 20, 4);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Client.class)
    void aDiskThatFillsMidUploadGivesAClearErrorAndLeavesTheOldFile(Client client) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        mountSmallTmpfs(root);
        try {
            Files.write(root.resolve(TARGET), OLD);
            Files.write(dir.resolve("new.bin"), NEW);
            Rig rig = new Rig(dir, root);
            try (FerrydProcess ferryd = rig.start()) {
                rig.trust(ferryd.port());
                Proc.Result r = Proc.run(rig.upload(client, ferryd.port(), "new.bin", TARGET), dir, 120);
                assertNotEquals(0, r.exit(), r.all());
                assertFalse(r.all().contains("Exception") || r.all().contains("\tat "), "no stack trace:\n" + r.all());
                if (client == Client.FERRY_CP || client == Client.FERRY_SYNC) {
                    assertEquals(1, r.exit(), r.all());
                    assertTrue(r.err().contains("No space left on device"), r.all());
                }
                assertArrayEquals(OLD, Files.readAllBytes(root.resolve(TARGET)), "the old file, byte for byte");
                assertEquals(List.of(), rig.awaitOnly(TARGET, Duration.ofSeconds(20)), "no leftover in the root");
            }
        } finally {
            Proc.run(List.of("umount", root.toString()), dir, 30);
        }
    }

    /** An 8 MiB tmpfs on {@code at}: needs root (as CI runs); elsewhere the test is skipped, in CI it fails. */
    private void mountSmallTmpfs(Path at) {
        Proc.Result mount = Proc.run(List.of(Peers.require("mount"), "-t", "tmpfs", "-o", "size=8m", "tmpfs",
                at.toString()), dir, 30);
        if (mount.exit() != 0) {
            String why = "cannot mount a tmpfs (tests must run as root): " + mount.all();
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
    }
}
