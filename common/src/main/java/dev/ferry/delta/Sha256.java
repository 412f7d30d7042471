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
        MessageDigest sha = create();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buf.clear()) >= 0) {
                sha.update(buf.flip());
            }
        }
        return sha.digest();
    }
}
