package dev.ferry.client.kex;

import java.util.Arrays;

/**
 * Arithmetic of sntrup761: polynomials of the ring Z[x]/(x^p - x - 1), p = 761, with coefficients
 * mod 3 (small) or mod q = 4591, held as {@code int[]} of centred representatives, and their byte
 * encodings. The functions are those of the NTRU Prime reference code (named in each comment), on
 * plain int arithmetic: no allocation per coefficient, reductions by multiply and shift.
 *
 * <p>Secret data (f, 1/g, r) goes only through branch-free code with data-independent memory
 * access, as in the reference: the inversions are its divsteps, the reductions Barrett's. Public
 * data (ciphertexts, public keys) is decoded with plain division.
 */
final class Sntrup761Ring {

    /** Degree of the ring. */
    static final int P = 761;
    /** The prime modulus of R/q. */
    static final int Q = 4591;
    /** Weight (number of non-zero coefficients) of f and r. */
    static final int W = 286;
    static final int Q12 = (Q - 1) / 2;
    /** round(2^40 / q) and round(2^40 / 3), for Barrett reductions exact on |x| < 2^26. */
    private static final long BARRETT_Q = 239_492_840L;
    private static final long BARRETT_3 = 366_503_875_925L;
    /** Bytes of an encoded small polynomial (four coefficients per byte). */
    static final int SMALL_BYTES = (P + 3) / 4;
    /** Bytes of an encoded element of R/q (a public key) and of a rounded one (a ciphertext's body). */
    static final int RQ_BYTES = 1158;
    static final int ROUNDED_BYTES = 1007;
    /** The modulus of a rounded coefficient's index: rounded values are 3k - (q-1)/2. */
    private static final int ROUNDED_MODULUS = (Q + 2) / 3;

    private Sntrup761Ring() {
    }

    /** x mod q in [-(q-1)/2, (q-1)/2] ({@code Fq_freeze}), for |x| < 2^26. */
    static int freezeQ(int x) {
        int quotient = (int) ((x * BARRETT_Q + (1L << 39)) >> 40);
        return x - quotient * Q;
    }

    /** x mod 3 in {-1, 0, 1} ({@code F3_freeze}), for |x| < 2^26. */
    static int freeze3(int x) {
        int quotient = (int) ((x * BARRETT_3 + (1L << 39)) >> 40);
        return x - quotient * 3;
    }

    private static int negativeMask(int x) {
        return x >> 31;
    }

    private static int nonZeroMask(int x) {
        return (x | -x) >> 31;
    }

    /** a^(q-2) = 1/a mod q ({@code Fq_recip}), by square and multiply over the public exponent. */
    static int fqReciprocal(int a) {
        int result = 1;
        int base = freezeQ(a);
        for (int e = Q - 2; e > 0; e >>>= 1) {
            if ((e & 1) != 0) {
                result = freezeQ(result * base);
            }
            base = freezeQ(base * base);
        }
        return result;
    }

    /**
     * 1/in in R/3 into {@code out} by divsteps ({@code R3_recip}); false when in has no inverse.
     * f starts as the ring's modulus x^p - x - 1 and g as in, both reversed; 2p-1 steps, each a
     * conditional swap and one elimination, bring f to a constant and v to that constant's 1/in.
     */
    static boolean r3Reciprocal(int[] out, int[] in) {
        int[] f = new int[P + 1];
        int[] g = new int[P + 1];
        int[] v = new int[P + 1];
        int[] r = new int[P + 1];
        r[0] = 1;
        f[0] = 1;
        f[P - 1] = -1;
        f[P] = -1;
        for (int i = 0; i < P; i++) {
            g[P - 1 - i] = in[i];
        }
        int delta = 1;
        for (int loop = 0; loop < 2 * P - 1; loop++) {
            System.arraycopy(v, 0, v, 1, P);
            v[0] = 0;

            int sign = -g[0] * f[0];
            int swap = negativeMask(-delta) & nonZeroMask(g[0]);
            delta ^= swap & (delta ^ -delta);
            delta += 1;
            swap(swap, f, g);
            swap(swap, v, r);
            // g + sign*f has a zero constant term: eliminate it and shift g down by one.
            for (int i = 0; i < P; i++) {
                g[i] = freeze3(g[i + 1] + sign * f[i + 1]);
            }
            g[P] = 0;
            for (int i = 0; i <= P; i++) {
                r[i] = freeze3(r[i] + sign * v[i]);
            }
        }
        int sign = f[0];
        for (int i = 0; i < P; i++) {
            out[i] = sign * v[P - 1 - i];
        }
        return delta == 0;
    }

