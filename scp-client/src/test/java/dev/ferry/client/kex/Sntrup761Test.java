package dev.ferry.client.kex;

import static dev.ferry.client.kex.Sntrup761Ring.P;
import static dev.ferry.client.kex.Sntrup761Ring.Q;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyPairGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePrivateKeyParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePublicKeyParameters;
import org.junit.jupiter.api.Test;

/** Ferry's sntrup761 against BouncyCastle's, an independent implementation of the same reference. */
class Sntrup761Test {

    private final SecureRandom random = new SecureRandom();

    private static SNTRUPrimePublicKeyParameters theirPublicKey(Sntrup761.KeyPair pair) {
        return new SNTRUPrimePublicKeyParameters(SNTRUPrimeParameters.sntrup761, pair.publicKey());
    }

    @Test
    void fromTheSameRandomBytesItMakesBouncyCastlesKeyPairByteForByte() {
        // Both take the random bytes in the reference's order (g until invertible, then f, then
        // rho), so one byte stream replayed to each must give the same keys, encodings included.
        for (long seed = 1; seed <= 5; seed++) {
            Sntrup761.KeyPair ours = Sntrup761.generate(new ReplayedRandom(seed));
            SNTRUPrimeKeyPairGenerator bouncyCastle = new SNTRUPrimeKeyPairGenerator();
            bouncyCastle.init(new SNTRUPrimeKeyGenerationParameters(new ReplayedRandom(seed), SNTRUPrimeParameters.sntrup761));
            AsymmetricCipherKeyPair theirs = bouncyCastle.generateKeyPair();
            assertArrayEquals(((SNTRUPrimePrivateKeyParameters) theirs.getPrivate()).getEncoded(), ours.encodedSecretKey(),
                    "secret key, seed " + seed);
            assertArrayEquals(((SNTRUPrimePublicKeyParameters) theirs.getPublic()).getEncoded(), ours.publicKey(),
                    "public key, seed " + seed);
        }
    }

    @Test
    void itDecapsulatesBouncyCastlesEncapsulationsToTheSameSecret() {
        for (int pair = 0; pair < 10; pair++) {
            Sntrup761.KeyPair keys = Sntrup761.generate(random);
            assertEquals(1158, keys.publicKey().length, "OpenSSH's sntrup761 public key size");
            for (int message = 0; message < 5; message++) {
                SecretWithEncapsulation sent = new SNTRUPrimeKEMGenerator(random).generateEncapsulated(theirPublicKey(keys));
                assertEquals(1039, sent.getEncapsulation().length, "OpenSSH's sntrup761 ciphertext size");
                assertArrayEquals(sent.getSecret(), keys.decapsulate(sent.getEncapsulation()));
            }
        }
    }

    @Test
    void aTamperedCiphertextIsRejectedToTheReferencesSubstitute() throws Exception {
        Sntrup761.KeyPair keys = Sntrup761.generate(random);
        byte[] rho = Arrays.copyOfRange(keys.encodedSecretKey(), 1540, 1731);
        SecretWithEncapsulation sent = new SNTRUPrimeKEMGenerator(random).generateEncapsulated(theirPublicKey(keys));
        byte[] honest = keys.decapsulate(sent.getEncapsulation());
        // One bit of the body, the top bit of a byte (a sign-extension trap), one of the confirmation.
        for (int[] flip : new int[][] {{7, 0x01}, {500, 0x80}, {1030, 0x10}}) {
            byte[] tampered = sent.getEncapsulation();
            tampered[flip[0]] ^= (byte) flip[1];
            // The reference's (and OpenSSH's) KEM_Dec: HashSession(0, rho, c) over the ciphertext
            // received. (BouncyCastle hashes its re-encryption instead, so its substitute differs;
            // either way the key exchange then fails, the point of implicit rejection.)
            byte[] expected = referenceHash(0, referenceHash(3, rho), tampered);
            assertArrayEquals(expected, keys.decapsulate(tampered), "byte " + flip[0] + " changed");
            assertFalse(Arrays.equals(honest, expected));
        }
        assertArrayEquals(referenceHash(1, referenceHash(3, sentR(keys, sent)), sent.getEncapsulation()), honest,
                "the honest secret is HashSession(1, r, c)");
        assertThrows(IllegalArgumentException.class, () -> keys.decapsulate(new byte[1038]));
    }

    /** The r an honest ciphertext carries, encoded: rho's place is taken by it on success. */
    private static byte[] sentR(Sntrup761.KeyPair keys, SecretWithEncapsulation sent) {
        return keys.decryptedInput(sent.getEncapsulation());
    }

