package dev.ferry.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.StreamChunker;
import dev.ferry.delta.protocol.CopyChunks;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.FileEnd;
import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.fs.FileStamp;

/**
 * Step two: the sender chunks the new file with the receiver's parameters and, chunk by chunk,
 * sends either a reference to an equal old chunk (runs of consecutive ones merged into one
 * instruction) or the bytes, gathered into literals of up to 1 MiB. The whole-file digest the
 * request named ({@link FileDigest}) is taken in the same pass (or, after a two-level signature,
 * alongside it: {@link NewChunks.Ahead}) and sent last, with the size, mode and mtime.
 */
public final class Diff {

    /**
     * What one pass sent.
     *
     * @param literalWireBytes  the literals' bytes on the wire (compressed or not)
     * @param firstLiteralNanos {@link System#nanoTime()} when the first literal went out (0: none)
     * @param changed           the file changed while it was read: it was ended so that the receiver
     *                          keeps its old copy ({@link #end})
     */
    public record Stats(long size, long literalBytes, long matchedBytes, long literalWireBytes, long firstLiteralNanos,
            boolean changed) {
    }

    private final MessageWriter out;
    private final Literals literals;
    private final byte[] pending;
    private int pendingLength;
    private long runFirst = -1;
    private int runCount;
    private long literalBytes;
    private long matchedBytes;
    private long literalWireBytes;
    private long firstLiteralNanos;

    private Diff(MessageWriter out, boolean zstd, long fileSize) {
        this.out = out;
        this.literals = new Literals(zstd);
        this.pending = new byte[(int) Math.min(Limits.MAX_LITERAL_BYTES, Math.max(fileSize, 1))];
    }

    /**
     * Sends all of {@code file} as literals, then {@code FileEnd}: what a file with nothing to match
     * against costs, without chunking and digesting it for nothing. Does not flush.
     */
    public static Stats sendWhole(Path file, boolean zstd, FileDigest kind, int mode, long mtimeMillis,
            MessageWriter out) throws IOException {
        return sendWhole(file, null, zstd, kind, mode, mtimeMillis, out);
    }

