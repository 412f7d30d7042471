package dev.ferry.delta;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import dev.ferry.delta.protocol.CopyChunks;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.FileEnd;
import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.ProtocolException;

/**
 * Step three: the receiver builds the new file in a temporary file from the sender's instructions,
 * one at a time as they come, reading copied chunks from its old file, and takes the digest of what
 * it writes. Whether the result is right is known at {@code FileEnd}; the caller renames it into
 * place or throws it away.
 *
 * <p>Which digest: the one the file's request named, taken over every byte as it is written; a
 * {@code FileEnd} that carries another kind breaks the protocol.
 */
final class Patch implements Closeable {

    /**
     * What a pass built.
     *
     * @param end        the sender's size, digest, mode and mtime
     * @param verified   the temporary file has that size and digest
     * @param writeNanos time spent writing and syncing, for the sender's estimate of this disk
     */
    record Outcome(FileEnd end, boolean verified, long size, long literalBytes, long matchedBytes, long writeNanos) {
    }

    private static final int COPY_BUFFER = 1 << 20;

    private final Basis basis;
    private final Literals literals;
    private final FileChannel out;
    private final FileChannel from;
    private final FileHash hash;
    private final boolean syncAlways;
    // For copies, made at the first: a file that comes whole never copies (64 KiB for each of a
    // tree's new files was 170 MB of garbage in a sync of 2,600 files); grows to 1 MiB for a long run.
    private byte[] buf = new byte[0];
    private long size;
    private long literalBytes;
    private long matchedBytes;
    private long writeNanos;

    /** Hashes what it is given and writes it to the new file. */
    private final OutputStream hashAndWrite = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digest(b, off, len);
            Patch.this.write(b, off, len);
        }
    };

    /**
     * Writes to {@code out}, the new empty temporary file; {@code from} is the old file
     * {@code basis} describes (null when nothing of it is copied). Both are closed with the patch.
     * {@code digest} is the kind the request named; {@code syncAlways}: sync the file to disk
     * at its end whatever its size (see {@link #syncs}).
     */
    Patch(FileChannel from, Basis basis, FileChannel out, Literals literals, FileDigest digest, boolean syncAlways) {
        this.syncAlways = syncAlways;
        this.hash = new FileHash(digest);
        this.basis = basis;
        this.literals = literals;
        this.out = out;
        this.from = from;
    }

    /** Applies a {@code Literal} or a {@code CopyChunks}. */
    void apply(DeltaMessage m) throws IOException {
        if (m instanceof Literal literal) {
            size = grow(size, literal.rawLength());
            literalBytes += literals.decode(literal, hashAndWrite);
        } else if (m instanceof CopyChunks copy) {
            if (copy.firstChunk() + copy.count() > basis.count()) {
                throw new ProtocolException("an instruction copies chunks " + copy.firstChunk() + ".."
                        + (copy.firstChunk() + copy.count() - 1) + " but the old file's signature has " + basis.count());
            }
            long position = basis.offset(copy.firstChunk());
            long remaining = basis.span(copy.firstChunk(), copy.count());
            size = grow(size, remaining);
            matchedBytes += remaining;
            if (buf.length < COPY_BUFFER && remaining > buf.length) {
                buf = new byte[buf.length == 0 && remaining <= 64 * 1024 ? 64 * 1024 : COPY_BUFFER];
            }
            while (remaining > 0) {
                int n = read(position, (int) Math.min(buf.length, remaining));
                digest(buf, 0, n);
                write(buf, n);
                position += n;
                remaining -= n;
            }
        } else {
            throw new ProtocolException("expected an instruction, got " + m.type());
        }
    }

    /**
     * Whether a verified file of {@code size} bytes is synced to disk before it replaces the old
     * one: always when asked, otherwise from {@link Limits#SYNC_FROM} bytes. A sync costs a real disk
     * a few milliseconds whatever the size (a tree of 2,600 small files, 2,600 of them); rsync syncs
     * nothing unless told (--fsync), and a file renamed over another after a crash is still whole or
     * the old one on ext4 and XFS (both flush a file's data before a rename that replaces one).
     */
    static boolean syncs(long size, boolean always) {
        return always || size >= Limits.SYNC_FROM;
    }

    /** The sender's last word: checks size and digest, and syncs the file to disk if they match and {@link #syncs} says so. */
    Outcome end(FileEnd end) throws IOException {
        if (end.kind() != hash.kind()) {
            throw new ProtocolException("the file was opened for " + hash.kind() + " but ends with " + end.kind());
        }
        boolean verified = end.size() == size && end.digestMatches(hash.digest());
        if (verified && syncs(size, syncAlways)) {
            long start = System.nanoTime();
            out.force(true); // on disk before it can replace the old file
            writeNanos += System.nanoTime() - start;
        }
        return new Outcome(end, verified, size, literalBytes, matchedBytes, writeNanos);
    }

    @Override
    public void close() throws IOException {
        try (FileChannel a = out; FileChannel b = from) {
            // both closed, the first failure thrown
        }
    }

    private static long grow(long size, long n) throws ProtocolException {
        if (size + n > Limits.MAX_FILE_SIZE) {
            throw new ProtocolException("the new file would exceed " + Limits.MAX_FILE_SIZE + " bytes");
        }
        return size + n;
    }

    private void digest(byte[] b, int off, int len) {
        hash.update(b, off, len);
    }

    private void write(byte[] b, int n) throws IOException {
        write(b, 0, n);
    }

    private void write(byte[] b, int off, int n) throws IOException {
        long start = System.nanoTime();
        ByteBuffer bb = ByteBuffer.wrap(b, off, n);
        while (bb.hasRemaining()) {
            out.write(bb);
        }
        writeNanos += System.nanoTime() - start;
    }

    /** Reads exactly {@code n} bytes of the old file at {@code position}. */
    private int read(long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
        while (b.hasRemaining()) {
            if (from.read(b, position + b.position()) < 0) {
                throw new IOException("the old file became shorter while it was being read");
            }
        }
        return n;
    }
}
