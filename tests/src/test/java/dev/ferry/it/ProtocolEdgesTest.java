package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;

/**
 * What stock clients do not exercise: a single SFTP read of 255 KiB, and an SCP upload cut off
 * half way, driven byte by byte with MINA's client.
 */
class ProtocolEdgesTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    private static SshClient client;
    private static ClientSession session;

    @BeforeAll
    static void login() throws IOException {
        client = ferryd.newClient();
        session = ferryd.login(client, "alice");
    }

    @AfterAll
    static void logout() throws IOException {
        session.close();
        client.stop();
    }

    @Test
    void oneSftpReadReturnsAsMuchAsOpenSshsServerDoes() throws Exception {
        byte[] data = new byte[1024 * 1024];
        new Random(7).nextBytes(data);
        Files.write(ferryd.rootOf("alice").resolve("big.bin"), data);
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
                SftpClient.CloseableHandle handle = sftp.open("big.bin")) {
            byte[] buf = new byte[512 * 1024];
            int n = sftp.read(handle, 0, buf, 0, buf.length);
            // 256 KiB less 1 KiB, the most OpenSSH's client accepts in one message (MINA's default is 63 KiB)
            assertEquals(255 * 1024, n);
            assertEquals(java.nio.ByteBuffer.wrap(data, 0, n), java.nio.ByteBuffer.wrap(buf, 0, n));
        }
    }

    @Test
    void anScpUploadCutOffHalfWayLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path target = ferryd.rootOf("alice").resolve("precious.txt");
        Files.writeString(target, "the old, complete contents\n");
        try (ChannelExec exec = session.createExecChannel("scp -t precious.txt")) {
            exec.open().verify(10, TimeUnit.SECONDS);
            OutputStream toServer = exec.getInvertedIn();
            InputStream fromServer = exec.getInvertedOut();
            assertEquals(0, fromServer.read(), "ready");
            toServer.write("C0644 1000 precious.txt\n".getBytes(StandardCharsets.UTF_8));
            toServer.flush();
            assertEquals(0, fromServer.read(), "header accepted");
            toServer.write(new byte[100]); // 100 of the 1000 bytes announced, then the client is gone
            toServer.flush();
            toServer.close(); // EOF: the connection to the client is gone
            exec.waitFor(java.util.EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED), 10_000);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (temporaryFiles() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals("the old, complete contents\n", Files.readString(target));
        assertEquals(0, temporaryFiles(), "the partial upload was removed");
    }

    private static long temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(ferryd.rootOf("alice"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(".ferry-upload-")).count();
        }
    }
}
