package dev.ferry.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Objects;

import com.dynatrace.hash4j.hashing.HashStream128;

import dev.ferry.delta.protocol.FileDigest;

/**
 * A whole-file digest being taken, of the kind the file's request named: both ends feed it the new
 * file's bytes as they pass and compare the results at {@code FileEnd}. One kind per file, known
 * before the first byte, so neither end ever reads a file twice for it.
 */
final class FileHash {

    private final FileDigest kind;
    private final MessageDigest sha; // SHA256 only
    private final HashStream128 xxh; // XXH3_128 only

    FileHash(FileDigest kind) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.sha = kind == FileDigest.SHA256 ? Sha256.create() : null;
        this.xxh = kind == FileDigest.XXH3_128 ? Xxh3.create() : null;
    }

    FileDigest kind() {
        return kind;
    }

    void update(byte[] b, int off, int len) {
        if (sha != null) {
            sha.update(b, off, len);
        } else {
            xxh.putBytes(b, off, len);
        }
    }

    /** The digest of what was fed, as {@code FileEnd} carries it. */
    byte[] digest() {
        return sha != null ? sha.digest() : Xxh3.bytes(xxh);
    }

    /** The {@code kind} digest of all of {@code file}. */
    static byte[] of(Path file, FileDigest kind) throws IOException {
        FileHash hash = new FileHash(kind);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            // sized to what there is: a tree of small files reads a few hundred bytes at a time
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(in.size(), 1)));
            long position = 0;
            int n;
            while ((n = in.read(buf.clear(), position)) >= 0) {
                hash.update(buf.array(), 0, n);
                position += n;
            }
        }
        return hash.digest();
    }
}
