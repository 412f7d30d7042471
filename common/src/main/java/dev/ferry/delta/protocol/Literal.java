package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Instruction: append these new bytes to the new file. A longer run of new bytes is sent as several
 * literals of at most {@value Limits#MAX_LITERAL_BYTES} each, so the receiver never holds more.
 *
 * <p>The data are copied in, so the caller may reuse its buffer; read them back without a copy
 * through {@link #dataView()} or {@link #writeDataTo(OutputStream)} ({@link #data()} copies).
 *
 * <p>Wire: uint8 codec, int32 raw length, int32 data length, the data.
 *
 * @param data      the bytes as sent: 1 to {@value Limits#MAX_LITERAL_BYTES} of them
 * @param codec     how they are coded
 * @param rawLength the length once decoded, 1 to {@value Limits#MAX_LITERAL_BYTES}; for
 *                  {@link LiteralCodec#NONE} the data length, so the receiver can size its buffer
 *                  before decompressing
 */
public record Literal(byte[] data, LiteralCodec codec, int rawLength) implements DeltaMessage {

    static final int MAX_BODY = 1 + 4 + 4 + Limits.MAX_LITERAL_BYTES;

    public Literal {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(codec, "codec");
        Check.range("a literal", "bytes", data.length, 1, Limits.MAX_LITERAL_BYTES);
        Check.range("a literal's raw length", "bytes", rawLength, 1, Limits.MAX_LITERAL_BYTES);
        if (codec == LiteralCodec.NONE && rawLength != data.length) {
            throw new IllegalArgumentException("an uncompressed literal of " + Check.count(data.length, "bytes")
                    + " must have a raw length of " + data.length + ", got " + rawLength);
        }
        data = data.clone();
    }

    /** New bytes as they are. */
    public static Literal raw(byte[] data) {
        return new Literal(data, LiteralCodec.NONE, data.length);
    }

    /** New bytes as they are, from part of a buffer. */
    public static Literal raw(byte[] buffer, int offset, int length) {
        return raw(Arrays.copyOfRange(buffer, offset, offset + length));
    }

    /** A copy of the data. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The data without a copy, read-only. */
    public ByteBuffer dataView() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    public int dataLength() {
        return data.length;
    }

    public void writeDataTo(OutputStream out) throws IOException {
        out.write(data);
    }

    @Override
    public MessageType type() {
        return MessageType.LITERAL;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeByte(codec.code());
        out.writeInt(rawLength);
        out.writeInt(data.length);
        out.write(data);
    }

    static Literal read(BodyReader in) throws ProtocolException {
        int code = in.u8();
        LiteralCodec codec = LiteralCodec.ofCode(code)
                .orElseThrow(() -> new ProtocolException("literal codec " + code + " is unknown"));
        int rawLength = in.i32();
        int length = Check.range("a literal", "bytes", in.i32(), 1, Limits.MAX_LITERAL_BYTES);
        return new Literal(in.bytes(length), codec, rawLength);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Literal that && codec == that.codec && rawLength == that.rawLength
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(codec, rawLength) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Literal[codec=" + codec + ", rawLength=" + rawLength + ", data=" + Hex.preview(data) + "]";
    }
}
