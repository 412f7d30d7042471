package dev.ferry.it.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.sshd.common.config.keys.KeyUtils;
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
 * Two ferryd nodes serving one directory with one host key, as behind a load balancer with shared
 * storage (docs/scale-out.md): a client sees the same server through either; two clients uploading
 * the same name through the two nodes at once leave one of the two files whole, never a mix nor a
 * temporary file; a node killed mid-upload leaves the old file whole, and the other goes on serving.
 */
class SharedRootTest {

    /** sftp's -l, in Kbit/s: 2 MiB take about 4 s, so that the two uploads overlap. */
    private static final String SLOW = "4000";
    private static final int SIZE = 2 << 20;

    @TempDir
    Path dir;

    private Path hostKey;
    private Path usersFile;
    private Path root;

    private void shared() throws Exception {
        root = Files.createDirectories(dir.resolve("shared/alice"));
        hostKey = dir.resolve("shared/host_ed25519_key");
        KeyFiles.loadOrGenerateEd25519(hostKey);
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyFiles.write(pair, dir.resolve("alice"), "alice");
        usersFile = dir.resolve("shared/users.yaml");
        UsersFile users = UsersFile.read(usersFile);
        users.put("alice", UserEntry.of(root.toString()).withKey(Files.readString(dir.resolve("alice.pub")).strip()));
        users.write();
    }

    private FerrydProcess node(String name) throws Exception {
        return FerrydProcess.start(dir, "--listen", "127.0.0.1:0", "--state-dir", dir.resolve(name).toString(),
                "--host-key", hostKey.toString(), "--config", usersFile.toString());
    }

    /** sftp to {@code node}, checking the host key against the one shared key: the same known_hosts line for both. */
    private List<String> sftp(FerrydProcess node, String limit, String... commands) throws Exception {
        Path batch = Files.writeString(Files.createTempFile(dir, "batch", ""), String.join("\n", commands) + "\n");
        Path known = Files.writeString(Files.createTempFile(dir, "known", ""), "[127.0.0.1]:" + node.port() + " "
                + Files.readString(Path.of(hostKey + ".pub")).strip() + "\n");
        List<String> cmd = new ArrayList<>(List.of(Peers.require("sftp"), "-b", batch.toString(), "-P",
                String.valueOf(node.port()), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + known,
                "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-i", dir.resolve("alice").toString()));
        if (limit != null) {
            cmd.addAll(List.of("-l", limit));
        }
        cmd.add("alice@127.0.0.1");
        return cmd;
    }

    private List<String> namesIn(Path d) throws Exception {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void twoUploadsOfOneNameThroughTwoNodesLeaveOneWholeFile() throws Exception {
        shared();
        byte[] first = TestData.random(SIZE, 1);
        byte[] second = TestData.random(SIZE, 2);
        Files.write(dir.resolve("first.bin"), first);
        Files.write(dir.resolve("second.bin"), second);
        try (FerrydProcess a = node("node-a"); FerrydProcess b = node("node-b")) {
            for (int round = 0; round < 3; round++) {
                Process up1 = Proc.begin(sftp(a, SLOW, "put first.bin same.bin"), dir);
                Process up2 = Proc.begin(sftp(b, SLOW, "put second.bin same.bin"), dir);
                assertEquals(0, Proc.finish(up1).exit(), "the upload through node a");
                assertEquals(0, Proc.finish(up2).exit(), "the upload through node b");
                byte[] landed = Files.readAllBytes(root.resolve("same.bin"));
                assertTrue(Arrays.equals(first, landed) || Arrays.equals(second, landed),
                        "round " + round + ": same.bin is neither upload whole (" + landed.length + " bytes)");
                assertEquals(List.of("same.bin"), namesIn(root), "no temporary file is left");
            }
            // either node serves what the other wrote, under the one host key
            Proc.Result fromB = Proc.run(sftp(b, null, "get same.bin back.bin"), dir, 60);
            assertEquals(0, fromB.exit(), fromB.all());
            assertArrayEquals(Files.readAllBytes(root.resolve("same.bin")), Files.readAllBytes(dir.resolve("back.bin")));
        }
    }

    @Test
    void aNodeKilledMidUploadLeavesTheOldFileAndTheOtherNodeServes() throws Exception {
        shared();
        byte[] old = "the old file\n".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("data.bin"), old);
        Files.write(dir.resolve("new.bin"), TestData.random(SIZE, 3));
        try (FerrydProcess a = node("node-a"); FerrydProcess b = node("node-b")) {
            Process upload = Proc.begin(sftp(a, SLOW, "put new.bin data.bin"), dir);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (namesIn(root).stream().noneMatch(n -> n.contains(".ferry-sftp-"))) {
                assertTrue(System.nanoTime() < deadline, "the upload did not start");
                Thread.sleep(20);
            }
            a.kill();
            assertTrue(Proc.finish(upload).exit() != 0, "the client saw its node go");
            assertArrayEquals(old, Files.readAllBytes(root.resolve("data.bin")));

            Proc.Result throughB = Proc.run(sftp(b, null, "put new.bin data.bin"), dir, 60);
            assertEquals(0, throughB.exit(), throughB.all());
            assertArrayEquals(Files.readAllBytes(dir.resolve("new.bin")), Files.readAllBytes(root.resolve("data.bin")));
        }
        // node a's temporary file is removed when node a starts again (its journal of uploads in flight)
        try (FerrydProcess again = node("node-a")) {
            again.awaitStderr("leftover-removed", 20);
            assertEquals(List.of("data.bin"), namesIn(root));
        }
    }
}
