package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;

/**
 * A source file that another process appends to, truncates or rewrites while ferry cp or ferry sync
 * reads it, as GNU tar's "file changed as we read it": the file is one sentence naming it, the
 * target keeps its old content (no partial file takes its name, none is left beside it), the other
 * files of a tree still go, and the exit code is 1. Each change is made once the copy is under way
 * (its temporary file beside the target holds some bytes); a copy that ended before the change is
 * a failed test, not a pass.
 */
class ChangingSourceTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();

    private static final String CHANGED = ": changed while it was being copied; the copy was not kept";
    private static final byte[] OLD = "the old content\n".getBytes();
    /** A throttled copy's size and rate (-l, Kbit/s): over a second and a half, time for the change. */
    private static final int SLOW_MIB = 24;
    private static final String RATE = "128000";
    /** An unthrottled copy's size: large enough to be read for a while on loopback. */
    private static final int FAST_MIB = 256;

    private final List<Path> shm = new ArrayList<>();

    /** A change another process makes to the file being read. */
    enum Change {
        APPEND, TRUNCATE, OVERWRITE;

        void apply(Path file) throws IOException {
            switch (this) {
                case APPEND -> {
                    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                        out.write(new byte[1 << 20]);
                    }
                }
                case TRUNCATE -> {
                    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                        f.setLength(f.length() / 2);
                    }
                }
                case OVERWRITE -> { // the same size, a part already read: only the time tells
                    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                        f.write(new byte[4096]);
                    }
                }
            }
        }
    }

    @AfterEach
    void removeShm() throws IOException {
        for (Path dir : shm) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        shm.clear();
    }

    /** A directory on /dev/shm (the source's reads are never the slow part), removed after the test. */
    private Path shmDir() throws IOException {
        Path base = Path.of("/dev/shm");
        Path dir = Files.createTempDirectory(Files.isDirectory(base) ? base : Path.of(System.getProperty("java.io.tmpdir")),
                "ferry-changing-");
        shm.add(dir);
        return dir;
    }

    /** {@code mib} MiB of seeded data, dated an hour back (SFTP's times are in seconds). */
    private static Path big(Path file, int mib, long seed) throws IOException {
        byte[] block = new byte[1 << 20];
        Random random = new Random(seed);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
        return file;
    }

    /** Whether a temporary file of {@code name}'s copy in {@code dir} holds at least 1 MiB. */
    private static Supplier<Boolean> underWay(Path dir, String name) {
        return underWay(dir, "." + name + ".ferry-", 1 << 20);
    }

    /** Whether a file in {@code dir} whose name starts with {@code prefix} holds at least {@code bytes}. */
    private static Supplier<Boolean> underWay(Path dir, String prefix, long bytes) {
        return () -> {
            try (Stream<Path> entries = Files.list(dir)) {
                return entries.anyMatch(p -> p.getFileName().toString().startsWith(prefix)
                        && p.toFile().length() >= bytes);
            } catch (IOException e) {
                return false;
            }
        };
    }

    /** Runs {@code copy}; once {@code started}, changes {@code file}. Fails if the change came too late. */
    private static Proc.Result whileChanging(Path file, Change change, Supplier<Boolean> started,
            Supplier<Proc.Result> copy) throws Exception {
        CompletableFuture<Boolean> changed = CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (started.get()) {
                    try {
                        change.apply(file);
                        return true;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                LockSupport.parkNanos(200_000);
            }
            return false;
        });
        Proc.Result r = copy.get();
        assertTrue(changed.get(70, TimeUnit.SECONDS), "the change was made while the copy ran: " + r.all());
        return r;
    }

    private static void assertOneSentence(Proc.Result r, String name) {
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains(name + CHANGED), r.all());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.all());
    }

    /** Nothing named after {@code name}'s copy is left in {@code dir}, and {@code name} holds what it held. */
    private static void assertOldKept(Path dir, String name, byte[] old) throws IOException {
        assertArrayEquals(old, Files.readAllBytes(dir.resolve(name)), name + " kept its old content");
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> left = entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("." + name + ".")).toList();
            assertEquals(List.of(), left, "no temporary file left beside " + name);
        }
    }

    private static Proc.Result ferry(Path cwd, List<String> connection, String command, String... rest) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(connection);
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    // ---- ferry cp, uploads --------------------------------------------------------------------

    private void uploadToFerryd(Change change, String name, String... options) throws Exception {
        Path local = shmDir();
        Path source = big(local.resolve(name), SLOW_MIB, 1);
        Path root = ferryd.rootOf("alice");
        Files.write(root.resolve(name), OLD);
        List<String> rest = new ArrayList<>(List.of(options));
        rest.addAll(List.of("-l", RATE, source.toString(), "alice@127.0.0.1:" + name));
        // ferryd's SCP writes to a temporary file of its own naming (AtomicScpFileOpener)
        Supplier<Boolean> started = rest.contains("-O") ? underWay(root, ".ferry-upload-", 1 << 20) : underWay(root, name);
        Proc.Result r = whileChanging(source, change, started,
                () -> ferry(local, ferryd.ferryOptions(), "cp", rest.toArray(String[]::new)));
        assertOneSentence(r, source.toString());
        assertOldKept(root, name, OLD);
        if (rest.contains("-O")) {
            try (Stream<Path> entries = Files.list(root)) {
                assertFalse(entries.anyMatch(p -> p.getFileName().toString().startsWith(".ferry-upload-")),
                        "ferryd dropped its temporary file");
            }
        }
    }

    @Test
    void anUploadOfAFileAppendedToWhileItIsReadIsNotKept() throws Exception {
        uploadToFerryd(Change.APPEND, "appended.bin");
    }

    @Test
    void anUploadOfAFileTruncatedWhileItIsReadIsNotKeptAndDoesNotHang() throws Exception {
        uploadToFerryd(Change.TRUNCATE, "truncated.bin");
    }

    @Test
    void anUploadOfAFileRewrittenInPlaceWhileItIsReadIsNotKept() throws Exception {
        uploadToFerryd(Change.OVERWRITE, "rewritten.bin");
    }

    @Test
    void aLegacyScpUploadOfAChangedFileLeavesFerrydsOldFile() throws Exception {
        uploadToFerryd(Change.TRUNCATE, "scp-truncated.bin", "-O");
    }

    @Test
    void aLegacyScpUploadOfAGrowingFileLeavesFerrydsOldFile() throws Exception {
        uploadToFerryd(Change.APPEND, "scp-appended.bin", "-O");
    }

    @Test
    void aResumableUploadKeepsItsVerifiablePartialFileAndNotTheTarget() throws Exception {
        Path local = shmDir();
        String name = "resumable.bin";
        Path source = big(local.resolve(name), SLOW_MIB, 2);
        Path root = ferryd.rootOf("alice");
        Files.write(root.resolve(name), OLD);
        Proc.Result r = whileChanging(source, Change.OVERWRITE, underWay(root, name),
                () -> ferry(local, ferryd.ferryOptions(), "cp", "--resume", "-l", RATE, source.toString(),
                        "alice@127.0.0.1:" + name));
        assertOneSentence(r, source.toString());
        assertArrayEquals(OLD, Files.readAllBytes(root.resolve(name)));
        Path part = root.resolve("." + name + ".ferry-part");
        assertTrue(Files.exists(part), "kept for --resume, which reuses only the prefix that matches");
        Proc.Result again = ferry(local, ferryd.ferryOptions(), "cp", "--resume", source.toString(),
                "alice@127.0.0.1:" + name);
        assertEquals(0, again.exit(), again.all());
        assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(root.resolve(name)));
        assertFalse(Files.exists(part));
    }

    @Test
    void anUploadToOpenSshOfAFileAppendedToIsNotKept() throws Exception {
        Path local = shmDir();
        String name = "to-sshd.bin";
        Path source = big(local.resolve(name), SLOW_MIB, 3);
        Path remote = Files.createDirectories(sshd.root().resolve("changing-up"));
        Files.write(remote.resolve(name), OLD);
        Proc.Result r = whileChanging(source, Change.APPEND, underWay(remote, name),
                () -> ferry(local, sshd.ferryOptions(), "cp", "-l", RATE, source.toString(),
                        sshd.user() + "@127.0.0.1:" + remote.resolve(name)));
        assertOneSentence(r, source.toString());
        assertOldKept(remote, name, OLD);
    }

    @Test
    void aTreeGoesOnPastAFileThatChangesWhileItIsRead() throws Exception {
        Path local = shmDir();
        Path tree = Files.createDirectories(local.resolve("tree"));
        for (int i = 0; i < 20; i++) {
            Files.writeString(tree.resolve("small-" + i + ".txt"), "file " + i + "\n");
        }
        Path source = big(tree.resolve("big.bin"), FAST_MIB, 4);
        Path root = ferryd.rootOf("alice");
        Path target = Files.createDirectories(root.resolve("tree-dst"));
        Files.write(target.resolve("big.bin"), OLD);
        // no -l: the tree goes as one pipelined batch (TreeUpload), big.bin first in name order
        Proc.Result r = whileChanging(source, Change.OVERWRITE, underWay(target, "big.bin"),
                () -> ferry(local, ferryd.ferryOptions(), "cp", "-r", "tree/.", "alice@127.0.0.1:tree-dst"));
        assertOneSentence(r, "big.bin");
        assertOldKept(target, "big.bin", OLD);
        for (int i = 0; i < 20; i++) {
            assertEquals("file " + i + "\n", Files.readString(target.resolve("small-" + i + ".txt")));
        }
    }

    // ---- ferry cp, downloads ------------------------------------------------------------------

    private void downloadFromFerryd(Change change, String name, int mib, String... options) throws Exception {
        Path local = shmDir();
        Path root = ferryd.rootOf("alice");
        Path source = big(root.resolve(name), mib, 5);
        Files.write(local.resolve(name), OLD);
        List<String> rest = new ArrayList<>(List.of(options));
        rest.addAll(List.of("alice@127.0.0.1:" + name, local.resolve(name).toString()));
        Proc.Result r = whileChanging(source, change, underWay(local, name),
                () -> ferry(local, ferryd.ferryOptions(), "cp", rest.toArray(String[]::new)));
        assertOneSentence(r, "alice@127.0.0.1:" + name);
        assertOldKept(local, name, OLD);
    }

    @Test
    void aThrottledDownloadOfAFileAppendedToOnTheServerIsNotKept() throws Exception {
        downloadFromFerryd(Change.APPEND, "down-appended.bin", SLOW_MIB, "-l", RATE);
    }

    @Test
    void aPipelinedDownloadOfAFileRewrittenOnTheServerIsNotKept() throws Exception {
        downloadFromFerryd(Change.OVERWRITE, "down-rewritten.bin", FAST_MIB);
    }

    @Test
    void aPipelinedDownloadOfAFileTruncatedOnTheServerIsNotKept() throws Exception {
        downloadFromFerryd(Change.TRUNCATE, "down-truncated.bin", FAST_MIB);
    }

    @Test
    void aDownloadFromOpenSshOfAFileRewrittenThereIsNotKept() throws Exception {
        Path local = shmDir();
        String name = "from-sshd.bin";
        Path remote = Files.createDirectories(sshd.root().resolve("changing-down"));
        Path source = big(remote.resolve(name), SLOW_MIB, 6);
        Files.write(local.resolve(name), OLD);
        Proc.Result r = whileChanging(source, Change.OVERWRITE, underWay(local, name),
                () -> ferry(local, sshd.ferryOptions(), "cp", "-l", RATE,
                        sshd.user() + "@127.0.0.1:" + source, local.resolve(name).toString()));
        assertOneSentence(r, sshd.user() + "@127.0.0.1:" + source);
        assertOldKept(local, name, OLD);
    }

    // ---- ferry sync ---------------------------------------------------------------------------

    /** ferry sync of a local {@code name} to {@code dir} (named {@code remote} to the server) that holds {@code old}. */
    private void syncUp(List<String> connection, Path dir, String remote, String name, Change change, byte[] old,
            String... options) throws Exception {
        Path local = shmDir();
        Path source = big(local.resolve(name), FAST_MIB, 7);
        Files.write(dir.resolve(name), old);
        List<String> rest = new ArrayList<>(List.of(options));
        rest.addAll(List.of(source.toString(), remote));
        Proc.Result r = whileChanging(source, change, underWay(dir, name),
                () -> ferry(local, connection, "sync", rest.toArray(String[]::new)));
        assertOneSentence(r, name);
        assertOldKept(dir, name, old);
    }

    @Test
    void aDeltaSyncOfAFileRewrittenWhileItIsReadKeepsFerrydsOldCopy() throws Exception {
        byte[] old = Files.readAllBytes(big(shmDir().resolve("old.bin"), FAST_MIB, 8));
        syncUp(ferryd.ferryOptions(), ferryd.rootOf("alice"), "alice@127.0.0.1:delta.bin", "delta.bin",
                Change.OVERWRITE, old, "--mode", "delta");
    }

    @Test
    void aWholeFileSyncToOpenSshOfAFileAppendedToKeepsTheOldCopy() throws Exception {
        Path remote = Files.createDirectories(sshd.root().resolve("changing-sync"));
        syncUp(sshd.ferryOptions(), remote, sshd.user() + "@127.0.0.1:" + remote.resolve("whole.bin"), "whole.bin",
                Change.APPEND, OLD);
    }

    @Test
    void aSyncDownloadOfAFileAppendedToOnFerrydKeepsTheLocalCopy() throws Exception {
        Path local = shmDir();
        String name = "sync-down.bin";
        Path root = ferryd.rootOf("alice");
        Path source = big(root.resolve(name), FAST_MIB, 10);
        Files.write(local.resolve(name), OLD);
        Proc.Result r = whileChanging(source, Change.APPEND, underWay(local, name),
                () -> ferry(local, ferryd.ferryOptions(), "sync", "--mode", "whole", "alice@127.0.0.1:" + name,
                        local.resolve(name).toString()));
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains(name + ": changed while it was being copied") && r.err().contains(
                "the copy was not kept"), r.all());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.all());
        assertOldKept(local, name, OLD);
    }
}
