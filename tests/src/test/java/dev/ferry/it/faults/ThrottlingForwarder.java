package dev.ferry.it.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP forwarder on loopback that lets at most {@code bytesPerSecond} go upstream (client to
 * server), so that an upload is surely half way when a test strikes; downstream goes as it comes.
 */
final class ThrottlingForwarder implements AutoCloseable {

    private static final int SLICE = 16 * 1024;

    private final ServerSocket listener;

    ThrottlingForwarder(int targetPort, long bytesPerSecond) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket();
                    server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                    pump(client, server, bytesPerSecond);
                    pump(server, client, Long.MAX_VALUE);
                } catch (IOException e) {
                    return;
                }
            }
        }, "throttling-forwarder");
        accept.setDaemon(true);
        accept.start();
    }

    private static void pump(Socket from, Socket to, long bytesPerSecond) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[SLICE];
            long start = System.nanoTime();
            long moved = 0;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    moved += n;
                    if (bytesPerSecond == Long.MAX_VALUE) {
                        continue;
                    }
                    long wait = start + moved * 1_000_000_000L / bytesPerSecond - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                close(from);
                close(to);
            }
        }, "throttling-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
