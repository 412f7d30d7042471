package dev.ferry.delta.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Whatever bytes arrive, the reader answers with messages, a clean end, or a ProtocolException:
 * never another exception, never an OutOfMemoryError, never a hang. Seeds are fixed so a failure
 * repeats; the failure names the input. (Coverage-guided fuzzing of the same reader:
 * {@link MessageReaderFuzzTest}.)
 */
class MessageRandomInputTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** Encodings of the samples small enough to cut at every byte. */
    private static final List<byte[]> SMALL = WireBytes.samples().stream()
            .map(WireBytes::encode)
            .filter(frame -> frame.length <= 16 * 1024)
            .toList();

    @Test
    void randomBytesGiveMessagesOrAProtocolException() {
        assertTimeoutPreemptively(PATIENCE, () -> {
            Random random = new Random(20_240_501);
            for (int i = 0; i < 20_000; i++) {
                byte[] bytes = new byte[random.nextInt(600)];
                random.nextBytes(bytes);
                readAllExpectingOnlyProtocolErrors(bytes);
            }
        });
    }

    @Test
    void randomBodiesBehindPlausibleHeadersGiveMessagesOrAProtocolException() {
        // Pure noise almost always fails on the length; a sane length and a known type reach the decoders.
        MessageType[] types = MessageType.values();
        assertTimeoutPreemptively(PATIENCE, () -> {
            Random random = new Random(7);
            int decoded = 0;
            for (int i = 0; i < 50_000; i++) {
                MessageType type = types[random.nextInt(types.length)];
                byte[] body = new byte[random.nextInt(Math.min(type.maxBodyLength(), 300) + 1)];
                random.nextBytes(body);
                for (int j = 0; j < body.length; j++) {
                    // Small values are where lengths and counts become plausible.
                    if (random.nextInt(3) == 0) {
                        body[j] = (byte) random.nextInt(3);
                    }
                }
                decoded += readAllExpectingOnlyProtocolErrors(WireBytes.frame(type.code(), body));
            }
            // Random bodies are mostly invalid (137 of these inputs decode); the byte flips below go deeper.
            assertTrue(decoded > 50, "only " + decoded + " inputs decoded; the fuzzing stopped reaching the decoders");
        });
    }

    @Test
    void everyCutOfAValidEncodingIsTruncatedOrAPeerThatClosed() {
        assertTimeoutPreemptively(PATIENCE, () -> {
            for (byte[] frame : SMALL) {
                for (int keep = 0; keep < frame.length; keep++) {
                    byte[] cut = Arrays.copyOf(frame, keep);
                    try {
                        boolean closed = WireBytes.decode(cut).isEmpty();
                        assertTrue(closed && keep == 0, "a cut frame decoded: " + hex(cut));
                    } catch (ProtocolException expected) {
                        assertTrue(expected.getMessage().startsWith("truncated message"), expected.getMessage());
                    }
                }
            }
        });
    }

    @Test
    void cutsOfALargeLiteralAreTruncated() {
        byte[] frame = WireBytes.encode(Literal.raw(WireBytes.bytes(Limits.MAX_LITERAL_BYTES, 9)));
        Random random = new Random(11);
        assertTimeoutPreemptively(PATIENCE, () -> {
            for (int i = 0; i < 40; i++) {
                int keep = 1 + random.nextInt(frame.length - 1);
                try {
                    WireBytes.decode(Arrays.copyOf(frame, keep));
                    fail("a literal cut after " + keep + " bytes decoded");
                } catch (ProtocolException expected) {
                    assertTrue(expected.getMessage().startsWith("truncated message"), expected.getMessage());
                }
            }
        });
    }

    @Test
    void flippedBytesInValidEncodingsGiveMessagesOrAProtocolException() {
        assertTimeoutPreemptively(PATIENCE, () -> {
            Random random = new Random(42);
            for (int i = 0; i < 50_000; i++) {
                byte[] bytes = SMALL.get(random.nextInt(SMALL.size())).clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                if (random.nextBoolean()) {
                    bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                }
                readAllExpectingOnlyProtocolErrors(bytes);
            }
        });
    }

    @Test
    void concatenatedValidMessagesWithNoiseBetweenGiveMessagesOrAProtocolException() {
        assertTimeoutPreemptively(PATIENCE, () -> {
            Random random = new Random(99);
            for (int i = 0; i < 5_000; i++) {
                java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
                for (int n = random.nextInt(5); n >= 0; n--) {
                    stream.writeBytes(SMALL.get(random.nextInt(SMALL.size())));
                    if (random.nextInt(4) == 0) {
                        byte[] noise = new byte[random.nextInt(8)];
                        random.nextBytes(noise);
                        stream.writeBytes(noise);
                    }
                }
                readAllExpectingOnlyProtocolErrors(stream.toByteArray());
            }
        });
    }

    @Test
    void randomGroupedMessagesRoundTripAndKeepEveryGroup() {
        assertTimeoutPreemptively(PATIENCE, () -> {
            Random random = new Random(23_24);
            for (int i = 0; i < 2_000; i++) {
                int groupCount = 1 + random.nextInt(i % 10 == 0 ? 5_000 : 40);
                BitSet wanted = new BitSet();
                for (int group = 0; group < groupCount; group++) {
                    if (random.nextInt(4) == 0) {
                        wanted.set(group);
                    }
                }
                wanted.set(random.nextInt(groupCount));
                DetailRequest request = DetailRequest.of(groupCount, wanted);
                DetailRequest read = (DetailRequest) WireBytes.decode(WireBytes.encode(request)).orElseThrow();
                assertEquals(request, read);
                assertEquals(wanted, read.groups());
                for (int group = 0; group <= groupCount; group++) {
                    assertEquals(wanted.get(group), read.wants(group), "group " + group + " of " + groupCount);
                }

                int groups = 1 + random.nextInt(i % 10 == 0 ? 3_000 : 20);
                long[] names = new long[groups];
                int[] counts = new int[groups];
                long chunks = 0;
                for (int g = 0; g < groups; g++) {
                    names[g] = random.nextLong();
                    counts[g] = 1 + random.nextInt(Limits.MAX_GROUP_CHUNKS);
                    chunks += counts[g];
                }
                long bytes = chunks + (long) (random.nextDouble() * chunks * (Limits.MAX_CHUNK_SIZE - 1));
                GroupBatch batch = new GroupBatch(bytes, names, counts);
                GroupBatch back = (GroupBatch) WireBytes.decode(WireBytes.encode(batch)).orElseThrow();
                assertEquals(batch, back);
                assertArrayEquals(names, back.names());
                assertArrayEquals(counts, back.chunkCounts());
                assertEquals(chunks, back.chunks());
            }
        });
    }

    /**
     * Reads until the end or a ProtocolException, and returns how many messages decoded; anything
     * else fails the test and names the bytes.
     */
    private static int readAllExpectingOnlyProtocolErrors(byte[] bytes) {
        MessageReader reader = new MessageReader(new ByteArrayInputStream(bytes));
        int frames = 0;
        try {
            // Every frame takes at least 5 bytes, so this bound is never what ends a correct reader.
            for (; frames <= bytes.length / 5 + 1; frames++) {
                if (reader.read().isEmpty()) {
                    return frames;
                }
            }
            return fail("the reader returned more frames than the input can hold: " + hex(bytes));
        } catch (ProtocolException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank());
            return frames;
        } catch (Throwable unexpected) {
            throw new AssertionError("input " + hex(bytes) + " raised " + unexpected, unexpected);
        }
    }

    private static String hex(byte[] bytes) {
        return bytes.length <= 256 ? HexFormat.of().formatHex(bytes)
                : HexFormat.of().formatHex(bytes, 0, 256) + "... (" + bytes.length + " bytes)";
    }
}
