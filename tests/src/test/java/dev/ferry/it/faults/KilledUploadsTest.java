package dev.ferry.it.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.ferry.fs.TemporaryName;
import dev.ferry.it.faults.Rig.Client;
import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;

/**
 * kill -9 half way through an upload onto an existing file, of the client or of ferryd, for each
 * way into ferryd: the old file stays byte for byte, nothing partial appears under its name, and
 * the temporary file goes: at once when the client dies (the server notices), at the next start
 * when the server dies (its journal of uploads in flight). ferry cp's own {@code .NAME.ferry-part}
 * is the exception by design: it is kept for {@code ferry cp --resume}, which continues it.
 */
class KilledUploadsTest {

    private static final String TARGET = "f.bin";
    private static final byte[] OLD = TestData.random(1 << 20, 1);
    private static final byte[] NEW = TestData.random(24 << 20, 2);
    /** Upstream through the forwarder: the new file takes about eight seconds. */
    private static final long RATE = 3L << 20;
    /** How far the temporary file must have grown when the test strikes: surely half way. */
    private static final long GROWN = 512 * 1024;

    @TempDir
    Path dir;

    private Rig rig() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.write(root.resolve(TARGET), OLD);
        Files.write(dir.resolve("new.bin"), NEW);
        return new Rig(dir, root);
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aClientKilledMidUploadLeavesTheOldFileAndNoTemporary(Client client) throws Exception {
        Rig rig = rig();
        try (FerrydProcess ferryd = rig.start(); ThrottlingForwarder slow = new ThrottlingForwarder(ferryd.port(), RATE)) {
            rig.trust(ferryd.port(), slow.port());
            Process upload = rig.launch(rig.upload(client, slow.port(), "new.bin", TARGET));
            Path temp = rig.awaitTemporary(TARGET, GROWN, upload);
            Rig.killHard(upload);
            assertArrayEquals(OLD, Files.readAllBytes(rig.root.resolve(TARGET)), "the old file, byte for byte");

            if (client == Client.FERRY_CP) {
                assertEquals(TemporaryName.of(TARGET, TemporaryName.PARTIAL), temp.getFileName().toString());
                byte[] partial = Files.readAllBytes(temp);
                assertArrayEquals(Arrays.copyOf(NEW, partial.length), partial, "a prefix of the new file");
                Proc.Result resumed = FerryCli.run(dir, rig.ferry("cp", ferryd.port(), "--resume", "new.bin",
                        Rig.USER + "@127.0.0.1:" + TARGET));
                assertEquals(0, resumed.exit(), resumed.all());
                assertArrayEquals(NEW, Files.readAllBytes(rig.root.resolve(TARGET)));
                assertEquals(List.of(), rig.othersThan(TARGET));
                return;
            }
            List<Path> left = rig.awaitOnly(TARGET, Duration.ofSeconds(30));
            assertEquals(List.of(), left, "the server removed " + temp.getFileName() + " once the client was gone");
            assertArrayEquals(OLD, Files.readAllBytes(rig.root.resolve(TARGET)));
        }
    }

    @ParameterizedTest
    @EnumSource(Client.class)
    void aServerKilledMidUploadLeavesTheOldFileAndItsNextStartRemovesTheTemporary(Client client) throws Exception {
        Rig rig = rig();
        Path temp;
        try (FerrydProcess ferryd = rig.start(); ThrottlingForwarder slow = new ThrottlingForwarder(ferryd.port(), RATE)) {
            rig.trust(ferryd.port(), slow.port());
            Process upload = rig.launch(rig.upload(client, slow.port(), "new.bin", TARGET));
            temp = rig.awaitTemporary(TARGET, GROWN, upload);
            ferryd.kill();
            Rig.killHard(upload);
        }
        assertArrayEquals(OLD, Files.readAllBytes(rig.root.resolve(TARGET)), "the old file, byte for byte");
        assertTrue(Files.exists(temp), "the killed server could not clean up " + temp.getFileName());

        try (FerrydProcess again = rig.start()) {
            String name = temp.getFileName().toString();
            if (client == Client.FERRY_CP) {
                // The client's partial file: not ferryd's to remove, ferry cp --resume continues it.
                assertTrue(Files.exists(temp), String.join("\n", again.stderr()));
                rig.trust(again.port());
                Proc.Result resumed = FerryCli.run(dir, rig.ferry("cp", again.port(), "--resume", "new.bin",
                        Rig.USER + "@127.0.0.1:" + TARGET));
                assertEquals(0, resumed.exit(), resumed.all());
                assertArrayEquals(NEW, Files.readAllBytes(rig.root.resolve(TARGET)));
            } else {
                String logged = awaitLine(again, "leftover-removed", name);
                assertTrue(logged.contains(rig.root.getFileName() + "/" + name), logged);
                assertFalse(Files.exists(temp), "removed at the start");
                assertArrayEquals(OLD, Files.readAllBytes(rig.root.resolve(TARGET)));
            }
            assertEquals(List.of(), rig.othersThan(TARGET));
        }
    }

    /** The line of ferryd's log that holds both words (its stderr is read by a thread of its own). */
    private static String awaitLine(FerrydProcess ferryd, String kind, String word) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            for (String line : ferryd.stderr()) {
                if (line.contains(kind) && line.contains(word)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + kind + " line for " + word + " in:\n" + String.join("\n", ferryd.stderr()));
    }
}
