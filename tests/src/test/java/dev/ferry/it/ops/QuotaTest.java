package dev.ferry.it.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;
import dev.ferry.server.auth.UserLimits;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.quota.Tally;

/**
 * Per-user quotas as clients meet them: an upload that would pass the quota fails with the reason,
 * over SFTP ({@code sftp put}, {@code scp}, {@code ferry cp}), SCP ({@code scp -O}) and the delta
 * subsystem ({@code ferry sync}); the old file stays as it was, no temporary file is left, and the
 * refusal is logged once. A replacement needs room for the new copy only; a delete makes room.
 * Each test has a user of its own, whose count is checked against a walk of the root at the end.
 */
class QuotaTest {

    private static final long MIB = 1 << 20;

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture()
            .user("q-sftp", bytes(MIB))
            .user("q-files", new UserLimits(0, 2, 0, 0, 0))
            .user("q-scp", bytes(MIB))
            .user("q-scp-legacy", bytes(MIB))
            .user("q-cp", bytes(MIB))
            .user("q-sync", bytes(MIB))
            .user("q-java", bytes(MIB));

    private final OpenSsh openssh = new OpenSsh(ferryd);

    private static UserLimits bytes(long quota) {
        return new UserLimits(quota, 0, 0, 0, 0);
    }

    /** {@code name} in {@code user}'s root, planted there beside the server (then counted by a rescan). */
    private static byte[] plant(String user, String name, int size) throws IOException {
        byte[] data = TestData.random(size, name.hashCode());
        Files.write(ferryd.rootOf(user).resolve(name), data);
        ferryd.server().rescan(user);
        return data;
    }

    private static Path local(String name, int size) throws IOException {
        Path dir = ferryd.newLocalDir();
        Files.write(dir.resolve(name), TestData.random(size, size));
        return dir;
    }

