package dev.ferry.delta.protocol;

import java.nio.ByteBuffer;

/**
 * Reads the fields of one message body, already in memory and no longer than its type allows.
 * Every read first checks that the bytes are there, so a field that runs past the frame is a
 * {@link ProtocolException} naming the message, never a {@link java.nio.BufferUnderflowException}.
 */
final class BodyReader {

    private final MessageType type;
    private final ByteBuffer body;

    BodyReader(MessageType type, byte[] body) {
        this.type = type;
        this.body = ByteBuffer.wrap(body);
    }

    int u8() throws ProtocolException {
        need(1);
        return body.get() & 0xff;
    }

    int u16() throws ProtocolException {
        need(2);
        return body.getShort() & 0xffff;
    }

    int i32() throws ProtocolException {
        need(4);
        return body.getInt();
    }

    long i64() throws ProtocolException {
        need(8);
        return body.getLong();
    }

    boolean bool(String what) throws ProtocolException {
        int value = u8();
        if (value > 1) {
            throw new ProtocolException(what + " must be 0 or 1, got " + value);
        }
        return value == 1;
    }

    /**
     * The next {@code length} bytes as a view of the body (writable, backed by its array), without
     * a copy; {@code length} must already be checked against its limit.
     */
    ByteBuffer view(int length) throws ProtocolException {
        need(length);
        ByteBuffer view = body.slice().limit(length);
        body.position(body.position() + length);
        return view;
    }

    /** {@code length} must already be checked against its limit; this checks it against the frame. */
    byte[] bytes(int length) throws ProtocolException {
        need(length);
        byte[] result = new byte[length];
        body.get(result);
        return result;
    }

    /** A uint16 byte count, then that many bytes of UTF-8, at most {@code maxBytes} of them. */
    String utf8(String what, int maxBytes) throws ProtocolException {
        int length = Check.range(what, "bytes", u16(), 0, maxBytes);
        return Utf8.decode(bytes(length), what);
    }

    /** Fails unless {@code count} more bytes are in the body; call before allocating for them. */
    void need(long count) throws ProtocolException {
        if (body.remaining() < count) {
            throw new ProtocolException("the " + type.label() + " message ends early: it needs "
                    + Check.count(count, "more bytes") + ", but " + Check.count(body.remaining(), "bytes") + " remain");
        }
    }

    /** A body longer than its fields is refused: a peer that pads is confused about the format. */
    void end() throws ProtocolException {
        if (body.hasRemaining()) {
            throw new ProtocolException("the " + type.label() + " message has "
                    + Check.count(body.remaining(), "bytes") + " after its last field");
        }
    }
}
