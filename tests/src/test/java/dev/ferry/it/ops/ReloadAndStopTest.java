package dev.ferry.it.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.config.UserEntry;
import dev.ferry.server.config.UsersFile;

/**
 * ferryd's life as a service: SIGHUP reads the users and ferryd.yaml again while a transfer goes
 * on, an invalid file changes nothing, and SIGTERM stops listening, lets the transfer in flight
 * finish within the grace period, and cuts it (the old file kept) when the period ends first.
 * The clients are OpenSSH's sftp, slowed with its own {@code -l} so that a transfer lasts seconds.
 */
class ReloadAndStopTest {

    /** sftp's -l, in Kbit/s: 2 MiB take about 4 s. */
    private static final String SLOW = "4000";
    private static final int SIZE = 2 << 20;

    @TempDir
    Path dir;

    private Path state;
    private Path usersFile;
    private Path aliceRoot;
    private Path bobRoot;

    @BeforeEach
    void users() throws Exception {
        state = Files.createDirectories(dir.resolve("state"));
        aliceRoot = Files.createDirectories(dir.resolve("roots/alice"));
        bobRoot = Files.createDirectories(dir.resolve("roots/bob"));
        usersFile = state.resolve("users.yaml");
        UsersFile users = UsersFile.read(usersFile);
        users.put("alice", UserEntry.of(aliceRoot.toString()).withKey(publicKey("alice")));
        users.put("bob", UserEntry.of(bobRoot.toString()).withKey(publicKey("bob")));
        users.write();
    }

    private String publicKey(String name) throws Exception {
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyFiles.write(pair, dir.resolve(name), name);
        return Files.readString(dir.resolve(name + ".pub")).strip();
    }

    private FerrydProcess ferryd(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--state-dir", state.toString()));
        args.addAll(List.of(more));
        return FerrydProcess.start(dir, args.toArray(String[]::new));
    }

