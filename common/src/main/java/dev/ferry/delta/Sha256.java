package dev.ferry.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;

/** The whole-file digest both sides compare: SHA-256, which every JDK has. */
final class Sha256 {

    private Sha256() {
    }

    /** The JDK's own (SUN) implementation, which uses the CPU's SHA instructions, whatever else is installed. */
    static MessageDigest create() {
        try {
            return MessageDigest.getInstance("SHA-256", "SUN");
        } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException none) {
                throw new IllegalStateException("the JDK has no SHA-256", none);
            }
        }
    }

    /** The SHA-256 of all of {@code file}. */
    static byte[] of(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            return of(in, in.size()).digest();
        }
    }

    /**
     * A SHA-256 fed with the first {@code length} bytes of {@code in}, read by position (the
     * channel's own position is left alone), to be fed further or finished.
     */
    static MessageDigest of(FileChannel in, long length) throws IOException {
        MessageDigest sha = create();
        // sized to what there is: a tree of small files reads a few hundred bytes at a time
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(length, 1)));
        long position = 0;
        while (position < length) {
            buf.clear().limit((int) Math.min(buf.capacity(), length - position));
            int n = in.read(buf, position);
            if (n < 0) {
                throw new IOException("the file is shorter than the " + length + " bytes expected");
            }
            sha.update(buf.flip());
            position += n;
        }
        return sha;
    }
}
