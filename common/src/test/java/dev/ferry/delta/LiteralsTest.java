package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.LiteralCodec;
import dev.ferry.delta.protocol.Limits;

class LiteralsTest {

    private static final byte[] TEXT = "public final class Example { int x; }\n".repeat(2000)
            .getBytes(StandardCharsets.UTF_8);

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SplittableRandom(7).nextBytes(b);
        return b;
    }

    @Test
    void textGoesCompressedAndComesBackTheSame() throws Exception {
        Literals literals = new Literals(true);
        Literal l = literals.encode(TEXT, 0, TEXT.length);
        assertEquals(LiteralCodec.ZSTD, l.codec());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertEquals(TEXT.length, new Literals(true).decode(l, out));
        assertArrayEquals(TEXT, out.toByteArray());
    }

    @Test
    void afterDataThatDidNotCompressTheNextMegabyteIsNotTriedAndThenItIsAgain() {
        Literals literals = new Literals(true);
        byte[] noise = random(64 * 1024);
        assertEquals(LiteralCodec.NONE, literals.encode(noise, 0, noise.length).codec());
        long skipped = 0;
        while (skipped < Literals.FIRST_SKIP) { // text, but within the stretch that is not tried
            assertEquals(LiteralCodec.NONE, literals.encode(TEXT, 0, TEXT.length).codec());
            skipped += TEXT.length;
        }
        assertEquals(LiteralCodec.ZSTD, literals.encode(TEXT, 0, TEXT.length).codec());
    }

    @Test
    void noiseThatStaysNoiseIsTriedLessAndLessOften() {
        Literals literals = new Literals(true);
        byte[] noise = random(Limits.MAX_LITERAL_BYTES);
        for (int i = 0; i < 256; i++) { // 256 MiB of noise in 1 MiB literals
            assertEquals(LiteralCodec.NONE, literals.encode(noise, 0, noise.length).codec());
        }
        // tried at 0, 2, 5, 10, 19, 36, 69, 134 and 199 MiB: the pause doubles up to 64 MiB
        assertEquals(9, literals.attempts());
        // and each time on its first 64 KiB only
        assertEquals(9L * Literals.PROBE, literals.triedBytes());
    }

    @Test
    void aLongLiteralThatCompressesGoesCompressedWhole() throws Exception {
        Literals literals = new Literals(true);
        byte[] text = java.util.Arrays.copyOf(TEXT, Limits.MAX_LITERAL_BYTES); // text, then zeros
        Literal l = literals.encode(text, 0, text.length);
        assertEquals(LiteralCodec.ZSTD, l.codec());
        assertEquals(Literals.PROBE + text.length, literals.triedBytes()); // the probe, then all of it
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertEquals(text.length, new Literals(true).decode(l, out));
        assertArrayEquals(text, out.toByteArray());
    }

    @Test
    void aShortLiteralGoesAsItIs() {
        Literals literals = new Literals(true);
        assertEquals(LiteralCodec.NONE, literals.encode(TEXT, 0, Literals.MIN_COMPRESSED - 1).codec());
        assertEquals(LiteralCodec.ZSTD, literals.encode(TEXT, 0, Literals.MIN_COMPRESSED).codec());
    }

    @Test
    void withoutZstdEverythingGoesAsItIs() {
        assertEquals(LiteralCodec.NONE, new Literals(false).encode(TEXT, 0, TEXT.length).codec());
    }
}
