package dev.ferry.client.sftp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelAsyncOutputStream;
import org.apache.sshd.common.channel.RemoteWindow;
import org.apache.sshd.common.channel.StreamingChannel;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * SFTP version 3 spoken directly on a channel of its own: requests go out as the caller builds
 * them, many in flight, and each reply is handed to its request's {@link Reply} on MINA's I/O
 * thread as its bytes arrive. A DATA reply's payload is passed on in the pieces the channel
 * delivers, straight from MINA's packet buffer, so a download can write it to its file without
 * holding it: nothing of it is copied into a reply object, queued in the heap or collected later.
 *
 * <p>Why not MINA's SftpClient: it copies every reply into a buffer of its own and queues it
 * until the caller asks for it; a fast server then fills the heap with a window's worth of
 * replies that the collector copies again and again (docs/benchmark-findings.md, fifth session).
 *
 * <p>Thread-safe for senders (one write at a time, in order); replies are parsed by one thread.
 */
public final class SftpPipe implements AutoCloseable {

    /** The largest reply other than DATA that is accepted (names, handles, status messages). */
    static final int MAX_REPLY = 256 * 1024;

    private final PipeChannel channel;
    private final Map<Integer, Reply> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Set<String> extensions = ConcurrentHashMap.newKeySet();
    private final Object writeLock = new Object();
    private volatile IOException broken;

    private SftpPipe() {
        this.channel = new PipeChannel();
    }

    /** Opens the channel and the subsystem on {@code session} and agrees on version 3. */
    public static SftpPipe open(ClientSession session, Duration timeout) throws IOException {
        SftpPipe pipe = new SftpPipe();
        session.getService(ConnectionService.class).registerChannel(pipe.channel);
        pipe.channel.open().verify(timeout);
        try {
            Reply.Waiting version = new Reply.Waiting();
            pipe.pending.put(0, version); // VERSION carries no id: the parser files it under 0
            Buffer init = new ByteArrayBuffer(16);
            init.putUInt(5);
            init.putByte((byte) SftpConstants.SSH_FXP_INIT);
            init.putUInt(3);
            pipe.send(init);
            Reply.Received reply = version.await(timeout);
            if (reply.type() != SftpConstants.SSH_FXP_VERSION) {
                throw new IOException("the server answered SFTP's greeting with message type " + reply.type());
            }
            Buffer body = reply.body();
            body.getUInt(); // the version
            while (body.available() >= 8) {
                pipe.extensions.add(body.getString());
                body.getBytes(); // the extension's data
            }
            return pipe;
        } catch (IOException | RuntimeException e) {
            pipe.close();
            throw e;
        }
    }

    /** The extensions the server announced (posix-rename@openssh.com, limits@openssh.com, ...). */
    public Set<String> extensions() {
        return Set.copyOf(extensions);
    }

    /** A new request id. */
    public int nextId() {
        int id;
        do {
            id = ids.incrementAndGet();
        } while (id == 0);
        return id;
    }

    /** Files {@code reply} as the handler of request {@code id}; call before sending the request. */
    public void expect(int id, Reply reply) throws IOException {
        IOException failure = broken;
        if (failure != null) {
            throw failure;
        }
        pending.put(id, reply);
    }

    /** The channel's receive window as granted at open: what a reader may keep in flight. */
    public long window() {
        return channel.getLocalWindow().getMaxSize();
    }

    /**
     * Sends whole SFTP packets (one or several, as built by {@link Requests}) in order, as channel
     * data messages of at most the server's packet size, waiting only for the server's window.
     *
     * <p>Why not MINA's asynchronous channel stream: it sends a buffer larger than one packet a
     * packet at a time, each after the previous one's socket write completed (a hand-off between
     * threads per 32 KiB with OpenSSH's sshd: a tree's upload measured 37 MB/s); packets queued on
     * the session go out back to back, as its own ChannelOutputStream sends them.
     */
    public void send(Buffer packets) throws IOException {
        synchronized (writeLock) {
            IOException failure = broken;
            if (failure != null) {
                throw failure;
            }
            RemoteWindow window = channel.getRemoteWindow();
            Duration timeout = CoreModuleProperties.IDLE_TIMEOUT.getRequired(channel);
            byte[] data = packets.array();
            int off = packets.rpos();
            int left = packets.available();
            try {
                while (left > 0) {
                    long room = window.waitForSpace(timeout);
                    int n = (int) Math.min(left, Math.min(room, window.getPacketSize()));
                    Buffer message = channel.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_DATA, n + 16);
                    message.putUInt(channel.getRecipient());
                    message.putBytes(data, off, n);
                    window.waitAndConsume(n, timeout);
                    channel.getSession().writePacket(message);
                    off += n;
                    left -= n;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending to the server");
            }
        }
    }

