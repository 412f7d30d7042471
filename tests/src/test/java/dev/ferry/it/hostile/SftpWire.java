package dev.ferry.it.hostile;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * SFTP written by hand on a real {@code sftp} subsystem channel: each message framed (or misframed)
 * here, the server's replies read back one by one as they come, so a test can send what no client
 * library would (a lying length, a string that runs past its message, an unknown type) and see
 * exactly what the server answered.
 */
final class SftpWire implements AutoCloseable {

    /** A reply of the server's: its type, request id and the bytes after them. */
    record Reply(int type, int id, byte[] body) {
        /** The status code of an SSH_FXP_STATUS reply. */
        int status() {
            if (type != SftpConstants.SSH_FXP_STATUS) {
                throw new AssertionError("not a status but " + SftpConstants.getCommandMessageName(type));
            }
            return ByteBuffer.wrap(body).getInt();
        }

        /** The handle of an SSH_FXP_HANDLE reply. */
        byte[] handle() {
            if (type != SftpConstants.SSH_FXP_HANDLE) {
                throw new AssertionError("not a handle but " + this);
            }
            ByteBuffer b = ByteBuffer.wrap(body);
            byte[] h = new byte[b.getInt()];
            b.get(h);
            return h;
        }

        @Override
        public String toString() {
            if (type == SftpConstants.SSH_FXP_STATUS) {
                ByteBuffer b = ByteBuffer.wrap(body);
                int code = b.getInt();
                byte[] msg = new byte[Math.min(b.getInt(), b.remaining())];
                b.get(msg);
                return "STATUS " + SftpConstants.getStatusName(code) + " (" + new String(msg, StandardCharsets.UTF_8)
                        + ") id=" + id;
            }
            return SftpConstants.getCommandMessageName(type) + " id=" + id + " (" + body.length + " bytes)";
        }
    }

    /** What the reader puts in the queue when the channel has ended. */
    private static final Reply END = new Reply(-1, -1, new byte[0]);

    private final ChannelSubsystem channel;
    private final OutputStream out;
    private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private int nextId = 1;

    private SftpWire(ChannelSubsystem channel) {
        this.channel = channel;
        this.out = channel.getInvertedIn();
        Thread reader = new Thread(this::readReplies, "sftp-wire-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** An sftp channel on {@code session}, nothing sent on it yet. */
    static SftpWire open(ClientSession session) throws IOException {
        ChannelSubsystem channel = session.createSubsystemChannel("sftp");
        channel.open().verify(10, TimeUnit.SECONDS);
        return new SftpWire(channel);
    }

    /** An sftp channel on {@code session} past the INIT/VERSION exchange, at version 3. */
    static SftpWire ready(ClientSession session) throws IOException, InterruptedException {
        SftpWire wire = open(session);
        wire.send(frame(new Message(SftpConstants.SSH_FXP_INIT).u32(3).bytes()));
        Reply version = wire.next();
        if (version.type() != SftpConstants.SSH_FXP_VERSION) {
            throw new AssertionError("no VERSION but " + version);
        }
        return wire;
    }

    private void readReplies() {
        try {
            DataInputStream in = new DataInputStream(channel.getInvertedOut());
            while (true) {
                int length = in.readInt();
                if (length < 5 || length > 1024 * 1024) {
                    throw new IOException("reply length " + length);
                }
                byte[] message = new byte[length];
                in.readFully(message);
                ByteBuffer b = ByteBuffer.wrap(message);
                int type = b.get() & 0xff;
                int id = b.getInt();
                byte[] body = new byte[b.remaining()];
                b.get(body);
                replies.add(new Reply(type, id, body));
            }
        } catch (EOFException end) {
            // the server closed the channel
        } catch (IOException e) {
            // the channel broke; END says so
        } finally {
            replies.add(END);
        }
    }

    /** A request id not used yet on this channel. */
    int id() {
        return nextId++;
    }

    /** Writes {@code bytes} to the channel as they are (framing included). */
    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends {@code body}, properly framed. */
    void request(Message body) throws IOException {
        send(frame(body.bytes()));
    }

    /** The next reply, or null when the channel ended first; fails after 10 s of silence. */
    Reply next() throws InterruptedException {
        Reply r = replies.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no reply from the server within 10 s");
        }
        return r == END ? null : r;
    }

    /** The reply to a request, which must be a status; returns its code. */
    int status() throws InterruptedException {
        Reply r = next();
        if (r == null) {
            throw new AssertionError("the channel ended instead of answering");
        }
        return r.status();
    }

    /** Waits for the server to end the channel; its exit status, or null when it sent none. */
    Integer awaitEnd() throws InterruptedException {
        while (next() != null) {
            // replies before the end are dropped
        }
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(10));
        return channel.getExitStatus();
    }

    boolean isOpen() {
        return channel.isOpen() && !channel.isClosing();
    }

    @Override
    public void close() throws IOException {
        channel.close(false).await(10, TimeUnit.SECONDS);
    }

    /** {@code body} preceded by its length. */
    static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    /** A message's type, id and fields, in SFTP's encoding (big-endian, strings with a 32-bit length). */
    static final class Message {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream data = new DataOutputStream(bytes);

        /** A message of {@code type} and nothing else yet (INIT then takes a version; the others an id). */
        Message(int type) {
            u8(type);
        }

        Message(int type, int id) {
            this(type);
            u32(id);
        }

        Message u8(int v) {
            return io(() -> data.writeByte(v));
        }

        Message u32(long v) {
            return io(() -> data.writeInt((int) v));
        }

        Message u64(long v) {
            return io(() -> data.writeLong(v));
        }

        Message string(byte[] v) {
            return io(() -> {
                data.writeInt(v.length);
                data.write(v);
            });
        }

        Message string(String v) {
            return string(v.getBytes(StandardCharsets.UTF_8));
        }

        /** Raw bytes with no length before them (a lying length, say). */
        Message raw(byte[] v) {
            return io(() -> data.write(v));
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

        private interface Write {
            void run() throws IOException;
        }

        private Message io(Write w) {
            try {
                w.run();
            } catch (IOException e) {
                throw new IllegalStateException(e); // a byte array does not fail
            }
            return this;
        }
    }
}