    /** 1/(3 in) in R/q by divsteps ({@code Rq_recip3}); it always exists, q being prime. */
    static int[] rqReciprocalOfThreeTimes(int[] in) {
        int[] f = new int[P + 1];
        int[] g = new int[P + 1];
        int[] v = new int[P + 1];
        int[] r = new int[P + 1];
        r[0] = fqReciprocal(3);
        f[0] = 1;
        f[P - 1] = -1;
        f[P] = -1;
        for (int i = 0; i < P; i++) {
            g[P - 1 - i] = in[i];
        }
        int delta = 1;
        for (int loop = 0; loop < 2 * P - 1; loop++) {
            System.arraycopy(v, 0, v, 1, P);
            v[0] = 0;

            int swap = negativeMask(-delta) & nonZeroMask(g[0]);
            delta ^= swap & (delta ^ -delta);
            delta += 1;
            swap(swap, f, g);
            swap(swap, v, r);
            int f0 = f[0];
            int g0 = g[0];
            for (int i = 0; i < P; i++) {
                g[i] = freezeQ(f0 * g[i + 1] - g0 * f[i + 1]);
            }
            g[P] = 0;
            for (int i = 0; i <= P; i++) {
                r[i] = freezeQ(f0 * r[i] - g0 * v[i]);
            }
        }
        int scale = fqReciprocal(f[0]);
        int[] out = new int[P];
        for (int i = 0; i < P; i++) {
            out[i] = freezeQ(scale * v[P - 1 - i]);
        }
        return out;
    }

    /** Exchanges a and b where mask is all ones, leaves them where it is zero. */
    private static void swap(int mask, int[] a, int[] b) {
        for (int i = 0; i < a.length; i++) {
            int t = mask & (a[i] ^ b[i]);
            a[i] ^= t;
            b[i] ^= t;
        }
    }

    /**
     * a * b folded by x^p = x + 1, unreduced: the products summed (at most p * (q-1)/2 each in
     * absolute value for a mod q, b small), then at most three such per coefficient.
     */
    private static int[] multiplyUnreduced(int[] a, int[] b) {
        int[] product = new int[2 * P - 1];
        for (int i = 0; i < P; i++) {
            int ai = a[i];
            for (int j = 0; j < P; j++) {
                product[i + j] += ai * b[j];
            }
        }
        for (int i = 2 * P - 2; i >= P; i--) {
            product[i - P] += product[i];
            product[i - P + 1] += product[i];
        }
        return product;
    }

    /**
     * a * b in R/q, b small ({@code Rq_mult_small}). Reducing once at the end gives the same
     * representatives as the reference's reduction at every step.
     */
    static int[] rqMultiplySmall(int[] a, int[] b) {
        int[] product = multiplyUnreduced(a, b);
        int[] out = new int[P];
        for (int i = 0; i < P; i++) {
            out[i] = freezeQ(product[i]);
        }
        return out;
    }

    /** a * b in R/3, both small ({@code R3_mult}). */
    static int[] r3Multiply(int[] a, int[] b) {
        int[] product = multiplyUnreduced(a, b);
        int[] out = new int[P];
        for (int i = 0; i < P; i++) {
            out[i] = freeze3(product[i]);
        }
        return out;
    }

    /** Each coefficient minus its residue mod 3: the nearest multiple of 3 ({@code Round}). */
    static int[] round(int[] a) {
        int[] out = new int[P];
        for (int i = 0; i < P; i++) {
            out[i] = a[i] - freeze3(a[i]);
        }
        return out;
    }

    /** A public key's bytes ({@code Rq_encode}). */
    static byte[] rqEncode(int[] h) {
        int[] values = new int[P];
        for (int i = 0; i < P; i++) {
            values[i] = h[i] + Q12;
        }
        return encode(values, Q, RQ_BYTES);
    }

    /** A rounded polynomial's bytes, one base-1531 digit per coefficient ({@code Rounded_encode}). */
    static byte[] roundedEncode(int[] rounded) {
        int[] values = new int[P];
        for (int i = 0; i < P; i++) {
            // (x + (q-1)/2) / 3 exactly, for x a rounded coefficient, by multiply and shift.
            values[i] = ((rounded[i] + Q12) * 10923) >>> 15;
        }
        return encode(values, ROUNDED_MODULUS, ROUNDED_BYTES);
    }

    /** A ciphertext's rounded polynomial ({@code Rounded_decode}); input bytes are public. */
    static int[] roundedDecode(byte[] bytes) {
        int[] moduli = new int[P];
        Arrays.fill(moduli, ROUNDED_MODULUS);
        int[] values = new int[P];
        decode(values, bytes, new int[] {0}, moduli, P);
        for (int i = 0; i < P; i++) {
            values[i] = values[i] * 3 - Q12;
        }
        return values;
    }

