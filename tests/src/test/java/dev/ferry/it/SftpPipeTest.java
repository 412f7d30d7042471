package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.client.sftp.Download;
import dev.ferry.client.sftp.SftpPipe;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.security.KeyFiles;

/**
 * Ferry's own SFTP channel ({@link SftpPipe}) and its download path ({@link Download}) against
 * OpenSSH's sshd and ferryd: whole files byte for byte, replies shorter than asked for, a file
 * that shrank, a missing file, and a copy stopped halfway that leaves the channel usable.
 */
class SftpPipeTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final byte[] DATA = random(9_437_201, 77); // not a multiple of any read size

    private static SshClient client;
    private static SshClient ferrydClient;
    private static ClientSession toSshd;
    private static ClientSession toFerryd;
    private static Path onSshd;

    @BeforeAll
    static void connect() throws Exception {
        onSshd = sshd.root().resolve("pipe.bin");
        Files.write(onSshd, DATA);
        Files.write(ferryd.rootOf("alice").resolve("pipe.bin"), DATA);
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                sshd.knownHosts()));
        client.start();
        toSshd = client.connect(sshd.user(), new InetSocketAddress("127.0.0.1", sshd.port()))
                .verify(10, TimeUnit.SECONDS).getSession();
        toSshd.addPublicKeyIdentity(KeyFiles.load(sshd.clientKey()));
        toSshd.auth().verify(10, TimeUnit.SECONDS);
        ferrydClient = ferryd.newClient();
        toFerryd = ferryd.login(ferrydClient, "alice");
    }

    @AfterAll
    static void disconnect() throws IOException {
        toSshd.close();
        toFerryd.close();
        client.stop();
        ferrydClient.stop();
    }

    private static Download.Outcome download(ClientSession session, String path, Path local, long size,
            int readSize, Download.Progress progress) throws IOException {
        try (SftpPipe pipe = SftpPipe.open(session, TIMEOUT);
                FileChannel out = FileChannel.open(local, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            return Download.copy(pipe, path, out, size, readSize, TIMEOUT, progress);
        }
    }

    @Test
    void aFileArrivesWholeFromOpenSshAndFromFerryd() throws Exception {
        Path local = sshd.newLocalDir();
        List<Long> reported = new ArrayList<>();
        Download.Outcome fromSshd = download(toSshd, onSshd.toString(), local.resolve("a.bin"), DATA.length,
                255 * 1024, reported::add);
        assertArrayEquals(DATA, Files.readAllBytes(local.resolve("a.bin")));
        assertEquals(DATA.length, fromSshd.bytes());
        assertEquals(DATA.length, (long) reported.get(reported.size() - 1));
        for (int i = 1; i < reported.size(); i++) {
            assertTrue(reported.get(i) > reported.get(i - 1), "progress goes forward: " + reported);
        }
        Download.Outcome fromFerryd = download(toFerryd, "pipe.bin", local.resolve("b.bin"), DATA.length, 255 * 1024,
                bytes -> { });
        assertArrayEquals(DATA, Files.readAllBytes(local.resolve("b.bin")));
        assertEquals(DATA.length, fromFerryd.bytes());
    }

    @Test
    void repliesShorterThanAskedAreAskedForAgain() throws Exception {
        // OpenSSH's sftp-server answers at most 256 KiB per READ; ask for 1 MiB at a time.
        Path local = sshd.newLocalDir().resolve("short.bin");
        Download.Outcome o = download(toSshd, onSshd.toString(), local, DATA.length, 1 << 20, bytes -> { });
        assertArrayEquals(DATA, Files.readAllBytes(local));
        assertTrue(o.shortReplies() > 0, () -> "no short reply came back: " + o);
        assertTrue(o.requests() > DATA.length / (1 << 20) + 1, () -> "the rest was not asked for: " + o);
    }

    @Test
    void aFileThatShrankIsReportedAsSuch() throws Exception {
        Path local = sshd.newLocalDir().resolve("shrank.bin");
        EOFException e = assertThrows(EOFException.class,
                () -> download(toSshd, onSshd.toString(), local, DATA.length + 100_000L, 255 * 1024, bytes -> { }));
        assertTrue(e.getMessage().contains("shrank"), e.getMessage());
    }

    @Test
    void aMissingFileIsNoSuchFileFromBothServers() throws Exception {
        Path local = sshd.newLocalDir().resolve("missing.bin");
        for (ClientSession session : List.of(toSshd, toFerryd)) {
            String path = session == toSshd ? sshd.root().resolve("none.bin").toString() : "none.bin";
            SftpException e = assertThrows(SftpException.class,
                    () -> download(session, path, local, 10, 255 * 1024, bytes -> { }));
            assertEquals(SftpConstants.SSH_FX_NO_SUCH_FILE, e.getStatus(), e.getMessage());
        }
    }

    @Test
    void aCopyStoppedHalfwayLeavesThePipeWorkingForTheNext() throws Exception {
        Path dir = ferryd.newLocalDir();
        try (SftpPipe pipe = SftpPipe.open(toFerryd, TIMEOUT)) {
            try (FileChannel out = FileChannel.open(dir.resolve("stopped.bin"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                IOException stop = assertThrows(IOException.class, () -> Download.copy(pipe, "pipe.bin", out,
                        DATA.length, 64 * 1024, TIMEOUT, bytes -> {
                            if (bytes > 0) {
                                throw new IOException("stopped by the test");
                            }
                        }));
                assertEquals("stopped by the test", stop.getMessage());
            }
            try (FileChannel out = FileChannel.open(dir.resolve("next.bin"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                Download.copy(pipe, "pipe.bin", out, DATA.length, 255 * 1024, TIMEOUT, bytes -> { });
            }
            assertArrayEquals(DATA, Files.readAllBytes(dir.resolve("next.bin")));
        }
    }
}
