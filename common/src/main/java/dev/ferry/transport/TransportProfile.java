package dev.ferry.transport;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.Locale;

import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.nio2.Nio2Session;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * How Ferry moves bytes: the SSH channel window and packet size, MINA's read buffer, the socket
 * buffers asked of the kernel, TCP_NODELAY and the DSCP mark. One value, built with
 * {@link #builder()}, applied to MINA by {@link #applyTo} on the server and on the client alike.
 *
 * <p>Why big: a sender may have at most one window of data unacknowledged, so a channel moves at
 * most window / RTT. OpenSSH's 2 MiB caps a 50 ms path at about 40 MB/s; 64 MiB allows 1.3 GB/s.
 * The packet size is the largest SSH_MSG_CHANNEL_DATA Ferry asks for: larger packets mean fewer MAC
 * and framing operations per byte. 128 KiB, not 256: measured with OpenSSH 9.2's scp, sftp and
 * scp -O uploading to ferryd, a 256 KiB packet size with a window of 4 MiB or more breaks every
 * upload ("Tag mismatch" / "MAC Error" on the first large packets, all ciphers), while 128 KiB with
 * a 64 MiB window works (tests/.../RelayAndLinkTest and the benchmark exercise it).
 *
 * @param windowSize          bytes a peer may send on a channel before this side adjusts the window
 * @param maxPacketSize       the largest channel data packet this side accepts
 * @param readBufferSize      MINA's NIO2 read buffer per connection
 * @param socketSendBuffer    SO_SNDBUF asked of the kernel (0: the kernel's default and autotuning)
 * @param socketReceiveBuffer SO_RCVBUF asked of the kernel (0: the kernel's default and autotuning)
 * @param tcpNoDelay          send small packets at once (SFTP requests and acknowledgements are small)
 * @param ipQos               the DSCP mark; unmarked by default
 */
public record TransportProfile(long windowSize, long maxPacketSize, int readBufferSize, int socketSendBuffer,
        int socketReceiveBuffer, boolean tcpNoDelay, IpQos ipQos) {

    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;

    /** Ferry's defaults: big enough for 100 ms at 5 Gbit/s. */
    public static final TransportProfile DEFAULT = builder().build();

    /** What OpenSSH (and MINA out of the box) use: the anchor the benchmarks compare against. */
    public static final TransportProfile OPENSSH = new TransportProfile(2 * MIB, 32 * KIB, (int) (32 * KIB), 0, 0,
            false, IpQos.NONE);

    public TransportProfile {
        if (windowSize < 64 * KIB || windowSize > 4L * 1024 * MIB - 1) {
            throw new IllegalArgumentException("window must be within 64 KiB..4 GiB: " + windowSize);
        }
        if (maxPacketSize < 32 * KIB || maxPacketSize > 256 * KIB) {
            throw new IllegalArgumentException("packet size must be within 32..256 KiB: " + maxPacketSize);
        }
        if (readBufferSize < 4 * KIB || readBufferSize > 64 * MIB) {
            throw new IllegalArgumentException("read buffer must be within 4 KiB..64 MiB: " + readBufferSize);
        }
        if (socketSendBuffer < 0 || socketReceiveBuffer < 0) {
            throw new IllegalArgumentException("socket buffers < 0");
        }
        if (ipQos == null) {
            throw new IllegalArgumentException("ipQos is null; use IpQos.NONE");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder newBuilder() {
        return new Builder(this);
    }

    /**
     * Sets the profile on a MINA server or client before it starts. The DSCP mark has no MINA
     * property; a session listener added here sets it on each new session's socket.
     */
    public void applyTo(FactoryManager manager) {
        CoreModuleProperties.WINDOW_SIZE.set(manager, windowSize);
        CoreModuleProperties.MAX_PACKET_SIZE.set(manager, maxPacketSize);
        CoreModuleProperties.NIO2_READ_BUFFER_SIZE.set(manager, readBufferSize);
        CoreModuleProperties.TCP_NODELAY.set(manager, tcpNoDelay);
        // Rekey as OpenSSH does: by cipher blocks (RFC 4344: 2^32 blocks for AES, 1 GB for the 8-byte
        // blocks of chacha20-poly1305), which MINA applies too, and not also after every GiB whatever
        // the cipher (MINA's own extra limit): with sntrup761x25519 against OpenSSH 9.0-9.8 each
        // rekey cost a cold copy about 0.4 CPU-s and a stall of a round trip or more per GiB.
        CoreModuleProperties.REKEY_BYTES_LIMIT.set(manager, 0L);
        if (socketSendBuffer > 0) {
            CoreModuleProperties.SOCKET_SNDBUF.set(manager, socketSendBuffer);
        }
        if (socketReceiveBuffer > 0) {
            CoreModuleProperties.SOCKET_RCVBUF.set(manager, socketReceiveBuffer);
        }
        manager.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                mark(session.getIoSession());
            }
        });
    }

    /** Puts the DSCP mark on the session's socket, unless unmarked (the kernel's default). */
    void mark(IoSession io) {
        if (ipQos.tos() != 0 && io instanceof Nio2Session nio2) {
            String failure = Dscp.set(nio2.getSocket(), ipQos.tos());
            if (failure != null) {
                io.setAttribute(TOS_FAILURE, failure);
            }
        }
    }

    private static final Object TOS_FAILURE = new Object();

    /** What the kernel granted a session's socket, for logs and {@code -v}. */
    public static String describeSocket(IoSession io) {
        if (io instanceof Nio2Session nio2) {
            AsynchronousSocketChannel socket = nio2.getSocket();
            try {
                int tos = Dscp.get(socket);
                Object failure = io.getAttribute(TOS_FAILURE);
                return "SO_SNDBUF " + socket.getOption(StandardSocketOptions.SO_SNDBUF) + ", SO_RCVBUF "
                        + socket.getOption(StandardSocketOptions.SO_RCVBUF) + ", TCP_NODELAY "
                        + socket.getOption(StandardSocketOptions.TCP_NODELAY)
                        + (tos < 0 ? ", TOS unknown" : ", TOS 0x" + Integer.toHexString(tos))
                        + (failure == null ? "" : " (" + failure + ")");
            } catch (IOException | UnsupportedOperationException e) {
                return "socket options unavailable (" + e.getMessage() + ")";
            }
        }
        return "socket options unavailable";
    }

    /** Collects a profile; every setting has a default. */
    public static final class Builder {
        private long windowSize = 64 * MIB;
        private long maxPacketSize = 128 * KIB;
        private int readBufferSize = (int) (256 * KIB);
        private int socketSendBuffer = (int) (8 * MIB);
        private int socketReceiveBuffer = (int) (8 * MIB);
        private boolean tcpNoDelay = true;
        private IpQos ipQos = IpQos.NONE;

        private Builder() {
        }

        private Builder(TransportProfile p) {
            windowSize = p.windowSize;
            maxPacketSize = p.maxPacketSize;
            readBufferSize = p.readBufferSize;
            socketSendBuffer = p.socketSendBuffer;
            socketReceiveBuffer = p.socketReceiveBuffer;
            tcpNoDelay = p.tcpNoDelay;
            ipQos = p.ipQos;
        }

        public Builder windowSize(long bytes) {
            this.windowSize = bytes;
            return this;
        }

        public Builder maxPacketSize(long bytes) {
            this.maxPacketSize = bytes;
            return this;
        }

        public Builder readBufferSize(int bytes) {
            this.readBufferSize = bytes;
            return this;
        }

        /** Both socket buffers; 0 leaves them to the kernel. */
        public Builder socketBuffers(int bytes) {
            this.socketSendBuffer = bytes;
            this.socketReceiveBuffer = bytes;
            return this;
        }

        public Builder tcpNoDelay(boolean on) {
            this.tcpNoDelay = on;
            return this;
        }

        public Builder ipQos(IpQos qos) {
            this.ipQos = qos;
            return this;
        }

        public TransportProfile build() {
            return new TransportProfile(windowSize, maxPacketSize, readBufferSize, socketSendBuffer,
                    socketReceiveBuffer, tcpNoDelay, ipQos);
        }
    }

    /** Parses a size such as {@code 64M}, {@code 256k}, {@code 1g} or a plain number of bytes. */
    public static long parseSize(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = KIB;
                case 'm' -> unit = MIB;
                case 'g' -> unit = 1024 * MIB;
                default -> unit = 1;
            }
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits.strip());
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "' (e.g. 64M, 256K, 1G)");
        }
    }
}