    /**
     * NTRU Prime's {@code Encode} of values[i] < modulus, all of one modulus: each round merges
     * neighbours (r0 + r1 m0, modulus m0 m1) and emits a merged value's low bytes while its modulus
     * stays at or above 2^14; the last value goes out whole.
     */
    private static byte[] encode(int[] values, int modulus, int length) {
        byte[] out = new byte[length];
        int[] moduli = new int[P];
        Arrays.fill(moduli, modulus);
        int at = 0;
        int len = P;
        while (len > 1) {
            int i = 0;
            for (; i < len - 1; i += 2) {
                int m0 = moduli[i];
                int value = values[i] + values[i + 1] * m0;
                int m = moduli[i + 1] * m0;
                while (m >= 16384) {
                    out[at++] = (byte) value;
                    value >>>= 8;
                    m = (m + 255) >>> 8;
                }
                values[i / 2] = value;
                moduli[i / 2] = m;
            }
            if (i < len) {
                values[i / 2] = values[i];
                moduli[i / 2] = moduli[i];
            }
            len = (len + 1) / 2;
        }
        int value = values[0];
        for (int m = moduli[0]; m > 1; m = (m + 255) >>> 8) {
            out[at++] = (byte) value;
            value >>>= 8;
        }
        if (at != length) {
            throw new IllegalStateException("sntrup761 encoding of " + at + " bytes, expected " + length);
        }
        return out;
    }

    /**
     * The inverse of {@link #encode} ({@code Decode}): the bytes each round emitted are read in the
     * same order, the merged values decoded recursively, then split back by division.
     */
    private static void decode(int[] out, byte[] in, int[] at, int[] moduli, int len) {
        if (len == 1) {
            int m = moduli[0];
            if (m == 1) {
                out[0] = 0;
            } else if (m <= 256) {
                out[0] = (in[at[0]] & 0xff) % m;
            } else {
                out[0] = ((in[at[0]] & 0xff) + ((in[at[0] + 1] & 0xff) << 8)) % m;
            }
            return;
        }
        int half = (len + 1) / 2;
        int[] merged = new int[half];
        int[] mergedModuli = new int[half];
        int[] low = new int[len / 2];
        int[] lowScale = new int[len / 2];
        int i = 0;
        for (; i < len - 1; i += 2) {
            int m = moduli[i] * moduli[i + 1];
            if (m > 256 * 16383) {
                lowScale[i / 2] = 256 * 256;
                low[i / 2] = (in[at[0]] & 0xff) + 256 * (in[at[0] + 1] & 0xff);
                at[0] += 2;
                mergedModuli[i / 2] = (((m + 255) >>> 8) + 255) >>> 8;
            } else if (m >= 16384) {
                lowScale[i / 2] = 256;
                low[i / 2] = in[at[0]] & 0xff;
                at[0] += 1;
                mergedModuli[i / 2] = (m + 255) >>> 8;
            } else {
                lowScale[i / 2] = 1;
                low[i / 2] = 0;
                mergedModuli[i / 2] = m;
            }
        }
        if (i < len) {
            mergedModuli[i / 2] = moduli[i];
        }
        decode(merged, in, at, mergedModuli, half);
        int o = 0;
        for (i = 0; i < len - 1; i += 2) {
            int value = low[i / 2] + lowScale[i / 2] * merged[i / 2];
            out[o++] = value % moduli[i];
            // The second reduction matters only for bytes no encoder made.
            out[o++] = (value / moduli[i]) % moduli[i + 1];
        }
        if (i < len) {
            out[o] = merged[i / 2];
        }
    }

    /** Four coefficients in {-1, 0, 1} per byte, two bits each, lowest first ({@code Small_encode}). */
    static byte[] smallEncode(int[] small) {
        byte[] out = new byte[SMALL_BYTES];
        int i = 0;
        for (int b = 0; b < P / 4; b++, i += 4) {
            out[b] = (byte) ((small[i] + 1) | (small[i + 1] + 1) << 2 | (small[i + 2] + 1) << 4
                    | (small[i + 3] + 1) << 6);
        }
        out[P / 4] = (byte) (small[i] + 1);
        return out;
    }

    /**
     * djbsort's network for unsigned 32-bit words, as the reference's {@code crypto_sort_uint32}:
     * which pairs are compared depends on the length only.
     */
    static void sort(int[] x) {
        int n = x.length;
        int top = 1;
        while (top < n - top) {
            top += top;
        }
        for (int a = top; a > 0; a >>>= 1) {
            for (int i = 0; i < n - a; i++) {
                if ((i & a) == 0) {
                    minMax(x, i, i + a);
                }
            }
            for (int b = top; b > a; b >>>= 1) {
                for (int i = 0; i < n - b; i++) {
                    if ((i & a) == 0) {
                        minMax(x, i + a, i + b);
                    }
                }
            }
        }
    }

    /** Puts the smaller of x[i], x[j] (unsigned) at i, without a branch on their values. */
    private static void minMax(int[] x, int i, int j) {
        int a = x[i];
        int b = x[j];
        // All ones when b < a: the sign of their difference as unsigned values, on 64 bits.
        int swap = (int) (((b & 0xffffffffL) - (a & 0xffffffffL)) >> 63) & (a ^ b);
        x[i] = a ^ swap;
        x[j] = b ^ swap;
    }
}
