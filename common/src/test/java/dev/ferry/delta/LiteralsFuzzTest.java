package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.LiteralCodec;
import dev.ferry.delta.protocol.ProtocolException;

/**
 * Coverage-guided fuzzing of the zstd literals a peer sends (the new bytes of a delta): the frame
 * reader checks a literal's lengths, and {@link Literals#decode} then runs the decompressor on
 * bytes the peer chose. The input is the literal's declared raw length (its first four bytes,
 * within the protocol's 1 MiB) and its compressed data (the rest). For every input:
 * <ul>
 * <li>decoding either writes exactly the declared number of bytes or fails with a
 *     {@link ProtocolException} with a sentence: no other exception, nothing written beyond the
 *     declared length (a zstd frame that expands past it is a bomb the receiver must refuse);</li>
 * <li>the same bytes taken as new data, encoded by this side's {@link Literals} and decoded by a
 *     receiver's, come back unchanged, compressed or not.</li>
 * </ul>
 * Seeds: {@code LiteralsFuzzTestInputs/}, zstd frames of text, zeros and random bytes, whole and cut.
 */
class LiteralsFuzzTest {

    @FuzzTest
    void aPeersLiteralDecodesToItsDeclaredLengthOrIsRefused(byte[] input) throws IOException {
        if (input.length < 5) {
            return;
        }
        int declared = (int) (Integer.toUnsignedLong((input[0] & 0xff) << 24 | (input[1] & 0xff) << 16
                | (input[2] & 0xff) << 8 | (input[3] & 0xff)) % Limits.MAX_LITERAL_BYTES) + 1;
        byte[] data = Arrays.copyOfRange(input, 4, input.length);
        Literal literal = new Literal(data, LiteralCodec.ZSTD, declared);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int n = new Literals(true).decode(literal, out);
            assertEquals(declared, n);
            assertEquals(declared, out.size(), "written and reported differ");
        } catch (ProtocolException refused) {
            assertFalse(refused.getMessage() == null || refused.getMessage().isBlank(), "a refusal without a sentence");
            assertEquals(0, out.size(), "a refused literal wrote " + out.size() + " bytes");
        }

        if (input.length > Limits.MAX_LITERAL_BYTES) {
            return;
        }
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        Literal sent = new Literals(true).encode(input, 0, input.length);
        assertEquals(input.length, new Literals(true).decode(sent, back));
        assertArrayEquals(input, back.toByteArray(), "new bytes came back changed");
    }
}