    /** As above; {@code before} (null: not checked) is the file as it was when its request went out. */
    public static Stats sendWhole(Path file, FileStamp before, boolean zstd, FileDigest kind, int mode,
            long mtimeMillis, MessageWriter out) throws IOException {
        FileHash digest = new FileHash(kind);
        long size = 0;
        Diff diff;
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            diff = new Diff(out, zstd, in.size());
            int n;
            while ((n = fill(in, diff.pending)) > 0) {
                digest.update(diff.pending, 0, n);
                size += n;
                diff.literalBytes += n;
                diff.pendingLength = n;
                diff.flushLiteral();
            }
        }
        boolean changed = end(file, before, size, kind, digest.digest(), mode, mtimeMillis, out);
        return new Stats(size, diff.literalBytes, 0, diff.literalWireBytes, diff.firstLiteralNanos, changed);
    }

    /**
     * Sends the instructions that turn the receiver's old file (as {@code index} knows it) into
     * {@code file}, then {@code FileEnd}. Does not flush.
     */
    public static Stats send(Path file, ChunkerParams params, ChunkIndex index, boolean zstd, FileDigest kind,
            int mode, long mtimeMillis, MessageWriter out) throws IOException {
        return send(file, null, params, index, zstd, kind, mode, mtimeMillis, out);
    }

    /** As above; {@code before} (null: not checked) is the file as it was when its request went out. */
    public static Stats send(Path file, FileStamp before, ChunkerParams params, ChunkIndex index, boolean zstd,
            FileDigest kind, int mode, long mtimeMillis, MessageWriter out) throws IOException {
        FileHash digest = new FileHash(kind);
        long size = 0;
        Diff diff;
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            diff = new Diff(out, zstd, in.size());
            StreamChunker chunks = new StreamChunker(params, in, Signature.bufferFor(params, in.size()));
            while (chunks.next()) {
                byte[] buf = chunks.buffer();
                int off = chunks.bufferOffset();
                int len = chunks.length();
                digest.update(buf, off, len);
                size += len;
                long found = index.chunks() == 0 ? -1 : index.find(ChunkDigest.of(buf, off, len));
                if (found >= 0) {
                    diff.copy(found, len);
                } else {
                    diff.literal(buf, off, len);
                }
            }
        }
        diff.flushRun();
        diff.flushLiteral();
        boolean changed = end(file, before, size, kind, digest.digest(), mode, mtimeMillis, out);
        return new Stats(size, diff.literalBytes, diff.matchedBytes, diff.literalWireBytes, diff.firstLiteralNanos,
                changed);
    }

    /**
     * Sends the instructions for {@code file}, whose chunks the first pass found ({@code fresh}), with
     * {@code oldChunk} naming for each chunk an old chunk with its content (-1: none), then
     * {@code FileEnd} with the first pass's size and the digest {@code hashing} takes meanwhile.
     * Reads only the literal bytes. Should the file change between the passes, what is read now goes
     * (zeros past a new end, so the stream stays in step) and the receiver finds that the digest
     * does not match. Does not flush.
     */
    static Stats sendPlanned(Path file, FileStamp before, NewChunks fresh, long[] oldChunk, NewChunks.Ahead hashing,
            boolean zstd, int mode, long mtimeMillis, MessageWriter out) throws IOException {
        Diff diff = new Diff(out, zstd, fresh.size());
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long offset = 0;
            long literalStart = -1;
            for (int c = 0; c < fresh.count(); c++) {
                int len = fresh.length(c);
                if (oldChunk[c] >= 0) {
                    if (literalStart >= 0) {
                        diff.literalFrom(in, literalStart, offset - literalStart);
                        literalStart = -1;
                    }
                    diff.copy(oldChunk[c], len);
                } else if (literalStart < 0) {
                    literalStart = offset;
                }
                offset += len;
            }
            if (literalStart >= 0) {
                diff.literalFrom(in, literalStart, offset - literalStart);
            }
        }
        diff.flushRun();
        diff.flushLiteral();
        // The digest is the first pass's, the literals the second's: a change between the two is
        // caught here too.
        boolean changed = end(file, before, fresh.size(), hashing.kind(), hashing.digest(), mode, mtimeMillis, out);
        return new Stats(fresh.size(), diff.literalBytes, diff.matchedBytes, diff.literalWireBytes,
                diff.firstLiteralNanos, changed);
    }

    /**
     * Writes the file's {@code FileEnd}; returns whether the file changed while it was read
     * ({@link FileStamp}), and then ends it with the digest's every bit inverted. The protocol has
     * no message that withdraws a file once its instructions went, and needs none: a digest that
     * cannot match what the receiver built makes any receiver (this version or an older one) keep
     * its old copy and say so (a Retry or a failed Result), which the sender then reports as the
     * change, without a second pass.
     */
    private static boolean end(Path file, FileStamp before, long read, FileDigest kind, byte[] digest, int mode,
            long mtimeMillis, MessageWriter out) throws IOException {
        boolean changed = before != null && before.changed(read, stampOf(FileFacts.of(file)));
        if (changed) {
            for (int i = 0; i < digest.length; i++) {
                digest[i] = (byte) ~digest[i];
            }
        }
        out.write(new FileEnd(read, kind, digest, mode, mtimeMillis));
        return changed;
    }

    /**
     * A stamp from the facts the delta steps read anyway (no stat of its own before the read): size
     * and modification time to the millisecond, finer than the kernel's file clock ticks. Without
     * the file's identity: a file replaced by a rename while it was read was read whole, one version.
     */
    static FileStamp stampOf(FileFacts f) {
        return f == null ? null : new FileStamp(f.size(), FileTime.fromMillis(f.mtimeMillis()), null);
    }

    /** Sends {@code length} bytes of {@code in} from {@code position} as literal data. */
    private void literalFrom(FileChannel in, long position, long length) throws IOException {
        flushRun();
        literalBytes += length;
        while (length > 0) {
            int n = (int) Math.min(length, pending.length - pendingLength);
            ByteBuffer b = ByteBuffer.wrap(pending, pendingLength, n);
            while (b.hasRemaining()) {
                int read = in.read(b, position + (b.position() - pendingLength));
                if (read < 0) { // shorter than in the first pass
                    Arrays.fill(pending, b.position(), pendingLength + n, (byte) 0);
                    break;
                }
            }
            pendingLength += n;
            position += n;
            length -= n;
            if (pendingLength == pending.length) {
                flushLiteral();
            }
        }
    }

    /** Reads until {@code buf} is full or the file ends; returns the bytes read. */
    private static int fill(SeekableByteChannel in, byte[] buf) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf);
        while (b.hasRemaining() && in.read(b) >= 0) {
            continue;
        }
        return b.position();
    }

    private void copy(long index, int length) throws IOException {
        flushLiteral();
        if (runCount > 0 && runFirst + runCount == index && runCount < Integer.MAX_VALUE) {
            runCount++;
        } else {
            flushRun();
            runFirst = index;
            runCount = 1;
        }
        matchedBytes += length;
    }

    private void literal(byte[] buf, int off, int len) throws IOException {
        flushRun();
        literalBytes += len;
        while (len > 0) {
            int n = Math.min(len, pending.length - pendingLength);
            System.arraycopy(buf, off, pending, pendingLength, n);
            pendingLength += n;
            off += n;
            len -= n;
            if (pendingLength == pending.length) {
                flushLiteral();
            }
        }
    }

    private void flushRun() throws IOException {
        if (runCount > 0) {
            out.write(new CopyChunks(runFirst, runCount));
            runCount = 0;
        }
    }

    private void flushLiteral() throws IOException {
        if (pendingLength > 0) {
            if (firstLiteralNanos == 0) {
                firstLiteralNanos = System.nanoTime();
            }
            Literal literal = literals.encode(pending, 0, pendingLength);
            literalWireBytes += literal.dataLength();
            out.write(literal);
            pendingLength = 0;
        }
    }
}
