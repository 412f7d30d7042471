package dev.ferry.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Forwards every connection accepted on one address to another, byte for byte. It never looks
 * inside: an SSH client through it still verifies the real server's key.
 *
 * <p>Each direction is a reader and a writer joined by a queue, so that a slow writer does not
 * stall the reader's TCP window. With {@link Builder#delay} each chunk waits until its one-way
 * delay has passed, and with {@link Builder#rate} the writer keeps to the given rate: a link with
 * latency and bandwidth, for measuring how windows behave, without the kernel's netem.
 */
public final class TcpRelay implements AutoCloseable {

    /** One relayed connection, reported when it ends. */
    public record ConnectionReport(SocketAddress client, long bytesUp, long bytesDown, double seconds) {
        @Override
        public String toString() {
            double mbps = seconds > 0 ? (bytesUp + bytesDown) / seconds / 1e6 : 0;
            return String.format("relay %s: %,d bytes up, %,d bytes down, %.2f s, %.1f MB/s", client, bytesUp,
                    bytesDown, seconds, mbps);
        }
    }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final int bufferSize;
    private final int socketBuffer;
    private final Duration oneWayDelay;
    private final long bytesPerSecond;
    private final Consumer<ConnectionReport> reports;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private TcpRelay(Builder b) throws IOException {
        this.target = b.target;
        this.bufferSize = b.bufferSize;
        this.socketBuffer = b.socketBuffer;
        this.oneWayDelay = b.rtt.dividedBy(2);
        this.bytesPerSecond = b.bytesPerSecond;
        this.reports = b.reports;
        this.listener = new ServerSocket();
        if (socketBuffer > 0) {
            listener.setReceiveBufferSize(socketBuffer); // inherited by accepted sockets, before the handshake
        }
        listener.bind(b.listen, 128);
        Thread accept = new Thread(this::acceptLoop, "relay-accept-" + port());
        accept.setDaemon(true);
        accept.start();
    }

    public static Builder builder(InetSocketAddress listen, InetSocketAddress target) {
        return new Builder(listen, target);
    }

    /** The port the relay listens on (useful after binding port 0). */
    public int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread t = new Thread(() -> relay(client), "relay-" + client.getRemoteSocketAddress());
            t.setDaemon(true);
            t.start();
        }
    }

    private void relay(Socket client) {
        long start = System.nanoTime();
        try (client; Socket server = new Socket()) {
            if (socketBuffer > 0) {
                server.setReceiveBufferSize(socketBuffer);
                server.setSendBufferSize(socketBuffer);
                client.setSendBufferSize(socketBuffer);
            }
            server.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            server.connect(target, 10_000);
            open.add(client);
            open.add(server);
            AtomicLong up = new AtomicLong();
            AtomicLong down = new AtomicLong();
            Thread upstream = direction(client, server, up, "up");
            Thread downstream = direction(server, client, down, "down");
            upstream.join();
            downstream.join();
            reports.accept(new ConnectionReport(client.getRemoteSocketAddress(), up.get(), down.get(),
                    (System.nanoTime() - start) / 1e9));
        } catch (IOException e) {
            reports.accept(new ConnectionReport(client.getRemoteSocketAddress(), 0, 0, 0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(client);
        }
    }

    /** A chunk in flight and the time it may leave. */
    private record Chunk(byte[] data, int length, long dueNanos) {
    }

    private static final Chunk END = new Chunk(new byte[0], -1, 0);

    private Thread direction(Socket from, Socket to, AtomicLong counter, String name) {
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            // The streams are not closed here: closing a socket's stream closes the whole socket,
            // and the other direction may still be running. Half-closes use shutdownInput/Output.
            try {
                InputStream in = from.getInputStream();
                byte[] buffer = new byte[bufferSize];
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    // A copy of what was read, not the whole buffer: a queue of delayed small reads
                    // must not hold a full buffer each.
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), n, System.nanoTime() + oneWayDelay.toNanos()));
                }
            } catch (IOException ignored) {
                // the peer reset or closed: end this direction
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                queue.add(END);
            }
        }, "relay-read-" + name);
        reader.setDaemon(true);
        reader.start();
        Thread writer = new Thread(() -> {
            long sent = 0;
            long rateStart = System.nanoTime();
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    if (c == END) {
                        break;
                    }
                    sleepUntil(c.dueNanos());
                    if (bytesPerSecond > 0) {
                        sleepUntil(rateStart + (sent + c.length()) * 1_000_000_000L / bytesPerSecond);
                    }
                    out.write(c.data(), 0, c.length());
                    sent += c.length();
                    counter.addAndGet(c.length());
                }
                to.shutdownOutput();
            } catch (IOException ignored) {
                // the other side went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    from.shutdownInput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "relay-write-" + name);
        writer.setDaemon(true);
        writer.start();
        return writer;
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedIOException {
        long wait = deadlineNanos - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }
    }

    /** Stops listening and cuts every relayed connection. */
    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }

    /** Collects a relay's settings. */
    public static final class Builder {
        private final InetSocketAddress listen;
        private final InetSocketAddress target;
        private int bufferSize = 1 << 20;
        private int socketBuffer = 4 << 20;
        private Duration rtt = Duration.ZERO;
        private long bytesPerSecond;
        private Consumer<ConnectionReport> reports = r -> { };

        private Builder(InetSocketAddress listen, InetSocketAddress target) {
            this.listen = Objects.requireNonNull(listen, "listen");
            this.target = Objects.requireNonNull(target, "target");
        }

        /** The user-space buffer per read (default 1 MiB). */
        public Builder buffer(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("buffer < 1 KiB");
            }
            this.bufferSize = bytes;
            return this;
        }

        /** SO_SNDBUF and SO_RCVBUF asked for every socket (default 4 MiB; 0 for the kernel's). */
        public Builder socketBuffer(int bytes) {
            this.socketBuffer = bytes;
            return this;
        }

        /** Emulated round-trip time: each direction waits half of it. */
        public Builder delay(Duration roundTrip) {
            if (roundTrip.isNegative()) {
                throw new IllegalArgumentException("negative delay");
            }
            this.rtt = roundTrip;
            return this;
        }

        /** Emulated bandwidth per direction in bytes per second (0: unlimited). */
        public Builder rate(long bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
            return this;
        }

        /** Receives one report per connection when it ends. */
        public Builder reports(Consumer<ConnectionReport> sink) {
            this.reports = sink;
            return this;
        }

        public TcpRelay start() throws IOException {
            return new TcpRelay(this);
        }
    }
}
