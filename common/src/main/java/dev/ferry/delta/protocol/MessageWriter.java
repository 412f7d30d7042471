package dev.ferry.delta.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes ferry-delta messages to a byte stream. Each frame is built in memory and written with one
 * call, so that it leaves in as few SSH packets as the channel allows; a literal's data follow in a
 * second call, straight from the message (the channel's stream packs both into the same packets).
 * {@link #write} does not flush: a sender writes a run of instructions and flushes once, when it
 * waits for an answer or has nothing more to send. Not thread-safe.
 */
public final class MessageWriter {

    private static final int HEADER = 4 + 1;

    private final OutputStream out;
    private final FrameBuffer frame = new FrameBuffer();
    private final DataOutputStream body = new DataOutputStream(frame);

    public MessageWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    public void write(DeltaMessage message) throws IOException {
        MessageType type = message.type();
        frame.startFrame();
        message.writeBody(body);
        body.flush();
        int bodyLength = frame.size() - HEADER + message.tailLength();
        if (bodyLength > type.maxBodyLength()) {
            // The constructors keep every field within its limit, so this is a bug in an encoder.
            throw new IllegalStateException("encoded a " + type.label() + " message of " + bodyLength
                    + " bytes, beyond its limit of " + type.maxBodyLength());
        }
        frame.finishFrame(bodyLength + 1, type.code());
        frame.writeTo(out);
        message.writeTail(out);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** A buffer that keeps room for the header and fills it in once the body's length is known. */
    private static final class FrameBuffer extends ByteArrayOutputStream {

        FrameBuffer() {
            super(8 * 1024);
        }

        void startFrame() {
            reset();
            write(new byte[HEADER], 0, HEADER);
        }

        void finishFrame(int length, int code) {
            buf[0] = (byte) (length >>> 24);
            buf[1] = (byte) (length >>> 16);
            buf[2] = (byte) (length >>> 8);
            buf[3] = (byte) length;
            buf[4] = (byte) code;
        }
    }
}
