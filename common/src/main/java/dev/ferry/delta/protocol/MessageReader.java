package dev.ferry.delta.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads ferry-delta messages from a byte stream, one frame at a time, checking every limit before
 * it allocates: the frame length against {@link Limits#MAX_FRAME_LENGTH} and the type's longest
 * body, then each length field inside against its limit and against the bytes left in the frame.
 *
 * <p>It reads exactly the bytes of each frame and none beyond, so a stream can be handed on after
 * any message. It reads in small steps; give it a buffered stream. Not thread-safe.
 */
public final class MessageReader {

    /**
     * The first buffer for a body. A frame's length is only a claim until its bytes arrive, so the
     * buffer grows with what arrives instead of being allocated at the claimed size.
     */
    private static final int FIRST_BUFFER = 64 * 1024;

    private final InputStream in;

    public MessageReader(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /**
     * The next message, or empty if the stream ended cleanly before a frame: the peer closed. A
     * stream that ends inside a frame was cut, and is a {@link ProtocolException}.
     *
     * @throws ProtocolException if the bytes are not a valid message
     * @throws IOException       if the stream itself fails
     */
    public Optional<DeltaMessage> read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return Optional.empty();
        }
        long length = Integer.toUnsignedLong((first << 24) | readLengthTail());
        if (length == 0) {
            throw new ProtocolException("a frame must hold at least its type byte, but its length is 0");
        }
        if (length > Limits.MAX_FRAME_LENGTH) {
            throw new ProtocolException("a frame of " + Check.count(length, "bytes") + " exceeds the limit of " + Limits.MAX_FRAME_LENGTH);
        }
        int code = in.read();
        if (code < 0) {
            throw new ProtocolException("truncated message: expected a type byte after the length, got the end of the stream");
        }
        MessageType type = MessageType.ofCode(code)
                .orElseThrow(() -> new ProtocolException("message type " + code + " is unknown"));
        int bodyLength = (int) length - 1;
        if (bodyLength > type.maxBodyLength()) {
            throw new ProtocolException("the " + type.label() + " message of " + Check.count(bodyLength, "bytes")
                    + " exceeds the limit of " + type.maxBodyLength());
        }
        BodyReader body = new BodyReader(type, readBody(bodyLength));
        try {
            DeltaMessage message = type.decode(body);
            body.end();
            return Optional.of(message);
        } catch (IllegalArgumentException invalid) {
            // The record constructors validate; from the peer, an invalid value is a protocol error.
            throw new ProtocolException(invalid.getMessage(), invalid);
        }
    }

    /**
     * Whether bytes of a next message have arrived, so that {@link #read()} will not wait long: a
     * peer that promised to send only one kind of message can be checked for it between steps.
     */
    public boolean ready() throws IOException {
        return in.available() > 0;
    }

    /**
     * The next message, where the peer may not close: a clean end of the stream is a
     * {@link ProtocolException} too, naming what was awaited.
     */
    public DeltaMessage readRequired(String awaited) throws IOException {
        return read().orElseThrow(() -> new ProtocolException("the peer closed the stream while " + awaited));
    }

    /** The three bytes of the length after the first. */
    private int readLengthTail() throws IOException {
        int value = 0;
        for (int i = 1; i < 4; i++) {
            int b = in.read();
            if (b < 0) {
                throw new ProtocolException("truncated message: expected 4 bytes of length, got " + i);
            }
            value = (value << 8) | b;
        }
        return value;
    }

    private byte[] readBody(int length) throws IOException {
        // What has arrived already is held in memory anyway: a buffer that size costs nothing the
        // peer did not pay for, and saves the copies of doubling (a 1 MiB literal was copied four
        // times on its way in, a fifth of the receiver's time on a whole file).
        byte[] buffer = new byte[Math.min(length, Math.max(FIRST_BUFFER, in.available()))];
        int filled = 0;
        while (filled < length) {
            if (filled == buffer.length) {
                long grown = Math.max(2L * buffer.length, (long) filled + in.available());
                buffer = Arrays.copyOf(buffer, (int) Math.min(length, grown));
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new ProtocolException("truncated message: expected " + Check.count(length, "bytes")
                        + " of body, got " + filled);
            }
            filled += n;
        }
        return buffer;
    }
}
