package dev.ferry.delta;

import java.io.IOException;
import java.io.OutputStream;

import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;

import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.LiteralCodec;
import dev.ferry.delta.protocol.ProtocolException;

/**
 * New bytes on the wire: as they are, or as one zstd frame (aircompressor's pure-Java zstd) when
 * both sides offered it and it actually saves bytes; random or already compressed data goes as it
 * is, so compression never costs wire bytes. Data that did not compress is not tried again for a
 * while (1 MiB, doubling to 64 MiB while it stays so), so a file of random bytes costs a few probes
 * of compression time rather than a pass over the whole file.
 */
final class Literals {

    /**
     * Shorter literals go as they are: alone, a few hundred bytes of source compress to about half
     * (zstd's frame and tables weigh on so little), and each frame costs a fresh compression
     * context. On a tree of source files this keeps most of the savings at a third of the time.
     */
    static final int MIN_COMPRESSED = 512;

    /** Bytes sent as they are after a literal that did not compress, at first. */
    static final long FIRST_SKIP = 1L << 20;

    /** The longest stretch sent without trying. */
    static final long MAX_SKIP = 64L << 20;

    /**
     * A longer literal is judged by its first this many bytes before all of it is compressed:
     * compressing a megabyte of random data to learn that it does not compress cost a cold client
     * a tenth of its time on a 1 GiB file sent whole.
     */
    static final int PROBE = 64 * 1024;

    /**
     * zstd's tables and the buffers around them, one set per thread for all the files it sends or
     * receives: a set per file (a decompressor's tables are about 200 KB) cost a sync of a tree of
     * 2,600 small files 400 MB of short-lived allocation that outlived the young generation, and
     * 1.3 s of the collector's pauses. Every call uses them from start to end (the literals copy
     * what they keep), so the files that take turns on a thread can share them.
     */
    private static final class Workspace {
        private ZstdCompressor compressor; // made on first use: a side only compresses or only decompresses
        private ZstdDecompressor decompressor;
        private byte[] scratch = new byte[0]; // compressed bytes
        private byte[] decoded = new byte[0]; // decompressed bytes
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final boolean zstd;
    private long offered; // raw bytes encoded so far
    private long tryAgainAt; // raw bytes encoded before compression is tried again
    private long skip = FIRST_SKIP;
    private int attempts;
    private long triedBytes;

    Literals(boolean zstd) {
        this.zstd = zstd;
    }

    /** The literal for {@code len} new bytes of {@code buf} from {@code off}. */
    Literal encode(byte[] buf, int off, int len) {
        long at = offered;
        offered += len;
        if (zstd && at >= tryAgainAt && len >= MIN_COMPRESSED) {
            attempts++;
            Workspace w = WORKSPACE.get();
            if (w.compressor == null) {
                w.compressor = new ZstdCompressor();
            }
            if (len <= PROBE || worthIt(PROBE, compress(w, buf, off, PROBE))) {
                int n = compress(w, buf, off, len);
                if (worthIt(len, n)) {
                    skip = FIRST_SKIP;
                    return Literal.compressed(w.scratch, 0, n, LiteralCodec.ZSTD, len);
                }
            }
            tryAgainAt = offered + skip; // saved under 1/16: not worth the time it takes
            skip = Math.min(MAX_SKIP, skip * 2);
        }
        return Literal.raw(buf, off, len);
    }

    /** Compresses {@code len} bytes into the workspace's scratch; returns the compressed length. */
    private int compress(Workspace w, byte[] buf, int off, int len) {
        int max = w.compressor.maxCompressedLength(len);
        if (w.scratch.length < max) {
            w.scratch = new byte[max];
        }
        triedBytes += len;
        return w.compressor.compress(buf, off, len, w.scratch, 0, w.scratch.length);
    }

    /** Whether {@code len} bytes compressed to {@code compressed} saved at least 1/16. */
    private static boolean worthIt(int len, int compressed) {
        return compressed < len - len / 16;
    }

    /** Bytes compression was tried on, probes included. */
    long triedBytes() {
        return triedBytes;
    }

    /** How many literals compression was tried on. */
    int attempts() {
        return attempts;
    }

    /**
     * Writes the bytes {@code literal} stands for to {@code to}, an uncompressed one straight from
     * its message; returns how many ({@code literal.rawLength()}).
     */
    int decode(Literal literal, OutputStream to) throws IOException {
        if (literal.codec() == LiteralCodec.NONE) {
            literal.writeDataTo(to);
            return literal.dataLength();
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
            Workspace w = WORKSPACE.get();
            if (w.decompressor == null) {
                w.decompressor = new ZstdDecompressor();
            }
            if (w.decoded.length < literal.rawLength()) {
                w.decoded = new byte[Math.max(literal.rawLength(),
                        Math.min(Limits.MAX_LITERAL_BYTES, 2 * w.decoded.length))];
            }
            int n = w.decompressor.decompress(data, 0, data.length, w.decoded, 0, literal.rawLength());
            if (n != literal.rawLength()) {
                throw new ProtocolException("a zstd literal decoded to " + n + " bytes, not " + literal.rawLength());
            }
            to.write(w.decoded, 0, n);
            return n;
        } catch (RuntimeException e) { // aircompressor's MalformedInputException among them
            // Any exception the decoder throws on the peer's bytes is the peer's error: it has thrown
            // IllegalStateException for a frame header without sizes (found by LiteralsFuzzTest),
            // beside the IllegalArgumentException and IndexOutOfBoundsException it documents.
            throw new ProtocolException("a zstd literal is corrupt: " + e.getMessage());
        }
    }
}
