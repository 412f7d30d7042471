package dev.ferry.it.support;

import java.util.Random;

/** Incompressible test data, the same for the same seed, so that a copy can be compared byte for byte. */
public final class TestData {

    private TestData() {
    }

    public static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Seeded with its own size. */
    public static byte[] random(int size) {
        return random(size, size);
    }
}
