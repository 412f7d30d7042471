package dev.ferry.client.kex;

import static dev.ferry.client.kex.Sntrup761Ring.P;
import static dev.ferry.client.kex.Sntrup761Ring.ROUNDED_BYTES;
import static dev.ferry.client.kex.Sntrup761Ring.SMALL_BYTES;
import static dev.ferry.client.kex.Sntrup761Ring.W;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The client's half of the Streamlined NTRU Prime 761 KEM (the post-quantum part of
 * sntrup761x25519): making a key pair and decapsulating the server's ciphertext, bit for bit as
 * the NTRU Prime reference code (which OpenSSH's sntrup761.c is) and BouncyCastle do.
 *
 * <p>Why Ferry has its own: BouncyCastle reduces every coefficient through a helper that allocates
 * an array, some five million per key pair and two million per decapsulation, so a fresh JVM spends
 * 0.2-0.5 s in it, part of it on the connection's critical path to OpenSSH 9.0-9.8, whose default
 * this is. The same steps on plain int arithmetic ({@link Sntrup761Ring}) take milliseconds once
 * the JVM compiles their loops, which it does within the first call. Each key pair is ephemeral:
 * made for one key exchange, used once, dropped.
 *
 * <p>Checked by the tests against BouncyCastle: from the same random bytes the same key pair; its
 * encapsulations decapsulated to the same secret, a tampered one rejected to the same substitute.
 */
public final class Sntrup761 {

    /** Bytes of a public key and of a ciphertext, as OpenSSH's sntrup761.c. */
    public static final int PUBLIC_KEY_BYTES = Sntrup761Ring.RQ_BYTES;
    public static final int CIPHERTEXT_BYTES = ROUNDED_BYTES + 32;

    private Sntrup761() {
    }

    /** A fresh key pair ({@code KEM_KeyGen}). */
    public static KeyPair generate(SecureRandom random) {
        int[] g = new int[P];
        int[] ginv = new int[P];
        do {
            smallRandom(random, g);
        } while (!Sntrup761Ring.r3Reciprocal(ginv, g));
        int[] f = new int[P];
        shortRandom(random, f);

        int[] h = Sntrup761Ring.rqMultiplySmall(Sntrup761Ring.rqReciprocalOfThreeTimes(f), g);
        byte[] publicKey = Sntrup761Ring.rqEncode(h);
        byte[] rho = new byte[SMALL_BYTES];
        random.nextBytes(rho);
        return new KeyPair(f, ginv, h, publicKey, rho, hash(4, publicKey));
    }

    /** Uniform coefficients in {-1, 0, 1} ({@code Small_random}). */
    private static void smallRandom(SecureRandom random, int[] out) {
        int[] words = randomWords(random, P);
        for (int i = 0; i < P; i++) {
            out[i] = (int) ((((words[i] & 0x3fffffffL) * 3) >>> 30) - 1);
        }
    }

    /**
     * Exactly W coefficients of ±1 at random places, the rest 0 ({@code Short_random}): W random
     * words tagged ±1 in their low bits, the others tagged 0, sorted by the random high bits with a
     * sorting network, so that no branch and no address depends on the secret.
     */
    private static void shortRandom(SecureRandom random, int[] out) {
        int[] list = randomWords(random, P);
        for (int i = 0; i < W; i++) {
            list[i] &= -2;
        }
        for (int i = W; i < P; i++) {
            list[i] = (list[i] & -3) | 1;
        }
        Sntrup761Ring.sort(list);
        for (int i = 0; i < P; i++) {
            out[i] = (list[i] & 3) - 1;
        }
    }

    /** Little-endian words from the random bytes, taken in one read. */
    private static int[] randomWords(SecureRandom random, int n) {
        byte[] bytes = new byte[4 * n];
        random.nextBytes(bytes);
        int[] words = new int[n];
        for (int i = 0; i < n; i++) {
            words[i] = (bytes[4 * i] & 0xff) | (bytes[4 * i + 1] & 0xff) << 8
                    | (bytes[4 * i + 2] & 0xff) << 16 | (bytes[4 * i + 3] & 0xff) << 24;
        }
        return words;
    }

    /** The first half of SHA-512 over a prefix byte and the inputs ({@code Hash_prefix}). */
    private static byte[] hash(int prefix, byte[]... inputs) {
        try {
            MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
            sha512.update((byte) prefix);
            for (byte[] input : inputs) {
                sha512.update(input);
            }
            return Arrays.copyOf(sha512.digest(), 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-512", e);
        }
    }

    /** One ephemeral key pair: the secret f and 1/g, the public h, and the reference's extras. */
    public static final class KeyPair {
        private final int[] f;
        private final int[] ginv;
        private final int[] h;
        private final byte[] publicKey;
        private final byte[] rho;
        private final byte[] publicKeyHash;

        private KeyPair(int[] f, int[] ginv, int[] h, byte[] publicKey, byte[] rho, byte[] publicKeyHash) {
            this.f = f;
            this.ginv = ginv;
            this.h = h;
            this.publicKey = publicKey;
            this.rho = rho;
            this.publicKeyHash = publicKeyHash;
        }

        /** The public key's 1158 bytes, as sent in the key exchange. */
        public byte[] publicKey() {
            return publicKey.clone();
        }

        /**
         * The 32-byte shared secret of a ciphertext ({@code KEM_Dec}). A ciphertext that does not
         * re-encrypt to itself yields a secret derived from rho instead (implicit rejection), so
         * the peer learns nothing from a failure, and the key exchange fails later on its hash.
         */
        public byte[] decapsulate(byte[] ciphertext) {
            if (ciphertext.length != CIPHERTEXT_BYTES) {
                throw new IllegalArgumentException("sntrup761 ciphertext of " + ciphertext.length
                        + " bytes, expected " + CIPHERTEXT_BYTES);
            }
            int[] r = decrypt(Sntrup761Ring.roundedDecode(Arrays.copyOf(ciphertext, ROUNDED_BYTES)));
            byte[] encodedR = Sntrup761Ring.smallEncode(r);
            byte[] reEncrypted = hide(r, encodedR);
            int differ = 0;
            for (int i = 0; i < CIPHERTEXT_BYTES; i++) {
                differ |= (ciphertext[i] ^ reEncrypted[i]) & 0xff;
            }
            int mask = ((differ - 1) >> 8 & 1) - 1; // 0 when equal, -1 when not
            for (int i = 0; i < encodedR.length; i++) {
                encodedR[i] ^= (byte) (mask & (encodedR[i] ^ rho[i]));
            }
            return hash(1 + mask, hash(3, encodedR), ciphertext);
        }

        /** The r a ciphertext's body encrypts, or a fixed vector of weight W if none ({@code Decrypt}). */
        private int[] decrypt(int[] c) {
            int[] cf = Sntrup761Ring.rqMultiplySmall(c, f);
            int[] e = new int[P];
            for (int i = 0; i < P; i++) {
                e[i] = Sntrup761Ring.freeze3(Sntrup761Ring.freezeQ(3 * cf[i]));
            }
            int[] ev = Sntrup761Ring.r3Multiply(e, ginv);
            int weight = 0;
            for (int i = 0; i < P; i++) {
                weight += ev[i] & 1;
            }
            int wrong = (weight - W | W - weight) >> 31; // all ones when the weight is not W
            int[] r = new int[P];
            for (int i = 0; i < W; i++) {
                r[i] = ((ev[i] ^ 1) & ~wrong) ^ 1;
            }
            for (int i = W; i < P; i++) {
                r[i] = ev[i] & ~wrong;
            }
            return r;
        }

        /** r's ciphertext under this public key, and its confirmation hash ({@code Hide}). */
        private byte[] hide(int[] r, byte[] encodedR) {
            byte[] body = Sntrup761Ring.roundedEncode(Sntrup761Ring.round(Sntrup761Ring.rqMultiplySmall(h, r)));
            byte[] confirm = hash(2, hash(3, encodedR), publicKeyHash);
            byte[] out = Arrays.copyOf(body, CIPHERTEXT_BYTES);
            System.arraycopy(confirm, 0, out, ROUNDED_BYTES, confirm.length);
            return out;
        }

        /** The encoded r of a ciphertext's body, for the tests' check of the session hash. */
        byte[] decryptedInput(byte[] ciphertext) {
            return Sntrup761Ring.smallEncode(decrypt(Sntrup761Ring.roundedDecode(Arrays.copyOf(ciphertext, ROUNDED_BYTES))));
        }

        /** The secret key in the reference's layout: f, 1/g, the public key, rho, the key's hash. */
        byte[] encodedSecretKey() {
            byte[] out = new byte[2 * SMALL_BYTES + publicKey.length + rho.length + publicKeyHash.length];
            int at = 0;
            for (byte[] part : new byte[][] {Sntrup761Ring.smallEncode(f), Sntrup761Ring.smallEncode(ginv),
                    publicKey, rho, publicKeyHash}) {
                System.arraycopy(part, 0, out, at, part.length);
                at += part.length;
            }
            return out;
        }
    }
}
