package dev.ferry.server.quota;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.fs.QuotaExceededException;
import dev.ferry.fs.SpaceAccount;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserLimits;
import dev.ferry.server.fs.ConfinedFileSystemProvider;
import dev.ferry.server.fs.FsPolicy;

/**
 * The tracker on a real confined file system: alice's root walked at the start, then every change
 * made through the file system counted, and what would pass her quota refused before it happens.
 */
class QuotaTrackerTest {

    @TempDir
    Path tmp;
    Path root;
    final AtomicReference<UserLimits> limits = new AtomicReference<>(quota(100, 3));
    QuotaTracker tracker;

    private static UserLimits quota(long bytes, long files) {
        return new UserLimits(bytes, files, 0, 0, 0);
    }

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectory(tmp.toRealPath().resolve("alice"));
        tracker = new QuotaTracker(name -> name.equals("alice") ? limits.get() : UserLimits.NONE);
    }

    private UserAccount alice() {
        return UserAccount.withKeys("alice", root, List.of(), FsPolicy.DEFAULT).withLimits(limits.get());
    }

    private FileSystem confined() throws IOException {
        return new ConfinedFileSystemProvider(FsPolicy.DEFAULT, tracker.account(alice())).newFileSystem(root);
    }

    private Tally usage() {
        return tracker.usage("alice").orElseThrow().tally();
    }

    private static void write(FileSystem fs, String name, int bytes) throws IOException {
        try (FileChannel c = FileChannel.open(fs.getPath(name), CREATE, WRITE, TRUNCATE_EXISTING)) {
            c.write(ByteBuffer.allocate(bytes));
        }
    }

    @Test
    void theScanCountsRegularFilesAndTheirBytesButNotLinksOrDirectories() throws IOException {
        Files.write(root.resolve("a"), new byte[10]);
        Files.createDirectories(root.resolve("d/e"));
        Files.write(root.resolve("d/e/b"), new byte[20]);
        Files.write(root.resolve("d/.b.ferry-sftp-0123abcd"), new byte[5]); // a temporary takes space too
        Path outside = Files.write(tmp.resolve("outside"), new byte[1000]);
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("d/up"), root); // a loop, were links followed

        tracker.scan(List.of(alice()));

        assertEquals(new Tally(35, 3), usage());
    }

    @Test
    void aWritePastTheByteQuotaIsRefusedAndWritesNothing() throws IOException {
        tracker.scan(List.of(alice()));
        FileSystem fs = confined();
        try (FileChannel c = FileChannel.open(fs.getPath("/f"), CREATE_NEW, WRITE)) {
            c.write(ByteBuffer.allocate(60));
            QuotaExceededException e = assertThrows(QuotaExceededException.class,
                    () -> c.write(ByteBuffer.allocate(41)));
            assertEquals("quota exceeded: 100 B for alice", e.getMessage());
            assertEquals("/f", e.path());
            assertEquals("bytes", e.limit());
            assertEquals(60, e.used());
            assertEquals(60, c.size());
            // every later write that grows the file: the same refusal, reported once
            assertSame(e, assertThrows(QuotaExceededException.class, () -> c.write(ByteBuffer.allocate(1))));
            assertTrue(e.firstReport());
            assertFalse(e.firstReport());
            c.write(ByteBuffer.allocate(10), 0); // inside the file: nothing grows
        }
        assertEquals(new Tally(60, 1), usage());
    }

    @Test
    void aNewFilePastTheFileQuotaIsRefusedAndADeleteMakesRoom() throws IOException {
        tracker.scan(List.of(alice()));
        FileSystem fs = confined();
        for (String name : List.of("/a", "/b", "/c")) {
            write(fs, name, 1);
        }
        QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> write(fs, "/d", 1));
        assertEquals("quota exceeded: 3 files for alice", e.getMessage());
        assertFalse(Files.exists(root.resolve("d")));
        write(fs, "/c", 2); // rewriting a file needs no new place

        Files.delete(fs.getPath("/a"));
        write(fs, "/d", 1);
        assertEquals(new Tally(4, 3), usage());
    }

    @Test
    void truncatingAndRenamingOverAFileFreeItsBytes() throws IOException {
        tracker.scan(List.of(alice()));
        FileSystem fs = confined();
        write(fs, "/a", 50);
        write(fs, "/a", 30); // opened with TRUNCATE_EXISTING: 50 freed, 30 taken
        assertEquals(new Tally(30, 1), usage());
        write(fs, "/b", 20);
        Files.move(fs.getPath("/b"), fs.getPath("/a"), StandardCopyOption.REPLACE_EXISTING);
        assertEquals(new Tally(20, 1), usage());
        try (FileChannel c = FileChannel.open(fs.getPath("/a"), WRITE)) {
            c.truncate(5);
        }
        assertEquals(new Tally(5, 1), usage());
        assertEquals(Tally.of(root), usage());
    }

    @Test
    void aReplacementNeedsRoomForTheNewCopyOnly() throws IOException {
        tracker.scan(List.of(alice()));
        FileSystem fs = confined();
        write(fs, "/a", 70);
        write(fs, "/b", 20);
        write(fs, "/c", 1); // three files: the file quota is full too
        Path temp = fs.getPath("/.a.ferry-sftp-0123abcd");
        // As an atomic upload writes: a temporary beside the target, renamed over it.
        try (ConfinedFileSystemProvider.Request r = ConfinedFileSystemProvider.replacing("/a", 70);
                FileChannel c = FileChannel.open(temp, CREATE_NEW, WRITE)) {
            c.write(ByteBuffer.allocate(79)); // 91 + 79 held for a moment, 100 - 70 + 79 in the end
            QuotaExceededException e = assertThrows(QuotaExceededException.class,
                    () -> c.write(ByteBuffer.allocate(1)));
            assertEquals("/a", e.path());
        }
        Files.move(temp, fs.getPath("/a"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(new Tally(100, 3), usage());
        // without the replacement, the same temporary is a new file
        assertThrows(QuotaExceededException.class, () -> FileChannel.open(temp, CREATE_NEW, WRITE).close());
        assertEquals(Tally.of(root), usage());
    }

    @Test
    void twoHandlesExtendingOneFileCountWhatItGrewBy() throws IOException {
        limits.set(quota(1000, 0));
        tracker.scan(List.of(alice()));
        FileSystem fs = confined();
        try (FileChannel a = FileChannel.open(fs.getPath("/f"), CREATE, WRITE);
                FileChannel b = FileChannel.open(fs.getPath("/f"), WRITE)) {
            b.write(ByteBuffer.allocate(400), 400); // the second half first, as parallel ranges may
            a.write(ByteBuffer.allocate(400), 0);
        }
        assertEquals(new Tally(800, 1), usage());
    }

    @Test
    void aCopyAndAHardLinkCountAsNewFiles() throws IOException {
        limits.set(quota(100, 0));
        tracker.scan(List.of(alice()));
        FileSystem fs = new ConfinedFileSystemProvider(new FsPolicy(false, 022, true), tracker.account(alice()))
                .newFileSystem(root);
        write(fs, "/a", 40);
        Files.copy(fs.getPath("/a"), fs.getPath("/b"));
        assertEquals(new Tally(80, 2), usage());
        assertThrows(QuotaExceededException.class, () -> Files.copy(fs.getPath("/a"), fs.getPath("/c")));
        assertThrows(QuotaExceededException.class, () -> Files.createLink(fs.getPath("/c"), fs.getPath("/a")));
        assertFalse(Files.exists(root.resolve("c")));
        Files.copy(fs.getPath("/a"), fs.getPath("/b"), StandardCopyOption.REPLACE_EXISTING); // over itself in size
        assertEquals(Tally.of(root), usage());
    }

    @Test
    void aQuotaChangedWhileServingAppliesAtTheNextCheck() throws IOException {
        tracker.scan(List.of(alice()));
        FileSystem fs = confined();
        write(fs, "/a", 90);
        limits.set(quota(200, 0));
        write(fs, "/b", 90);
        limits.set(quota(100, 0));
        assertThrows(QuotaExceededException.class, () -> write(fs, "/c", 1));
    }

    @Test
    void aRescanStartsTheCountAgainFromTheDisk() throws IOException {
        tracker.scan(List.of(alice()));
        SpaceAccount account = tracker.account(alice());
        Files.write(root.resolve("made-beside"), new byte[42]); // by someone else than the server
        assertEquals(new Tally(0, 0), usage());
        tracker.rescan("alice", root);
        assertEquals(new Tally(42, 1), usage());
        assertSame(account, tracker.account(alice()), "open sessions go on counting on the same usage");
    }

    @Test
    void aUserWithoutAQuotaIsNeitherWalkedNorCounted() throws IOException {
        limits.set(UserLimits.NONE);
        tracker.scan(List.of(alice()));
        assertEquals(Optional.empty(), tracker.usage("alice"));
        assertFalse(tracker.account(alice()).counts());
    }

    @Test
    void sizesAndTheScanLineReadAsAUserWritesThem() {
        assertEquals("340 B", Tally.size(340));
        assertEquals("10 GiB", Tally.size(10L << 30));
        assertEquals("1.2 GiB", Tally.size((long) (1.2 * (1L << 30))));
        assertEquals("alice: 1.2 GiB in 340 files (quota 10 GiB, 1000 files)",
                Usage.describe("alice", new Tally((long) (1.2 * (1L << 30)), 340), quota(10L << 30, 1000)));
        assertEquals("bob: 0 B in 1 file (no quota)", Usage.describe("bob", new Tally(0, 1), UserLimits.NONE));
        assertEquals("carol: 5 B in 2 files (quota 10 GiB, unlimited files)",
                Usage.describe("carol", new Tally(5, 2), quota(10L << 30, 0)));
    }
}
