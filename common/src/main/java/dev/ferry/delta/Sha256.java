package dev.ferry.delta;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;

/** SHA-256, one of the whole-file digests ({@link FileHash}), which every JDK has. */
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
}
