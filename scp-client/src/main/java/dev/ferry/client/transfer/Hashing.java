package dev.ferry.client.transfer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of the first bytes of a stream: how a partial file is proved to be a prefix of its source,
 * and how {@code ferry sync --checksum} compares two files.
 */
public final class Hashing {

    private Hashing() {
    }

    public static byte[] sha256(InputStream in, long length) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("the file is shorter than " + length + " bytes");
            }
            sha.update(buffer, 0, n);
            left -= n;
        }
        return sha.digest();
    }
}
