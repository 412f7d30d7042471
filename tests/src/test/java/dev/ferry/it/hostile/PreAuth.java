package dev.ferry.it.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw TCP connection to the server from a chosen loopback address (so that one case's offences
 * never count against another's, nor against the user who checks the server still serves), for
 * what comes before the SSH handshake: no banner, garbage, a line that never ends, a packet whose
 * length lies.
 */
final class PreAuth implements AutoCloseable {

    private final Socket socket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    PreAuth(String source, int port) throws IOException {
        socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
    }

    /** The server's identification line (without CR LF), or null when it closed first. */
    String banner() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                String s = line.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(c);
        }
        return null;
    }

    void send(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Reads until the server closes the connection (or resets it); returns the seconds that took.
     * Fails if the server keeps it open for {@code limitSeconds}.
     */
    double awaitClose(int limitSeconds) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout(limitSeconds * 1000);
        byte[] buf = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                received.write(buf, 0, n);
            }
        } catch (SocketTimeoutException open) {
            throw new AssertionError("the server kept the connection open for " + limitSeconds + " s");
        } catch (SocketException reset) {
            // closed with a reset: closed all the same
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** What the server sent after its banner, as Latin-1 (a disconnect's text is readable in it). */
    String received() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    /** The local address and port, as the server logs the remote. */
    String address() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
