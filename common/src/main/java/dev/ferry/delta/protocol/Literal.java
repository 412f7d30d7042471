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
 * <p>A class rather than a record, because its bytes are the bulk of a transfer: the public
 * constructor copies them in, so the caller may reuse its buffer, but {@link #raw(byte[], int, int)}
 * and the reader make one copy only, the reader none beyond the message's own body, and the writer
 * sends them straight from here ({@link #writeTail}). Read them back without a copy through
 * {@link #dataView()}; {@link #data()} copies.
 *
 * <p>Wire: uint8 codec, int32 raw length, int32 data length, the data.
 */
public final class Literal implements DeltaMessage {

    static final int MAX_BODY = 1 + 4 + 4 + Limits.MAX_LITERAL_BYTES;

    private final byte[] data; // owned: nothing else writes to it
    private final int offset;
    private final int length;
    private final LiteralCodec codec;
    private final int rawLength;

    /**
     * @param data      the bytes as sent: 1 to {@value Limits#MAX_LITERAL_BYTES} of them, copied
     * @param codec     how they are coded
     * @param rawLength the length once decoded, 1 to {@value Limits#MAX_LITERAL_BYTES}; for
     *                  {@link LiteralCodec#NONE} the data length, so the receiver can size its buffer
     *                  before decompressing
     */
    public Literal(byte[] data, LiteralCodec codec, int rawLength) {
        this(Objects.requireNonNull(data, "data").clone(), 0, data.length, codec, rawLength);
    }

    /** Takes {@code data} from {@code offset} for {@code length} as its own, without a copy. */
    private Literal(byte[] data, int offset, int length, LiteralCodec codec, int rawLength) {
        Objects.requireNonNull(codec, "codec");
        Check.range("a literal", "bytes", length, 1, Limits.MAX_LITERAL_BYTES);
        Check.range("a literal's raw length", "bytes", rawLength, 1, Limits.MAX_LITERAL_BYTES);
        if (codec == LiteralCodec.NONE && rawLength != length) {
            throw new IllegalArgumentException("an uncompressed literal of " + Check.count(length, "bytes")
                    + " must have a raw length of " + length + ", got " + rawLength);
        }
        this.data = data;
        this.offset = offset;
        this.length = length;
        this.codec = codec;
        this.rawLength = rawLength;
    }

    /** New bytes as they are. */
    public static Literal raw(byte[] data) {
        return new Literal(data, LiteralCodec.NONE, data.length);
    }

    /** New bytes as they are, copied from part of a buffer. */
    public static Literal raw(byte[] buffer, int offset, int length) {
        return new Literal(Arrays.copyOfRange(buffer, offset, offset + length), 0, length, LiteralCodec.NONE,
                length);
    }

    /** Compressed bytes, {@code length} of them from {@code offset}, copied; {@code rawLength} once decoded. */
    public static Literal compressed(byte[] buffer, int offset, int length, LiteralCodec codec, int rawLength) {
        return new Literal(Arrays.copyOfRange(buffer, offset, offset + length), 0, length, codec, rawLength);
    }

    /** A copy of the data. */
    public byte[] data() {
        return Arrays.copyOfRange(data, offset, offset + length);
    }

    /** The data without a copy, read-only. */
    public ByteBuffer dataView() {
        return ByteBuffer.wrap(data, offset, length).slice().asReadOnlyBuffer();
    }

    public int dataLength() {
        return length;
    }

    public LiteralCodec codec() {
        return codec;
    }

    public int rawLength() {
        return rawLength;
    }

    public void writeDataTo(OutputStream out) throws IOException {
        out.write(data, offset, length);
    }

    @Override
    public MessageType type() {
        return MessageType.LITERAL;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeByte(codec.code());
        out.writeInt(rawLength);
        out.writeInt(length);
    }

    @Override
    public int tailLength() {
        return length;
    }

    @Override
    public void writeTail(OutputStream out) throws IOException {
        writeDataTo(out);
    }

    static Literal read(BodyReader in) throws ProtocolException {
        int code = in.u8();
        LiteralCodec codec = LiteralCodec.ofCode(code)
                .orElseThrow(() -> new ProtocolException("literal codec " + code + " is unknown"));
        int rawLength = in.i32();
        int length = Check.range("a literal", "bytes", in.i32(), 1, Limits.MAX_LITERAL_BYTES);
        ByteBuffer view = in.view(length); // the body is this message's alone
        return new Literal(view.array(), view.arrayOffset() + view.position(), length, codec, rawLength);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Literal that && codec == that.codec && rawLength == that.rawLength
                && Arrays.equals(data, offset, offset + length, that.data, that.offset, that.offset + that.length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + data[i];
        }
        return Objects.hash(codec, rawLength) * 31 + h;
    }

    @Override
    public String toString() {
        return "Literal[codec=" + codec + ", rawLength=" + rawLength + ", data=" + Hex.preview(data()) + "]";
    }
}
