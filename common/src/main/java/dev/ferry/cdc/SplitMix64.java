package dev.ferry.cdc;

/**
 * Sebastiano Vigna's SplitMix64 generator: a 64-bit counter stepped by the golden-ratio constant and
 * passed through a 64-bit finaliser (Stafford's "Mix13"). It is tiny, fully specified by its three
 * constants and the seed, and so suits a table that must be the same in every release, and test
 * data that must be the same on every JDK ({@code java.util.SplittableRandom} makes no such promise
 * for its byte methods).
 */
final class SplitMix64 {

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fills the array with successive outputs, each written little-endian (the last one cut short). */
    void nextBytes(byte[] bytes) {
        for (int i = 0; i < bytes.length; i += 8) {
            long v = nextLong();
            for (int j = 0; j < 8 && i + j < bytes.length; j++) {
                bytes[i + j] = (byte) (v >>> (8 * j));
            }
        }
    }

    /** {@code length} bytes from a generator seeded with {@code seed}. */
    static byte[] bytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new SplitMix64(seed).nextBytes(bytes);
        return bytes;
    }
}
