package dev.ferry.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder for fault tests: connection number {@code victim} (counting from 1) is cut after
 * {@code afterBytes} bytes have gone upstream and downstream together; every other connection is
 * forwarded whole.
 */
public final class CuttingForwarder implements AutoCloseable {

    private final ServerSocket listener;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean cut;

    public CuttingForwarder(int targetPort, int victim, long afterBytes) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket();
                    server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                    int n = connections.incrementAndGet();
                    long limit = n == victim ? afterBytes : Long.MAX_VALUE;
                    java.util.concurrent.atomic.AtomicLong moved = new java.util.concurrent.atomic.AtomicLong();
                    pump(client, server, moved, limit);
                    pump(server, client, moved, limit);
                } catch (IOException e) {
                    return;
                }
            }
        }, "cutting-forwarder");
        accept.setDaemon(true);
        accept.start();
    }

    private void pump(Socket from, Socket to, java.util.concurrent.atomic.AtomicLong moved, long limit) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    if (moved.addAndGet(n) > limit) {
                        cut = true;
                        from.close();
                        to.close();
                        return;
                    }
                }
                to.shutdownOutput();
            } catch (IOException ignored) {
                // one side closed
            }
        }, "cutting-pump");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Whether the victim connection was cut. */
    public boolean didCut() {
        return cut;
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