    /** Ferry's temporary files anywhere in {@code user}'s root. */
    private static List<String> temporaries(String user) throws IOException {
        try (Stream<Path> files = Files.walk(ferryd.rootOf(user))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".ferry-")).toList();
        }
    }

    private static List<ServerEvent.QuotaExceeded> refusals(String user) {
        return ferryd.events(ServerEvent.QuotaExceeded.class).stream().filter(e -> e.user().equals(user)).toList();
    }

    /** The one refusal logged for {@code user}, which came over {@code protocol}. */
    private static ServerEvent.QuotaExceeded refusedOnce(String user, String protocol) {
        List<ServerEvent.QuotaExceeded> refused = refusals(user);
        assertEquals(1, refused.size(), refused.toString());
        assertEquals(protocol, refused.get(0).protocol());
        return refused.get(0);
    }

    /** The server's count of {@code user} is what a walk of the root finds. */
    private static void assertCountedRight(String user) throws IOException {
        assertEquals(Tally.of(ferryd.rootOf(user)), ferryd.server().quotas().usage(user).orElseThrow().tally());
    }

    @Test
    void sftpPutPastTheQuotaFailsAndLeavesTheOldFileWhole() throws Exception {
        byte[] old = plant("q-sftp", "data.bin", 200 * 1024);
        Path local = local("big.bin", (int) (2 * MIB));

        Proc.Result r = openssh.sftp("q-sftp", local, "put big.bin data.bin");

        assertNotEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("data.bin"), r.all());
        assertArrayEquals(old, Files.readAllBytes(ferryd.rootOf("q-sftp").resolve("data.bin")));
        assertEquals(List.of(), temporaries("q-sftp"));
        ServerEvent.QuotaExceeded refused = refusedOnce("q-sftp", "sftp");
        assertEquals("/data.bin", refused.path());
        assertEquals("bytes", refused.limit());
        assertEquals(MIB, refused.quota());
        assertCountedRight("q-sftp");

        // 900 KiB over the 200 KiB file: room for the new copy only is needed, not for both
        Path fits = local("fits.bin", 900 * 1024);
        Proc.Result replaced = openssh.sftp("q-sftp", fits, "put fits.bin data.bin");
        assertEquals(0, replaced.exit(), replaced.all());
        assertEquals(900 * 1024, Files.size(ferryd.rootOf("q-sftp").resolve("data.bin")));
        assertCountedRight("q-sftp");
    }

    /**
     * What a client that knows SFTP's later status codes sees: the write that would pass the quota
     * is SSH_FX_QUOTA_EXCEEDED with the sentence; the upload is dropped though the client closes
     * its handle as if all went well.
     */
    @Test
    void aWritePastTheQuotaIsStatusQuotaExceededAndTheCloseDropsTheUpload() throws Exception {
        byte[] old = plant("q-java", "data.bin", 100 * 1024);
        SshClient client = ferryd.newClient();
        try (ClientSession session = ferryd.login(client, "q-java");
                SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            SftpClient.CloseableHandle handle = sftp.open("data.bin", SftpClient.OpenMode.Write,
                    SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate);
            byte[] chunk = new byte[200 * 1024];
            for (int i = 0; i < 3; i++) {
                sftp.write(handle, (long) i * chunk.length, chunk);
            }
            assertEquals(List.of("data.bin"), Stream.of(ferryd.rootOf("q-java").toFile().list())
                    .filter(n -> !n.contains(".ferry-")).toList());
            SftpException refused = assertThrows(SftpException.class,
                    () -> sftp.write(handle, 3L * chunk.length, new byte[500 * 1024])); // a new copy of 1100 KiB
            assertEquals(SftpConstants.SSH_FX_QUOTA_EXCEEDED, refused.getStatus());
            assertEquals("quota exceeded: 1 MiB for q-java", refused.getMessage());
            assertThrows(SftpException.class, handle::close);
        } finally {
            client.stop();
        }
        assertArrayEquals(old, Files.readAllBytes(ferryd.rootOf("q-java").resolve("data.bin")));
        assertEquals(List.of(), temporaries("q-java"));
        refusedOnce("q-java", "sftp");
        assertCountedRight("q-java");
    }

    @Test
    void theFileQuotaRefusesANewFileNotAReplacementAndADeleteMakesRoom() throws Exception {
        plant("q-files", "a.txt", 10);
        plant("q-files", "b.txt", 10);
        Path local = local("c.txt", 20);
        Files.writeString(local.resolve("a.txt"), "new a\n");

        Proc.Result refused = openssh.sftp("q-files", local, "put c.txt");
        assertNotEquals(0, refused.exit(), refused.all());
        assertTrue(Files.notExists(ferryd.rootOf("q-files").resolve("c.txt")));
        assertEquals("files", refusals("q-files").get(0).limit());

        Proc.Result replaced = openssh.sftp("q-files", local, "put a.txt");
        assertEquals(0, replaced.exit(), replaced.all());
        assertEquals("new a\n", Files.readString(ferryd.rootOf("q-files").resolve("a.txt")));

        Proc.Result after = openssh.sftp("q-files", local, "rm b.txt", "put c.txt");
        assertEquals(0, after.exit(), after.all());
        assertTrue(Files.exists(ferryd.rootOf("q-files").resolve("c.txt")));
        assertEquals(1, refusals("q-files").size());
        assertCountedRight("q-files");
    }

    /** scp over SFTP (OpenSSH's default) and the legacy protocol, whose C line announces the size. */
    @ParameterizedTest(name = "scp {0}")
    @ValueSource(strings = {"", "-O"})
    void scpPastTheQuotaFailsAndLeavesTheOldFileWhole(String flag) throws Exception {
        String user = flag.isEmpty() ? "q-scp" : "q-scp-legacy";
        byte[] old = plant(user, "data.bin", 100 * 1024);
        Path local = local("big.bin", (int) (2 * MIB));
        List<String> args = new ArrayList<>();
        if (!flag.isEmpty()) {
            args.add(flag);
        }
        args.addAll(List.of("big.bin", openssh.remote(user, "data.bin")));

        Proc.Result r = openssh.scp(local, args.toArray(String[]::new));

        assertNotEquals(0, r.exit(), r.all());
        if (!flag.isEmpty()) { // the legacy protocol carries the server's sentence
            assertTrue(r.err().contains("/data.bin: quota exceeded: 1 MiB for " + user), r.all());
        }
        assertArrayEquals(old, Files.readAllBytes(ferryd.rootOf(user).resolve("data.bin")));
        assertEquals(List.of(), temporaries(user));
        refusedOnce(user, flag.isEmpty() ? "sftp" : "scp");
        assertCountedRight(user);

        Files.delete(local.resolve("big.bin"));
        Files.write(local.resolve("big.bin"), TestData.random(500 * 1024, 3));
        Proc.Result fits = openssh.scp(local, args.toArray(String[]::new));
        assertEquals(0, fits.exit(), fits.all());
        assertCountedRight(user);
    }

    @Test
    void ferryCpPastTheQuotaSaysSoAndLeavesTheOldFileWhole() throws Exception {
        byte[] old = plant("q-cp", "data.bin", 100 * 1024);
        Path local = local("big.bin", (int) (2 * MIB));
        List<String> args = new ArrayList<>(List.of("cp"));
        args.addAll(ferryd.ferryOptions());
        args.addAll(List.of("big.bin", "q-cp@127.0.0.1:data.bin"));

        Proc.Result r = FerryCli.run(local, args.toArray(String[]::new));

        assertNotEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("quota exceeded: 1 MiB for q-cp"), r.all());
        assertArrayEquals(old, Files.readAllBytes(ferryd.rootOf("q-cp").resolve("data.bin")));
        assertEquals(List.of(), temporaries("q-cp"));
        refusedOnce("q-cp", "sftp");
        assertCountedRight("q-cp");
    }

    @Test
    void ferrySyncPastTheQuotaSaysSoAndLeavesTheOldFileWhole() throws Exception {
        byte[] old = plant("q-sync", "data.bin", 100 * 1024);
        Path local = ferryd.newLocalDir();
        Path tree = Files.createDirectories(local.resolve("tree"));
        Files.write(tree.resolve("data.bin"), TestData.random((int) (2 * MIB), 7));
        List<String> args = new ArrayList<>(List.of("sync"));
        args.addAll(ferryd.ferryOptions());
        args.addAll(List.of("-r", "tree/", "q-sync@127.0.0.1:/"));

        Proc.Result r = FerryCli.run(local, args.toArray(String[]::new));

        assertNotEquals(0, r.exit(), r.all());
        assertTrue(r.err().contains("quota exceeded: 1 MiB for q-sync"), r.all());
        assertArrayEquals(old, Files.readAllBytes(ferryd.rootOf("q-sync").resolve("data.bin")));
        assertEquals(List.of(), temporaries("q-sync"));
        assertEquals("/data.bin", refusedOnce("q-sync", "delta").path());
        assertCountedRight("q-sync");

        // a smaller new version fits once the old file is counted as replaced
        Files.write(tree.resolve("data.bin"), TestData.random(700 * 1024, 8));
        Proc.Result fits = FerryCli.run(local, args.toArray(String[]::new));
        assertEquals(0, fits.exit(), fits.all());
        assertCountedRight("q-sync");
    }

    @Test
    void quotaScanPrintsWhatARootHoldsAgainstTheQuota() throws Exception {
        Path dir = ferryd.newLocalDir();
        Path root = Files.createDirectories(dir.resolve("carol-files/sub"));
        Files.write(root.resolve("a.bin"), new byte[3 * 1024]);
        Files.write(root.resolve("b.bin"), new byte[1024]);
        Proc.Result add = FerrydProcess.run(dir, "pass phrase\n".getBytes(StandardCharsets.UTF_8),
                "user", "add", "carol", "--root", dir.resolve("carol-files").toString(), "--password-stdin");
        assertEquals(0, add.exit(), add.all());
        Path users = dir.resolve("ferry-data/users.yaml");
        Files.writeString(users, Files.readString(users) + "    quota: {bytes: 10M, files: 1000}\n");

        Proc.Result scan = FerrydProcess.run(dir, null, "user", "quota-scan", "carol");

        assertEquals(0, scan.exit(), scan.all());
        assertEquals("carol: 4 KiB in 2 files (quota 10 MiB, 1000 files)", scan.out().strip());
        Proc.Result unknown = FerrydProcess.run(dir, null, "user", "quota-scan", "nobody");
        assertNotEquals(0, unknown.exit(), unknown.all());
    }
}