    /**
     * For a caller holding {@code monitor}'s lock while reply handlers change what it waits for
     * (and call notifyAll on it): waits up to 100 ms, and throws the pipe's failure if it broke.
     */
    public void awaitReplies(Object monitor) throws IOException {
        IOException failure = broken;
        if (failure != null) {
            throw failure;
        }
        try {
            monitor.wait(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the server");
        }
    }

    /** Appends one request about {@code path} to {@code out}, as {@link Requests}' methods do. */
    @FunctionalInterface
    public interface PathRequest {
        void append(Buffer out, int id, String path);
    }

    /**
     * One request per path, all in one write, and their replies in the paths' order: a batch of
     * MKDIRs, LSTATs or SETSTATs costs one round trip however many paths it has. Throws the pipe's
     * failure if it broke before every reply came.
     */
    public Reply.Received[] exchange(List<String> paths, PathRequest request) throws IOException {
        Reply.Received[] replies = new Reply.Received[paths.size()];
        CountDownLatch all = new CountDownLatch(paths.size());
        IOException[] failure = new IOException[1];
        Buffer batch = new ByteArrayBuffer(paths.size() * 64 + 64);
        for (int i = 0; i < paths.size(); i++) {
            int slot = i;
            int id = nextId();
            expect(id, new Reply() {
                @Override
                public void complete(int type, Buffer body) {
                    replies[slot] = new Reply.Received(type, body);
                    all.countDown();
                }

                @Override
                public void failed(IOException cause) {
                    failure[0] = cause;
                    all.countDown();
                }
            });
            request.append(batch, id, paths.get(i));
        }
        send(batch);
        try {
            all.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return replies;
    }

    /** Why the pipe stopped working, or null while it works. */
    public IOException failure() {
        return broken;
    }

    /**
     * Ends the pipe: requests still waiting fail, and the channel closes gracefully, without waiting.
     * Graceful because an immediate close in MINA sends no SSH_MSG_CHANNEL_CLOSE: the server would
     * keep its end open until the connection ends, and a connection kept for many runs (ferry's
     * ControlMaster) reached the server's channel limit after ten of them.
     */
    @Override
    public void close() {
        fail(new IOException("the SFTP channel was closed"));
        channel.close(false);
    }

    private void fail(IOException e) {
        if (broken == null) {
            broken = e;
        }
        for (Integer id : pending.keySet()) {
            Reply r = pending.remove(id);
            if (r != null) {
                r.failed(broken);
            }
        }
    }

    /**
     * The reply parser: SFTP packets cut at arbitrary places by the channel's data messages. Only
     * MINA's I/O thread of this channel calls it.
     */
    private final class Parser extends OutputStream {
        private static final int HEADER = 9; // uint32 length, byte type, uint32 id
        private final byte[] header = new byte[HEADER + 4]; // and DATA's uint32 payload length
        private int headerFill;
        private int type;
        private long left; // bytes of this packet not yet read, after its header
        private long dataLeft; // of a DATA reply: payload bytes not yet passed on
        private Reply reply;
        private byte[] body;
        private int bodyFill;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            try {
                while (len > 0) {
                    int used = step(bytes, off, len);
                    off += used;
                    len -= used;
                }
            } catch (IOException | RuntimeException e) {
                IOException failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                fail(failure);
                channel.close(false);
            }
        }

        /** Consumes what it can of the bytes at hand for the packet being read; returns how many. */
        private int step(byte[] bytes, int off, int len) throws IOException {
            int need = headerNeed();
            if (headerFill < need) {
                int n = Math.min(len, need - headerFill);
                System.arraycopy(bytes, off, header, headerFill, n);
                headerFill += n;
                if (headerFill == HEADER) {
                    startPacket();
                } else if (headerFill == HEADER + 4 && type == SftpConstants.SSH_FXP_DATA) {
                    dataLeft = readInt(header, HEADER) & 0xFFFFFFFFL;
                    left -= 4;
                    if (dataLeft > left) {
                        throw new IOException("the server sent a DATA reply longer than its packet");
                    }
                    finishIfDone();
                }
                return n;
            }
            if (type == SftpConstants.SSH_FXP_DATA) {
                if (dataLeft > 0) {
                    int n = (int) Math.min(len, dataLeft);
                    reply.data(bytes, off, n);
                    dataLeft -= n;
                    left -= n;
                    finishIfDone();
                    return n;
                }
                int n = (int) Math.min(len, left); // what follows the payload (version 6's end-of-file flag)
                left -= n;
                finishIfDone();
                return n;
            }
            int n = (int) Math.min(len, left);
            System.arraycopy(bytes, off, body, bodyFill, n);
            bodyFill += n;
            left -= n;
            finishIfDone();
            return n;
        }

        private int headerNeed() {
            return headerFill >= HEADER && type == SftpConstants.SSH_FXP_DATA ? HEADER + 4 : HEADER;
        }

        private void startPacket() throws IOException {
            long length = readInt(header, 0) & 0xFFFFFFFFL;
            type = header[4] & 0xFF;
            if (length < 5) {
                throw new IOException("the server sent an SFTP packet of " + length + " bytes");
            }
            // VERSION has no id: its 4 bytes after the type are the version itself.
            int id = type == SftpConstants.SSH_FXP_VERSION ? 0 : readInt(header, 5);
            reply = pending.remove(id);
            if (reply == null) {
                throw new IOException("the server answered request " + id + ", which is not outstanding");
            }
            left = length - 5;
            if (type == SftpConstants.SSH_FXP_VERSION) {
                left += 4; // give the version back to the body
            }
            if (type == SftpConstants.SSH_FXP_DATA) {
                return; // its payload length comes next
            }
            if (left > MAX_REPLY) {
                throw new IOException("the server sent a reply of " + length + " bytes");
            }
            body = new byte[(int) left];
            bodyFill = 0;
            if (type == SftpConstants.SSH_FXP_VERSION) {
                System.arraycopy(header, 5, body, 0, 4);
                bodyFill = 4;
                left -= 4;
            }
            finishIfDone();
        }

        private void finishIfDone() throws IOException {
            boolean waitingForLength = type == SftpConstants.SSH_FXP_DATA && headerFill < HEADER + 4;
            if (headerFill < HEADER || waitingForLength || left > 0 || dataLeft > 0) {
                return;
            }
            Reply r = reply;
            int t = type;
            byte[] b = body;
            headerFill = 0;
            reply = null;
            body = null;
            r.complete(t, t == SftpConstants.SSH_FXP_DATA ? null : new ByteArrayBuffer(b));
        }
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
    }

    /**
     * The channel: the "sftp" subsystem, its data delivered to the parser, its window granted back
     * through a {@link WindowAccount}. Requests are written by {@link #send}; the asynchronous
     * stream MINA expects of a channel in this mode is there for its graceful close (the EOF).
     */
    private final class PipeChannel extends ChannelSubsystem {
        private final WindowAccount account = new WindowAccount();

        PipeChannel() {
            super(SftpConstants.SFTP_SUBSYSTEM_NAME);
        }

        @Override
        protected void doOpen() throws IOException {
            // As ChannelSubsystem, but data goes to the parser rather than to a pumped stream.
            boolean wantReply = CoreModuleProperties.REQUEST_SUBSYSTEM_REPLY.getRequired(this);
            String name = getSubsystem();
            Buffer request = getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST,
                    Channel.CHANNEL_SUBSYSTEM.length() + name.length() + Integer.SIZE);
            request.putUInt(getRecipient());
            request.putString(Channel.CHANNEL_SUBSYSTEM);
            request.putBoolean(wantReply);
            request.putString(name);
            addPendingRequest(Channel.CHANNEL_SUBSYSTEM, wantReply);
            writePacket(request);
            setStreaming(StreamingChannel.Streaming.Async);
            asyncIn = new ChannelAsyncOutputStream(this, SshConstants.SSH_MSG_CHANNEL_DATA);
            setOut(new Parser());
            setErr(OutputStream.nullOutputStream()); // a server's diagnostics are not replies
        }

        @Override
        protected void doWriteData(byte[] data, int off, long len) throws IOException {
            account.received(this, len);
            super.doWriteData(data, off, len);
        }

        @Override
        protected void sendWindowAdjust(long len) throws IOException {
            long grant = account.grant(this, len);
            if (grant > 0) {
                super.sendWindowAdjust(grant);
            }
        }

        @Override
        protected void preClose() {
            account.close(this);
            fail(new IOException("the server closed the SFTP channel"));
            super.preClose();
        }
    }
}
