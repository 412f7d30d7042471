package dev.ferry.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;

import dev.ferry.delta.protocol.CopyChunks;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.FileEnd;
import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.ProtocolException;

/**
 * Step three: the receiver builds the new file in a temporary file from the sender's instructions,
 * reading copied chunks from its old file, and takes the SHA-256 of what it writes. Whether the
 * result is right is known at {@code FileEnd}; the caller renames it into place or throws it away.
 */
public final class Patch {

    /**
     * What a pass built.
     *
     * @param end      the sender's size, SHA-256, mode and mtime
     * @param verified the temporary file has that size and SHA-256
     */
    public record Outcome(FileEnd end, boolean verified, long size, long literalBytes, long matchedBytes) {
    }

    private static final int COPY_BUFFER = 1 << 20;

    private Patch() {
    }

    /**
     * Reads instructions until {@code FileEnd} and writes the new file to {@code temp} (created empty
     * by the caller). {@code old} is the file {@code basis} describes (null when there is none).
     */
    public static Outcome apply(MessageReader in, Path old, Basis basis, Path temp, boolean zstd) throws IOException {
        Literals literals = new Literals(zstd);
        MessageDigest sha = Sha256.create();
        byte[] buf = new byte[64 * 1024]; // grows to what the instructions need, up to 1 MiB
        long size = 0;
        long literalBytes = 0;
        long matchedBytes = 0;
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                FileChannel from = old == null ? null : FileChannel.open(old, StandardOpenOption.READ)) {
            while (true) {
                DeltaMessage m = in.readRequired("the next instruction");
                if (m instanceof Literal literal) {
                    if (buf.length < literal.rawLength()) {
                        buf = new byte[Math.max(literal.rawLength(), Math.min(COPY_BUFFER, buf.length * 4))];
                    }
                    int n = literals.decode(literal, buf);
                    size = grow(size, n);
                    sha.update(buf, 0, n);
                    write(out, buf, n);
                    literalBytes += n;
                } else if (m instanceof CopyChunks copy) {
                    if (copy.firstChunk() + copy.count() > basis.count()) {
                        throw new ProtocolException("an instruction copies chunks " + copy.firstChunk() + ".."
                                + (copy.firstChunk() + copy.count() - 1) + " but the old file has " + basis.count());
                    }
                    long position = basis.offset(copy.firstChunk());
                    long remaining = basis.span(copy.firstChunk(), copy.count());
                    size = grow(size, remaining);
                    matchedBytes += remaining;
                    if (buf.length < COPY_BUFFER && remaining > buf.length) {
                        buf = new byte[COPY_BUFFER];
                    }
                    while (remaining > 0) {
                        int n = read(from, position, buf, (int) Math.min(buf.length, remaining));
                        sha.update(buf, 0, n);
                        write(out, buf, n);
                        position += n;
                        remaining -= n;
                    }
                } else if (m instanceof FileEnd end) {
                    boolean verified = end.size() == size && Arrays.equals(end.sha256(), sha.digest());
                    if (verified) {
                        out.force(true); // on disk before it can replace the old file
                    }
                    return new Outcome(end, verified, size, literalBytes, matchedBytes);
                } else if (m instanceof Failure f) {
                    throw new DeltaFailure(f.reason());
                } else {
                    throw new ProtocolException("expected an instruction, got " + m.type());
                }
            }
        }
    }

    private static long grow(long size, long n) throws ProtocolException {
        if (size + n > Limits.MAX_FILE_SIZE) {
            throw new ProtocolException("the new file would exceed " + Limits.MAX_FILE_SIZE + " bytes");
        }
        return size + n;
    }

    private static void write(FileChannel out, byte[] buf, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Reads exactly {@code n} bytes of the old file at {@code position}. */
    private static int read(FileChannel from, long position, byte[] buf, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
        while (b.hasRemaining()) {
            if (from.read(b, position + b.position()) < 0) {
                throw new IOException("the old file became shorter while it was being read");
            }
        }
        return n;
    }
}
