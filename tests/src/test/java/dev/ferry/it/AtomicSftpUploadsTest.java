package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;

/**
 * ferryd writes an SFTP upload that replaces a file into a temporary file renamed at the client's
 * close: what stock clients rely on still holds (the old file's mode, {@code put -p}'s time,
 * {@code reput}, scp's truncation), a link at the target is replaced rather than written through,
 * and the transfer is logged under the target's name.
 */
class AtomicSftpUploadsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private final OpenSsh openssh = new OpenSsh(ferryd);

    private static Path root() {
        return ferryd.rootOf("alice");
    }

    private static List<String> temporaries() throws Exception {
        try (Stream<Path> files = Files.list(root())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".ferry-")).toList();
        }
    }

    @Test
    void putReplacesAFileWholeKeepsItsModeAndIsLoggedUnderItsName() throws Exception {
        Path local = ferryd.newLocalDir();
        Path old = Files.writeString(root().resolve("mode.txt"), "old contents, longer than the new\n");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(local.resolve("mode.txt"), "new\n");
        Proc.Result r = openssh.sftp("alice", local, "put mode.txt");
        assertEquals(0, r.exit(), r.all());
        assertEquals("new\n", Files.readString(old));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(old)),
                "as written in place: the old file's mode");
        assertEquals(4, ferryd.lastTransfer("/mode.txt").orElseThrow().bytes());
        assertEquals(List.of(), temporaries());
    }

    @Test
    void putWithPreserveGivesTheNewFileTheSourcesTime() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(root().resolve("timed.txt"), "old\n");
        Path source = Files.writeString(local.resolve("timed.txt"), "new, with its time\n");
        FileTime then = FileTime.from(Instant.parse("2001-02-03T04:05:06Z"));
        Files.setLastModifiedTime(source, then);
        Proc.Result r = openssh.sftp("alice", local, "put -p timed.txt");
        assertEquals(0, r.exit(), r.all());
        assertEquals("new, with its time\n", Files.readString(root().resolve("timed.txt")));
        assertEquals(then, Files.getLastModifiedTime(root().resolve("timed.txt")));
    }

    @Test
    void reputStillContinuesAPartialFileInPlace() throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = TestData.random(3 << 20, 5);
        Files.write(local.resolve("resumed.bin"), data);
        Files.write(root().resolve("resumed.bin"), Arrays.copyOf(data, 1 << 20));
        Proc.Result r = openssh.sftp("alice", local, "reput resumed.bin");
        assertEquals(0, r.exit(), r.all());
        assertArrayEquals(data, Files.readAllBytes(root().resolve("resumed.bin")));
        assertEquals(2 << 20, ferryd.lastTransfer("/resumed.bin").orElseThrow().bytes(), "only the missing part");
    }

    @Test
    void scpOverSftpReplacesALargerFileExactly() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(root().resolve("shrunk.bin"), TestData.random(2 << 20, 6));
        byte[] smaller = TestData.random(300_000, 7);
        Files.write(local.resolve("shrunk.bin"), smaller);
        Proc.Result r = openssh.scp(local, "shrunk.bin", openssh.remote("alice", "shrunk.bin"));
        assertEquals(0, r.exit(), r.all());
        assertFalse(r.err().contains("fsetstat"), r.all());
        assertArrayEquals(smaller, Files.readAllBytes(root().resolve("shrunk.bin")));
        assertEquals(List.of(), temporaries());
    }

    @Test
    void aLinkAtTheTargetIsReplacedNotWrittenThrough() throws Exception {
        Path local = ferryd.newLocalDir();
        Path inner = Files.writeString(root().resolve("linked-inner.txt"), "the link's target\n");
        Path link = Files.createSymbolicLink(root().resolve("linked.txt"), inner.getFileName());
        Files.writeString(local.resolve("linked.txt"), "uploaded\n");
        Proc.Result r = openssh.sftp("alice", local, "put linked.txt");
        assertEquals(0, r.exit(), r.all());
        assertFalse(Files.isSymbolicLink(link));
        assertTrue(Files.isRegularFile(link, LinkOption.NOFOLLOW_LINKS));
        assertEquals("uploaded\n", Files.readString(link));
        assertEquals("the link's target\n", Files.readString(inner));
    }
}
