package dev.ferry.delta;

import java.util.Arrays;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;

import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.LiteralCodec;
import dev.ferry.delta.protocol.ProtocolException;

/**
 * New bytes on the wire: as they are, or as one zstd frame (aircompressor's pure-Java zstd) when
 * both sides offered it and it actually saves bytes; random or already compressed data goes as it
 * is, so compression never costs wire bytes.
 */
final class Literals {

    private final boolean zstd;
    private final ZstdCompressor compressor;
    private final ZstdDecompressor decompressor = new ZstdDecompressor();
    private byte[] scratch = new byte[0];

    Literals(boolean zstd) {
        this.zstd = zstd;
        this.compressor = zstd ? new ZstdCompressor() : null;
    }

    /** The literal for {@code len} new bytes of {@code buf} from {@code off}. */
    Literal encode(byte[] buf, int off, int len) {
        if (zstd) {
            int max = compressor.maxCompressedLength(len);
            if (scratch.length < max) {
                scratch = new byte[max];
            }
            int n = compressor.compress(buf, off, len, scratch, 0, scratch.length);
            if (n < len) {
                return new Literal(Arrays.copyOf(scratch, n), LiteralCodec.ZSTD, len);
            }
        }
        return Literal.raw(buf, off, len);
    }

    /** Decodes {@code literal} into {@code out} (at least {@link Limits#MAX_LITERAL_BYTES}); returns its length. */
    int decode(Literal literal, byte[] out) throws ProtocolException {
        if (literal.codec() == LiteralCodec.NONE) { // straight from the message, no copy of a copy
            int n = literal.dataLength();
            literal.dataView().get(out, 0, n);
            return n;
        }
        byte[] data = literal.data();
        if (!zstd) {
            throw new ProtocolException("a zstd literal came, but zstd was not agreed");
        }
        try {
            long declared = ZstdDecompressor.getDecompressedSize(data, 0, data.length);
            if (declared != literal.rawLength()) {
                throw new ProtocolException("a zstd literal declares " + declared + " bytes but its message "
                        + literal.rawLength());
            }
            int n = decompressor.decompress(data, 0, data.length, out, 0, literal.rawLength());
            if (n != literal.rawLength()) {
                throw new ProtocolException("a zstd literal decoded to " + n + " bytes, not " + literal.rawLength());
            }
            return n;
        } catch (MalformedInputException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new ProtocolException("a zstd literal is corrupt: " + e.getMessage());
        }
    }
}
