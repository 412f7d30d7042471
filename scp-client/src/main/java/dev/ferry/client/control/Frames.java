package dev.ferry.client.control;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The control socket's frames: a 4-byte length, a type byte, a body. A run sends one request
 * ({@link #RUN}, {@link #CHECK}, {@link #EXIT}, {@link #STOP}) and then answers and interrupts; the
 * master sends output, questions, and at last the exit status.
 */
final class Frames {

    /** Bumped whenever a frame changes: a master of another version is not used. */
    static final int VERSION = 2;

    /**
     * This build of Ferry: a master started before a rebuild runs the old code, so a run from the
     * new one has it end and starts another (the jar's, or the class file's, time and size).
     */
    static final String BUILD = build();

    /** No frame is larger: output comes in pieces, a command line is far smaller. */
    static final int MAX_BODY = 1 << 22;

    // client to master
    static final byte RUN = 1;
    static final byte CHECK = 2;
    static final byte EXIT = 3;
    static final byte STOP = 4;
    static final byte ANSWER = 5;
    static final byte INTERRUPT = 6;
    // master to client
    static final byte OUT = 10;
    static final byte ERR = 11;
    static final byte ASK = 12;
    static final byte DONE = 13;
    static final byte INFO = 14;
    static final byte REFUSED = 15;
    /** The master is another build: the run goes elsewhere. */
    static final byte STALE = 16;

    // what ASK asks for
    static final byte ASK_PASSWORD = 1;
    static final byte ASK_PASSPHRASE = 2;
    static final byte ASK_CONFIRM = 3;

    private Frames() {
    }

    private static String build() {
        URL self = Frames.class.getResource("Frames.class");
        if (self == null) {
            return "unknown";
        }
        try {
            String where = self.toString();
            Path file = where.startsWith("jar:file:") ? Path.of(URI.create(where.substring(4, where.indexOf("!/"))))
                    : Path.of(self.toURI());
            return Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file);
        } catch (IOException | RuntimeException | URISyntaxException e) {
            return "unknown";
        }
    }

    record Frame(byte type, byte[] body) {
        Body reader() {
            return new Body(body);
        }
    }

    /**
     * The channel's bytes as a stream. Not {@code Channels.newInputStream}: on JDK 17 its streams
     * take the channel's blocking lock, so a thread waiting for the client's next frame would stop
     * the run's output from being written at all. The channel itself reads and writes under
     * separate locks.
     */
    static InputStream input(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    static OutputStream output(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        };
    }

    static void write(OutputStream out, byte type, byte[] body) throws IOException {
        byte[] head = {(byte) (body.length >>> 24), (byte) (body.length >>> 16), (byte) (body.length >>> 8),
            (byte) body.length, type};
        synchronized (out) {
            out.write(head);
            out.write(body);
            out.flush();
        }
    }

    /** The next frame, or null at the end of the stream. */
    static Frame read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int length;
        try {
            length = data.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < 0 || length > MAX_BODY) {
            throw new IOException("control frame of " + length + " bytes");
        }
        byte type = data.readByte();
        byte[] body = new byte[length];
        data.readFully(body);
        return new Frame(type, body);
    }

    /** Builds a body. */
    static final class Builder {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Builder integer(int value) throws IOException {
            out.writeInt(value);
            return this;
        }

        Builder number(long value) throws IOException {
            out.writeLong(value);
            return this;
        }

        Builder flag(boolean value) throws IOException {
            out.writeBoolean(value);
            return this;
        }

        Builder text(String value) throws IOException {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    /** Reads a body in the order it was built. */
    static final class Body {
        private final DataInputStream in;

        Body(byte[] body) {
            this.in = new DataInputStream(new ByteArrayInputStream(body));
        }

        int integer() throws IOException {
            return in.readInt();
        }

        long number() throws IOException {
            return in.readLong();
        }

        boolean flag() throws IOException {
            return in.readBoolean();
        }

        String text() throws IOException {
            int n = in.readInt();
            if (n < 0 || n > MAX_BODY) {
                throw new IOException("control string of " + n + " bytes");
            }
            return new String(in.readNBytes(n), StandardCharsets.UTF_8);
        }
    }
}