    private static byte[] referenceHash(int prefix, byte[]... inputs) throws Exception {
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        sha512.update((byte) prefix);
        for (byte[] input : inputs) {
            sha512.update(input);
        }
        return Arrays.copyOf(sha512.digest(), 32);
    }

    @Test
    void theSecretHasExactlyTheWeightAndEachPairIsFresh() {
        Sntrup761.KeyPair first = Sntrup761.generate(random);
        byte[] f = Arrays.copyOf(first.encodedSecretKey(), 191);
        int[] counts = new int[4];
        for (int i = 0; i < P; i++) {
            counts[(f[i / 4] >> (2 * (i % 4))) & 3]++;
        }
        assertEquals(0, counts[3], "f is small");
        assertEquals(Sntrup761Ring.W, counts[0] + counts[2], "weight");
        assertTrue(counts[0] > 100 && counts[2] > 100, "both signs: " + Arrays.toString(counts));
        assertFalse(Arrays.equals(first.publicKey(), Sntrup761.generate(random).publicKey()), "two pairs differ");
    }

    @Test
    void reductionsGiveTheCentredResidueOverTheirWholeRange() {
        for (int x = -(1 << 24); x <= 1 << 24; x++) {
            int q = Math.floorMod(x + (Q - 1) / 2, Q) - (Q - 1) / 2;
            int three = Math.floorMod(x + 1, 3) - 1;
            if (Sntrup761Ring.freezeQ(x) != q || Sntrup761Ring.freeze3(x) != three) {
                assertEquals(q, Sntrup761Ring.freezeQ(x), "freezeQ(" + x + ")");
                assertEquals(three, Sntrup761Ring.freeze3(x), "freeze3(" + x + ")");
            }
        }
        for (int a = 1; a < Q; a++) {
            if (Math.floorMod(a * Sntrup761Ring.fqReciprocal(a), Q) != 1) {
                assertEquals(1, Math.floorMod(a * Sntrup761Ring.fqReciprocal(a), Q), "1/" + a);
            }
        }
    }

    @Test
    void theSortingNetworkSortsUnsignedWords() {
        Random values = new Random(11);
        for (int n : new int[] {1, 2, 3, 17, 286, P}) {
            int[] x = values.ints(n).toArray();
            x[0] = Integer.MIN_VALUE;
            if (n > 1) {
                x[1] = Integer.MAX_VALUE;
            }
            int[] expected = Arrays.stream(x).mapToLong(Integer::toUnsignedLong).sorted().mapToInt(v -> (int) v).toArray();
            Sntrup761Ring.sort(x);
            assertArrayEquals(expected, x, "n=" + n);
        }
    }

    @Test
    void theInverseInR3IsAnInverseAndZeroHasNone() {
        int[] g = new int[P];
        Random values = new Random(3);
        int[] inverse = new int[P];
        do {
            for (int i = 0; i < P; i++) {
                g[i] = values.nextInt(3) - 1;
            }
        } while (!Sntrup761Ring.r3Reciprocal(inverse, g));
        assertArrayEquals(one(), Sntrup761Ring.r3Multiply(g, inverse));
        assertFalse(Sntrup761Ring.r3Reciprocal(inverse, new int[P]), "zero has no inverse");
    }

    @Test
    void theInverseOfThreeFInRqTimesThreeFIsOne() {
        int[] f = new int[P];
        for (int i = 0; i < P; i += 3) {
            f[i] = (i & 1) == 0 ? 1 : -1;
        }
        int[] inverse = Sntrup761Ring.rqReciprocalOfThreeTimes(f);
        int[] threeF = Arrays.stream(f).map(c -> 3 * c).toArray();
        assertArrayEquals(one(), Sntrup761Ring.rqMultiplySmall(inverse, threeF));
    }

    @Test
    void roundedEncodingDecodesToWhatWasEncoded() {
        Random values = new Random(5);
        int[] rounded = new int[P];
        for (int i = 0; i < P; i++) {
            rounded[i] = 3 * values.nextInt((Q + 2) / 3) - (Q - 1) / 2;
        }
        byte[] bytes = Sntrup761Ring.roundedEncode(rounded);
        assertEquals(Sntrup761Ring.ROUNDED_BYTES, bytes.length);
        assertArrayEquals(rounded, Sntrup761Ring.roundedDecode(bytes));
    }

    private static int[] one() {
        int[] one = new int[P];
        one[0] = 1;
        return one;
    }

    /** A byte stream from a seed, the same however the reads are split. */
    private static final class ReplayedRandom extends SecureRandom {
        private final Random stream;

        ReplayedRandom(long seed) {
            stream = new Random(seed);
        }

        @Override
        public void nextBytes(byte[] bytes) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) stream.nextInt(256);
            }
        }
    }
}
