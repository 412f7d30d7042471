package dev.ferry.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpRelayTest {

    private ServerSocket echo;

    /** An echo server on a loopback port of its own. */
    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread c = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // client gone
                        }
                    });
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    private TcpRelay relay(Duration rtt, long rate, List<TcpRelay.ConnectionReport> reports) throws IOException {
        return TcpRelay.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()))
                .delay(rtt).rate(rate).reports(reports::add).start();
    }

    @Test
    void bytesGoThroughUnchangedBothWaysAndEachConnectionIsReported() throws Exception {
        List<TcpRelay.ConnectionReport> reports = new CopyOnWriteArrayList<>();
        byte[] data = new byte[3_000_000];
        new Random(1).nextBytes(data);
        try (TcpRelay relay = relay(Duration.ZERO, 0, reports);
                Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // reported by the read side
                }
            });
            writer.start();
            byte[] back = s.getInputStream().readAllBytes();
            writer.join();
            assertArrayEquals(data, back);
        }
        for (int i = 0; i < 100 && reports.isEmpty(); i++) {
            Thread.sleep(20);
        }
        assertEquals(1, reports.size());
        assertEquals(data.length, reports.get(0).bytesUp());
        assertEquals(data.length, reports.get(0).bytesDown());
    }

    @Test
    void theEmulatedRoundTripTimeIsAtLeastTheDelayAsked() throws Exception {
        try (TcpRelay relay = relay(Duration.ofMillis(50), 0, new CopyOnWriteArrayList<>());
                Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            s.setTcpNoDelay(true);
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                s.getOutputStream().write(i);
                assertEquals(i, s.getInputStream().read());
                best = Math.min(best, System.nanoTime() - start);
            }
            // there and back: 25 ms each way
            assertTrue(best >= 49_000_000L, "round trip " + best / 1e6 + " ms, expected at least 50 ms");
        }
    }

    @Test
    void aRateLimitHoldsTheTransferDown() throws Exception {
        byte[] data = new byte[400_000];
        try (TcpRelay relay = relay(Duration.ZERO, 1_000_000, new CopyOnWriteArrayList<>());
                Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            long start = System.nanoTime();
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // reported by the read side
                }
            });
            writer.start();
            assertEquals(data.length, s.getInputStream().readAllBytes().length);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds >= 0.35, "400 kB at 1 MB/s each way took " + seconds + " s");
        }
    }
}