    private List<String> sftp(FerrydProcess ferryd, String user, String limit, String... commands) throws Exception {
        Path batch = Files.writeString(Files.createTempFile(dir, "batch", ""), String.join("\n", commands) + "\n");
        String pub = Files.readString(state.resolve("host_ed25519_key.pub")).strip();
        Path known = Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + ferryd.port() + " " + pub + "\n");
        List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-b", batch.toString(), "-P",
                String.valueOf(ferryd.port()), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + known,
                "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-i", dir.resolve(user).toString()));
        if (limit != null) {
            cmd.addAll(List.of("-l", limit));
        }
        cmd.add(user + "@127.0.0.1");
        return cmd;
    }

    private Proc.Result run(List<String> command) {
        return Proc.run(command, dir, 60);
    }

    /** Waits until ferryd has begun writing an upload: its temporary file is in {@code root}. */
    private static void awaitUploadStarted(Path root) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.list(root)) {
                if (files.anyMatch(f -> f.getFileName().toString().contains(".ferry-sftp-") && f.toFile().length() > 0)) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the upload did not start");
    }

    @Test
    void aReloadLetsTheRunningTransferFinishAndTheRemovedUserCannotLogInAfterIt() throws Exception {
        byte[] data = TestData.random(SIZE, 1);
        Files.write(aliceRoot.resolve("big.bin"), data);
        try (FerrydProcess ferryd = ferryd()) {
            Process download = Proc.begin(sftp(ferryd, "alice", SLOW, "get big.bin got.bin"), dir);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(Files.exists(dir.resolve("got.bin")) && Files.size(dir.resolve("got.bin")) > 0)) {
                assertTrue(System.nanoTime() < deadline, "the download did not start");
                Thread.sleep(20);
            }
            UsersFile users = UsersFile.read(usersFile);
            users.remove("alice");
            users.write();
            Files.writeString(state.resolve("ferryd.yaml"), "limits: {maxSessions: 3}\ntransport: {window: 8M}\n");
            ferryd.signal("HUP");
            String reloaded = ferryd.awaitStderr("reloaded", 20);
            assertTrue(reloaded.contains("limits") && reloaded.contains("-alice"), reloaded);
            assertTrue(reloaded.contains("needsRestart=transport"), reloaded);
            assertTrue(download.isAlive(), "the download should still run at the reload: make it slower");

            String out = Proc.finish(download).out();
            assertEquals(0, download.exitValue(), out);
            assertArrayEquals(data, Files.readAllBytes(dir.resolve("got.bin")));

            Proc.Result again = run(sftp(ferryd, "alice", null, "ls"));
            assertNotEquals(0, again.exit(), again.all());
            ferryd.awaitStderr("auth-failed user=alice", 10);
            Proc.Result bob = run(sftp(ferryd, "bob", null, "ls"));
            assertEquals(0, bob.exit(), bob.all());
        }
    }

    @Test
    void anInvalidFileAtAReloadChangesNothing() throws Exception {
        try (FerrydProcess ferryd = ferryd()) {
            Files.writeString(state.resolve("ferryd.yaml"), "limits:\n  maxSesions: 3\n");
            ferryd.signal("HUP");
            String failed = ferryd.awaitStderr("reload-failed", 20);
            assertTrue(failed.contains("ferryd.yaml:2: unknown setting 'limits.maxSesions'"), failed);
            Files.writeString(usersFile, "users: [\n");
            Files.delete(state.resolve("ferryd.yaml"));
            ferryd.signal("HUP");
            ferryd.awaitStderr("users.yaml is not a valid users file", 20);
            Proc.Result bob = run(sftp(ferryd, "bob", null, "ls"));
            assertEquals(0, bob.exit(), bob.all());
            assertTrue(ferryd.alive());
        }
    }

    @Test
    void aStopLetsTheTransferInFlightFinishAndTakesNoNewConnection() throws Exception {
        byte[] data = TestData.random(SIZE, 2);
        Files.write(dir.resolve("up.bin"), data);
        try (FerrydProcess ferryd = ferryd("--stop-grace-period", "60s")) {
            Process upload = Proc.begin(sftp(ferryd, "alice", SLOW, "put up.bin"), dir);
            awaitUploadStarted(aliceRoot);
            ferryd.signal("TERM");
            String stopping = ferryd.awaitStderr("stopping", 20);
            assertTrue(stopping.contains("transfers=1"), stopping);

            Proc.Result bob = run(sftp(ferryd, "bob", null, "ls"));
            assertNotEquals(0, bob.exit(), "a stopping server takes no new connection: " + bob.all());

            String out = Proc.finish(upload).out();
            assertEquals(0, upload.exitValue(), out);
            assertArrayEquals(data, Files.readAllBytes(aliceRoot.resolve("up.bin")));
            assertTrue(ferryd.awaitStderr("stopped", 20).contains("interrupted=0"));
            ferryd.awaitExit(20);
        }
    }

    @Test
    void aTransferLongerThanTheGracePeriodIsCutAndTheOldFileStays() throws Exception {
        byte[] old = "the old file\n".getBytes(StandardCharsets.UTF_8);
        Files.write(aliceRoot.resolve("up.bin"), old);
        Files.write(dir.resolve("up.bin"), TestData.random(SIZE, 3));
        try (FerrydProcess ferryd = ferryd("--stop-grace-period", "1s")) {
            Process upload = Proc.begin(sftp(ferryd, "alice", SLOW, "put up.bin"), dir);
            awaitUploadStarted(aliceRoot);
            ferryd.signal("TERM");
            assertTrue(ferryd.awaitStderr("stopped", 20).contains("interrupted=1"));
            String out = Proc.finish(upload).out();
            assertNotEquals(0, upload.exitValue(), out);
            ferryd.awaitExit(20);
            assertArrayEquals(old, Files.readAllBytes(aliceRoot.resolve("up.bin")));
            try (Stream<Path> files = Files.list(aliceRoot)) {
                assertEquals(List.of("up.bin"), files.map(f -> f.getFileName().toString()).toList());
            }
        }
    }
}
