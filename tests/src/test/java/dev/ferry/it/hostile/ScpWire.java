package dev.ferry.it.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * The SCP protocol written by hand on a real exec channel: the command ({@code scp -t dir}), then
 * C/D/E/T lines as bytes, and the server's one-byte answers (0 ok, 1 warning, 2 error) with the
 * message that follows a non-zero one.
 */
final class ScpWire implements AutoCloseable {

    /** An answer of the server's: its code and, for 1 and 2, its message. -1 when the channel ended. */
    record Ack(int code, String message) {
        boolean isError() {
            return code == 1 || code == 2;
        }
    }

    private final ChannelExec channel;
    private final ByteArrayOutputStream err;
    private final OutputStream out;
    private final InputStream in;

    private ScpWire(ChannelExec channel, ByteArrayOutputStream err) {
        this.channel = channel;
        this.err = err;
        this.out = channel.getInvertedIn();
        this.in = channel.getInvertedOut();
    }

    /** Runs {@code command} on an exec channel of {@code session}. */
    static ScpWire exec(ClientSession session, String command) throws IOException {
        ChannelExec channel = session.createExecChannel(command);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        channel.setErr(err);
        channel.open().verify(10, TimeUnit.SECONDS);
        return new ScpWire(channel, err);
    }

    /** The server's next answer. */
    Ack ack() throws IOException {
        int c = in.read();
        if (c != 1 && c != 2) {
            return new Ack(c, "");
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return new Ack(c, line.toString(StandardCharsets.UTF_8));
    }

    /** The rest of the line the server is sending (after a C or D header's first byte, say). */
    String restOfLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Sends {@code line} and its newline. */
    void line(String line) throws IOException {
        line(line.getBytes(StandardCharsets.UTF_8));
    }

    void line(byte[] line) throws IOException {
        out.write(line);
        out.write('\n');
        out.flush();
    }

    /** Sends {@code bytes} as they are. */
    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Waits for the server to end the command; its exit status, or null. */
    Integer awaitExit() {
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS),
                TimeUnit.SECONDS.toMillis(10));
        return channel.getExitStatus();
    }

    /** What the server wrote on stderr so far. */
    String stderr() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close(false).await(10, TimeUnit.SECONDS);
    }
}
