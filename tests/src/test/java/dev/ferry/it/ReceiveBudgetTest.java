package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.server.log.ServerEvent;

/**
 * ferryd's receive budget: channels share it, so uploads onto a slow disk cannot fill the heap.
 * Here the budget is 8 MiB: the first channel gets all of it, the next ones OpenSSH's 2 MiB, and
 * uploads over all of them at once still arrive intact.
 */
class ReceiveBudgetTest {

    private static final long MIB = 1 << 20;

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture().receiveBudget(8 * MIB);

    @Test
    void channelsOpenedWhileTheBudgetIsTakenGetTheFloorAndAllUploadsArriveIntact() throws Exception {
        SshClient client = ferryd.newClient();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (ClientSession session = ferryd.login(client, "alice")) {

            List<SftpClient> channels = new ArrayList<>();
            List<Long> windows = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
                channels.add(sftp);
                windows.add(((AbstractSftpClient) sftp).getChannel().getRemoteWindow().getMaxSize());
            }
            assertEquals(List.of(8 * MIB, 2 * MIB, 2 * MIB), windows);

            List<byte[]> contents = new ArrayList<>();
            List<Future<?>> uploads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] data = new byte[(int) (16 * MIB)];
                new Random(i).nextBytes(data);
                contents.add(data);
                SftpClient sftp = channels.get(i);
                String name = "up-" + i + ".bin";
                uploads.add(pool.submit(() -> {
                    try (OutputStream out = sftp.write(name)) {
                        for (int off = 0; off < data.length; off += 200_000) {
                            out.write(data, off, Math.min(200_000, data.length - off));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : uploads) {
                f.get(120, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(contents.get(i),
                        Files.readAllBytes(ferryd.rootOf("alice").resolve("up-" + i + ".bin")));
            }
            for (SftpClient sftp : channels) {
                sftp.close();
            }

            // Closed channels give their windows back (the server closes its end a moment later):
            // the next one gets the whole budget again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ferryd.events(ServerEvent.ChannelWindow.class).size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            try (SftpClient again = SftpClientFactory.instance().createSftpClient(session)) {
                assertEquals(8 * MIB, ((AbstractSftpClient) again).getChannel().getRemoteWindow().getMaxSize());
            }
        } finally {
            pool.shutdownNow();
            client.stop();
        }
        List<ServerEvent.ChannelWindow> closed = ferryd.events(ServerEvent.ChannelWindow.class);
        assertTrue(closed.stream().filter(e -> e.bytesReceived() >= 16 * MIB).count() >= 3, closed.toString());
    }
}
