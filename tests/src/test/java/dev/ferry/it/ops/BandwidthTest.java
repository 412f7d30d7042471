package dev.ferry.it.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;
import dev.ferry.server.auth.UserLimits;
import dev.ferry.server.log.ServerEvent;

/**
 * Per-user bandwidth with real clients: alice may upload and download 2 MiB/s each, and a file of
 * 10 MiB (about 5 s at that rate) must go at the rate within 10%, over SFTP, SCP and the delta
 * subsystem, whether it goes alone or shares the rate with another upload of hers on another
 * connection. {@code linker} has no rate and is not slowed by alice's.
 *
 * <p>The rate is measured over the transfer as the server saw it, from its log line (the file's
 * open to its close), and the client's whole run must have lasted at least as long: on this shared
 * machine a login took up to 3 s of a client's run (load average 9 on 2 cores), which a rate of
 * the client's run would count against the server.
 */
class BandwidthTest {

    private static final int MIB = 1024 * 1024;
    private static final long RATE = 2L * MIB;
    private static final int SIZE = 10 * MIB;

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture()
            .userLimits("alice", new UserLimits(0, 0, RATE, RATE, 0));
    private final OpenSsh openssh = new OpenSsh(ferryd);

    /** How long {@code run} took, in seconds, and that it succeeded. */
    private static double timed(Supplier<Proc.Result> run) {
        long start = System.nanoTime();
        Proc.Result r = run.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(0, r.exit(), r.all());
        return seconds;
    }

    /** That {@code transfers}, from the first's start to the last's end, went at {@link #RATE}. */
    private static void assertAtTheRate(List<ServerEvent.Transfer> transfers, double clientSeconds, String what) {
        long bytes = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (ServerEvent.Transfer t : transfers) {
            long end = ferryd.reportedAt(t);
            first = Math.min(first, end - (long) (t.seconds() * 1e9));
            last = Math.max(last, end);
            bytes += t.bytes();
        }
        double seconds = (last - first) / 1e9;
        double rate = bytes / seconds;
        String figures = what + ": " + bytes + " bytes in " + seconds + " s (the client's run " + clientSeconds
                + " s) is " + String.format("%.3f", rate / MIB) + " MiB/s against a limit of " + RATE / MIB + " MiB/s";
        System.out.println(figures);
        assertEquals(1.0, rate / RATE, 0.10, figures);
        assertTrue(clientSeconds >= seconds, figures);
    }

    private static void assertAtTheRate(ServerEvent.Transfer transfer, double clientSeconds, String what) {
        assertAtTheRate(List.of(transfer), clientSeconds, what);
    }

    private static Path newFile(Path dir, String name, int size, long seed) throws Exception {
        return Files.write(dir.resolve(name), TestData.random(size, seed));
    }

