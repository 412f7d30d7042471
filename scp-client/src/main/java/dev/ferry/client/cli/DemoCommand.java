package dev.ferry.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.sftp.client.SftpClient;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.ConnectOptions;
import dev.ferry.client.connect.Connector;
import dev.ferry.client.connect.Interaction;
import dev.ferry.client.operand.Operand;
import dev.ferry.client.sync.SyncListener;
import dev.ferry.client.sync.SyncOptions;
import dev.ferry.client.sync.SyncSummary;
import dev.ferry.client.sync.Syncer;
import dev.ferry.client.transfer.SftpClients;
import dev.ferry.client.transfer.SftpCopier;
import dev.ferry.client.transfer.TransferListener;
import dev.ferry.client.transfer.TransferOptions;
import dev.ferry.delta.DeltaMode;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.FerryServer;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.fs.FsPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry demo}: Ferry's main job on an embedded default, with nothing to set up. Starts ferryd
 * on a free loopback port with throwaway keys in a temporary directory, copies a generated file up
 * and back with the same code as {@code ferry cp}, edits it in ten places and syncs it up with the
 * same code as {@code ferry sync} (a chunk delta), syncs a tree of small text files, verifies each
 * result, and prints the figures and
 * the commands that do the same by hand.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start an embedded ferryd on loopback, copy a file up and down, sync it after small edits, sync a tree of small files, verify, print the figures.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--size", paramLabel = "MiB", defaultValue = "256", description = "File size in MiB (default ${DEFAULT-VALUE}).")
    int sizeMiB;

    @Option(names = "--keep", description = "Keep the temporary directory (keys, files) for the commands shown.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        if (sizeMiB < 1 || sizeMiB > 64 * 1024) {
            throw new IllegalArgumentException("--size must be 1..65536 MiB");
        }
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("ferry-demo-");
        try {
            Path served = Files.createDirectories(dir.resolve("served"));
            Path local = Files.createDirectories(dir.resolve("local"));
            KeyPair userKey = KeyUtils.generateKeyPair(org.apache.sshd.common.keyprovider.KeyPairProvider.SSH_ED25519, 256);
            Path keyFile = dir.resolve("id_ed25519");
            KeyFiles.write(userKey, keyFile, "ferry-demo");
            String user = "demo";
            try (FerryServer server = FerryServer.builder()
                    .listen("127.0.0.1", 0)
                    .hostKeyFile(dir.resolve("host_ed25519_key"))
                    .user(UserAccount.withKeys(user, served, List.of(userKey.getPublic()), FsPolicy.DEFAULT))
                    .build()) {
                int port = server.start();
                out.printf("ferryd listening on 127.0.0.1:%d (host key %s)%n", port, server.hostKeyFingerprint());

                Path file = local.resolve("demo.bin");
                out.printf("generating %d MiB of random data...%n", sizeMiB);
                String digest = RandomFile.write(file, (long) sizeMiB << 20, 42);

                ConnectOptions options = ConnectOptions.builder().port(port).identity(keyFile)
                        .configFile(Path.of("/dev/null")).hostKey(server.hostKeyFingerprint()).batch(true).build();
                try (Connector connector = new Connector(options, Interaction.none(System.err::println))) {
                    Operand.Remote remote = new Operand.Remote(user, "127.0.0.1", OptionalInt.empty(), "demo.bin");
                    Connector.Target target = connector.resolve(remote);
                    try (ClientSession session = connector.connect(target);
                            SftpClient sftp = SftpClients.open(session)) {
                        Timing up = new Timing();
                        new SftpCopier(sftp, target.display(), TransferOptions.DEFAULT, up)
                                .upload(List.of(file), "demo.bin");
                        check(sha256(served.resolve("demo.bin")), digest, "upload");
                        out.printf("upload   %s%n", up.summary());

                        Timing down = new Timing();
                        Path back = local.resolve("demo-back.bin");
                        new SftpCopier(sftp, target.display(), TransferOptions.DEFAULT, down)
                                .download(List.of("demo.bin"), back);
                        check(sha256(back), digest, "download");
                        out.printf("download %s%n", down.summary());

                        // A sync: ten small edits, and only the chunks around them go up.
                        String edited = editInPlace(file, 10);
                        SyncSummary sync = new Syncer(session, sftp, target.display(), true, new SyncOptions(false,
                                false, false, false, DeltaMode.AUTO, true, FileDigest.DEFAULT), SyncListener.NONE)
                                .run(file.toString(), "demo.bin");
                        check(sha256(served.resolve("demo.bin")), edited, "sync");
                        out.printf("sync     %s file after 10 small edits: %s new, %s reused, %s on the wire, "
                                + "%.2f s%n", SyncCommand.size(sync.fileBytes()), SyncCommand.size(sync.literalBytes()),
                                SyncCommand.size(sync.matchedBytes()),
                                SyncCommand.size(sync.wireSent() + sync.wireReceived()), sync.seconds());

                        // A tree the shape of a source checkout, synced whole: small text files,
                        // which go pipelined over one channel, zstd-compressed. (It also teaches the
                        // start-up cache this path: the launcher's training run is this demo.)
                        Path tree = writeTree(local.resolve("tree"), TREE_FILES);
                        SyncSummary trees = new Syncer(session, sftp, target.display(), true, new SyncOptions(true,
                                false, false, false, DeltaMode.AUTO, true, FileDigest.DEFAULT), SyncListener.NONE,
                                Path.of(""), null).run(tree + "/", "tree/");
                        checkTree(tree, served.resolve("tree"));
                        out.printf("tree     %d files, %s in %d directories, synced in %.2f s: %.0f files/s, %s on "
                                + "the wire%n", trees.sent(), SyncCommand.size(trees.fileBytes()), TREE_DIRS,
                                trees.seconds(), trees.sent() / trees.seconds(),
                                SyncCommand.size(trees.wireSent() + trees.wireReceived()));
                    }
                }
                out.println("all four verified (SHA-256, the tree file by file)");
                out.println();
                out.println("the same by hand, in two terminals:");
                out.printf("  ./ferryd --listen 127.0.0.1:2222 --root %s --user %s --authorized-keys %s.pub --host-key %s%n",
                        served, user, keyFile, dir.resolve("host_ed25519_key"));
                out.printf("  ./ferry cp -P 2222 -i %s --host-key %s %s %s@127.0.0.1:%n", keyFile,
                        server.hostKeyFingerprint(), file, user);
                out.printf("  ./ferry sync -P 2222 -i %s --host-key %s %s %s@127.0.0.1:%n", keyFile,
                        server.hostKeyFingerprint(), file, user);
                out.printf("  scp -P 2222 -i %s %s %s@127.0.0.1:   # OpenSSH, for comparison%n", keyFile, file, user);
                if (!keep) {
                    out.println("(run with --keep to keep " + dir + " for these commands)");
                }
            }
            return 0;
        } finally {
            if (!keep) {
                deleteTree(dir);
            }
        }
    }

    /** Measures one file's copy. */
    private static final class Timing implements TransferListener {
        long bytes;
        double seconds;
        Throwable error;

        @Override
        public void finished(FileTransfer transfer, long bytes, double seconds, Throwable error) {
            this.bytes = bytes;
            this.seconds = seconds;
            this.error = error;
        }

        String summary() {
            return String.format("%,d bytes in %.2f s: %.0f MB/s", bytes, seconds, bytes / seconds / 1e6);
        }
    }

    private static final int TREE_FILES = 400;
    private static final int TREE_DIRS = 8;

    /** {@code files} small text files of varied length in {@link #TREE_DIRS} directories under {@code top}. */
    private static Path writeTree(Path top, int files) throws IOException {
        Random random = new Random(7);
        String[] words = {"final", "return", "int", "class", "static", "void", "if", "else", "for", "new", "this",
            "private", "public", "throws", "IOException", "buffer", "length", "offset", "digest", "chunk"};
        for (int i = 0; i < files; i++) {
            Path dir = Files.createDirectories(top.resolve("pkg" + (i % TREE_DIRS)));
            StringBuilder text = new StringBuilder();
            int target = 200 + random.nextInt(12_000);
            while (text.length() < target) {
                text.append(words[random.nextInt(words.length)]).append(random.nextInt(8) == 0 ? ";\n" : " ");
            }
            Files.writeString(dir.resolve("File" + i + ".java"), text);
        }
        return top;
    }

    /** Every file of {@code local} arrived at {@code served} with the same bytes. */
    private static void checkTree(Path local, Path served) throws IOException, FerryException {
        try (Stream<Path> walk = Files.walk(local)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path there = served.resolve(local.relativize(file).toString());
                if (!Files.isRegularFile(there) || !sha256(there).equals(sha256(file))) {
                    throw new FerryException("ferry demo: the tree sync did not verify (" + local.relativize(file)
                            + " differs)");
                }
            }
        }
    }

    /**
     * Flips a byte at {@code edits} places spread over the file and sets its time an hour back, so
     * that the quick check (size and modification second) sees the change whatever the clock says;
     * returns the new SHA-256.
     */
    private static String editInPlace(Path file, int edits) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long step = ch.size() / edits;
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int i = 0; i < edits; i++) {
                long at = i * step + step / 2;
                one.clear();
                ch.read(one, at);
                one.flip();
                byte b = one.get(0);
                one.put(0, (byte) ~b);
                ch.write(one, at);
            }
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        return sha256(file);
    }

    private static void check(String actual, String expected, String what) throws FerryException {
        if (!actual.equals(expected)) {
            throw new FerryException("ferry demo: the " + what + " did not verify (SHA-256 differs)");
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest sha = sha();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