    @Test
    void anSftpUploadAndDownloadGoAtTheUsersRates() throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = Files.readAllBytes(newFile(local, "up.bin", SIZE, 1));
        double put = timed(() -> openssh.sftp("alice", local, "put up.bin sftp-up.bin"));
        assertAtTheRate(transferOf("alice", "sftp-up.bin", "upload"), put, "sftp put");
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve("sftp-up.bin")));

        double get = timed(() -> openssh.sftp("alice", local, "get sftp-up.bin down.bin"));
        assertAtTheRate(transferOf("alice", "sftp-up.bin", "download"), get, "sftp get");
        assertArrayEquals(data, Files.readAllBytes(local.resolve("down.bin")));
    }

    @Test
    void anScpUploadAndDownloadGoAtTheUsersRates() throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = Files.readAllBytes(newFile(local, "up.bin", SIZE, 2));
        // -O: the SCP protocol (scp -t / scp -f on the server), not SFTP under scp's name
        double up = timed(() -> openssh.scp(local, "-O", "up.bin", openssh.remote("alice", "scp-up.bin")));
        assertAtTheRate(transferOf("alice", "scp-up.bin", "upload"), up, "scp -O upload");
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve("scp-up.bin")));

        double down = timed(() -> openssh.scp(local, "-O", openssh.remote("alice", "scp-up.bin"), "down.bin"));
        assertAtTheRate(transferOf("alice", "scp-up.bin", "download"), down, "scp -O download");
        assertArrayEquals(data, Files.readAllBytes(local.resolve("down.bin")));
    }

    @Test
    void twoUploadsOfOneUserShareHerRateWhileAnotherUserIsNotHeldBack() throws Exception {
        // a directory each: sftp -b reads its commands from a file there
        Path[] dirs = {ferryd.newLocalDir(), ferryd.newLocalDir(), ferryd.newLocalDir()};
        newFile(dirs[0], "half1.bin", SIZE / 2, 3);
        newFile(dirs[1], "half2.bin", SIZE / 2, 4);
        newFile(dirs[2], "free.bin", SIZE, 5);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        double both;
        try {
            long start = System.nanoTime();
            // two connections: the rate is the user's, not a connection's
            List<CompletableFuture<Double>> alices = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path dir = dirs[i];
                String half = "half" + (i + 1) + ".bin";
                alices.add(CompletableFuture.supplyAsync(() -> timed(() -> openssh.sftp("alice", dir,
                        "put " + half + " " + half)), pool));
            }
            CompletableFuture.supplyAsync(() -> timed(() -> openssh.sftp("linker", dirs[2], "put free.bin free.bin")),
                    pool).join();
            alices.forEach(CompletableFuture::join);
            both = (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
        ServerEvent.Transfer half1 = transferOf("alice", "half1.bin", "upload");
        ServerEvent.Transfer half2 = transferOf("alice", "half2.bin", "upload");
        assertAtTheRate(List.of(half1, half2), both, "two sftp puts of 5 MiB at once");
        for (ServerEvent.Transfer half : List.of(half1, half2)) {
            assertTrue(half.seconds() > SIZE / (double) RATE * 0.8, "each took most of the time, at half the rate: "
                    + half);
        }
        ServerEvent.Transfer free = transferOf("linker", "free.bin", "upload");
        assertTrue(free.seconds() < Math.max(half1.seconds(), half2.seconds()) / 3, "linker, without a rate, took "
                + free.seconds() + " s for 10 MiB while alice's took " + half1.seconds() + " and " + half2.seconds());
        assertEquals(SIZE, Files.size(ferryd.rootOf("linker").resolve("free.bin")));
    }

    @Test
    void ferrySyncOverTheDeltaSubsystemGoesAtTheUsersRates() throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = Files.readAllBytes(newFile(local, "delta.bin", SIZE, 6));
        double up = timed(() -> sync(local, "delta.bin", "alice@127.0.0.1:delta.bin"));
        ServerEvent.Transfer upload = transferOf("alice", "delta.bin", "upload");
        assertEquals("delta", upload.protocol(), upload.toString());
        assertAtTheRate(upload, up, "ferry sync upload");
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve("delta.bin")));

        Files.delete(local.resolve("delta.bin"));
        double down = timed(() -> sync(local, "alice@127.0.0.1:delta.bin", "delta.bin"));
        ServerEvent.Transfer download = transferOf("alice", "delta.bin", "download");
        assertEquals("delta", download.protocol(), download.toString());
        assertAtTheRate(download, down, "ferry sync download");
        assertArrayEquals(data, Files.readAllBytes(local.resolve("delta.bin")));
    }

    @Test
    void ferryCpGoesAtTheUsersRatesWhateverItsParallelChannels() throws Exception {
        Path local = ferryd.newLocalDir();
        byte[] data = Files.readAllBytes(newFile(local, "cp.bin", SIZE, 7));
        double up = timed(() -> ferry(local, "cp", "cp.bin", "alice@127.0.0.1:cp.bin"));
        assertAtTheRate(transfersOf("alice", "cp.bin", "upload"), up, "ferry cp upload");
        assertArrayEquals(data, Files.readAllBytes(ferryd.rootOf("alice").resolve("cp.bin")));

        double down = timed(() -> ferry(local, "cp", "alice@127.0.0.1:cp.bin", "back.bin"));
        assertAtTheRate(transfersOf("alice", "cp.bin", "download"), down, "ferry cp download");
        assertArrayEquals(data, Files.readAllBytes(local.resolve("back.bin")));
    }

    /** {@code ferry sync} without compression (random data would not shrink; the rate is on what goes over the wire). */
    private static Proc.Result sync(Path cwd, String from, String to) {
        return ferry(cwd, "sync", "--no-compress", from, to);
    }

    /** {@code ferry COMMAND} against this server, with {@code rest} after its connection options. */
    private static Proc.Result ferry(Path cwd, String command, String... rest) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(ferryd.ferryOptions());
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    /**
     * The server's line for {@code user}'s transfer of the file named {@code name} in their root,
     * which it may write just after the client has gone.
     */
    private static ServerEvent.Transfer transferOf(String user, String name, String direction)
            throws InterruptedException {
        return transfersOf(user, name, direction).get(0);
    }

    /**
     * Whether the server's {@code path} is {@code name} in the user's root: SFTP logs {@code /name},
     * the delta subsystem {@code name}, and ferry cp's upload its partial file {@code /.name.ferry-part}.
     */
    private static boolean named(String path, String name) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.equals(name) || p.equals("." + name + ".ferry-part");
    }

    /** Every line for such transfers: a client may move one file over several channels at once. */
    private static List<ServerEvent.Transfer> transfersOf(String user, String name, String direction)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<ServerEvent.Transfer> found = ferryd.events(ServerEvent.Transfer.class).stream()
                    .filter(t -> t.user().equals(user) && t.direction().equals(direction)
                            && named(t.path(), name))
                    .toList();
            if (!found.isEmpty()) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + direction + " of " + name + " logged: " + ferryd.events());
            }
            Thread.sleep(50);
        }
    }
}
