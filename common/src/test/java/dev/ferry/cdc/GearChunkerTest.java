package dev.ferry.cdc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GearChunkerTest {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    /**
     * Version 1's cuts of 1 MiB of SplitMix64(42) output with the default 4/8/32 KiB: generated once
     * by this implementation and frozen. If this fails, the cut points changed: that breaks every
     * peer on an older release, so make a new chunker version instead.
     */
    private static final int[] SEED_42_DEFAULT_LENGTHS = {
        7356, 5562, 4472, 4944, 6446, 4851, 5130, 5874, 13722, 8886, 7297, 7385, 7112, 5122, 6860, 4122,
        4103, 11823, 5627, 12330, 23424, 8925, 14799, 6271, 6313, 9022, 6771, 5051, 12980, 8073, 9499, 5795,
        7014, 5024, 6561, 5758, 17768, 11382, 5002, 5487, 6657, 4227, 4979, 9505, 8590, 4526, 5133, 4659,
        4119, 11953, 6029, 7522, 5361, 6235, 4696, 10821, 5146, 6266, 15120, 10118, 16309, 5235, 5067, 8008,
        4385, 13152, 5420, 5219, 6565, 5960, 12600, 4625, 4506, 11421, 5133, 4100, 9305, 5576, 11219, 6546,
        8273, 4439, 5562, 4521, 26211, 6731, 5236, 6654, 6644, 5960, 5235, 5388, 9406, 11800, 6234, 8167,
        14195, 11515, 4193, 4147, 7787, 7925, 5993, 9074, 5302, 4509, 4474, 16151, 7149, 14597, 8525, 7863,
        5954, 8983, 13383, 32768, 6935, 7143, 8077, 14931, 22475, 8036, 9750, 6038, 8075, 6392, 5073, 5581,
        7166,
    };

    /** The same for the first 16 KiB of that input with a 256 B average (128/256/1024). */
    private static final int[] SEED_42_AVG_256_LENGTHS = {
        194, 139, 139, 174, 329, 147, 284, 379, 339, 165, 297, 158, 451, 186, 128, 144, 431, 223, 282, 232,
        666, 164, 260, 197, 256, 190, 218, 131, 299, 154, 174, 333, 414, 133, 146, 223, 233, 206, 352, 134,
        239, 153, 174, 196, 209, 217, 379, 286, 136, 211, 144, 257, 358, 150, 188, 189, 167, 200, 452, 231,
        169, 195, 364, 146, 449, 131, 495, 143, 52,
    };

    private static final GearChunker DEFAULT = new GearChunker(ChunkerParams.DEFAULT);

    static byte[] random(long seed, int length) {
        return SplitMix64.bytes(seed, length);
    }

    static int[] lengths(List<Chunk> chunks) {
        return chunks.stream().mapToInt(Chunk::length).toArray();
    }

    @Test
    void theGearTableIsSplitMix64FromTheDocumentedSeed() {
        assertEquals(0x4665727279434443L, GearChunker.TABLE_SEED);
        assertEquals(0xd4991979ae5435eaL, GearChunker.gearEntry(0));
        assertEquals(0x145fab3f8a925558L, GearChunker.gearEntry(1));
        assertEquals(0xcba351c9cb0cb0d3L, GearChunker.gearEntry(255));
    }

    @Test
    void cutPointsOfTheSeededMegabyteAreFrozen() {
        assertEquals(1, GearChunker.VERSION);
        assertArrayEquals(SEED_42_DEFAULT_LENGTHS, lengths(DEFAULT.chunks(random(42, MIB))));
    }

    @Test
    void cutPointsWithASmallAverageAreFrozen() {
        GearChunker chunker = new GearChunker(ChunkerParams.ofAverage(256));
        assertArrayEquals(SEED_42_AVG_256_LENGTHS, lengths(chunker.chunks(random(42, MIB), 0, 16 * KIB)));
    }

    @Test
    void digestsOfTheSeededMegabyteAreFrozen() {
        List<DigestedChunk> chunks = ChunkDigests.of(random(42, MIB), ChunkerParams.DEFAULT);
        assertEquals(new DigestedChunk(0, 7356, new ChunkDigest(0xe3b2c9ffc530ebfcL, 0x960cade8782ef1bcL)),
                chunks.get(0));
        assertEquals(new DigestedChunk(7356, 5562, new ChunkDigest(0x4fbe6b723d6bae3dL, 0x5ddafdeaded58261L)),
                chunks.get(1));
        assertEquals(new DigestedChunk(1041410, 7166, new ChunkDigest(0x84993b7ea9c48908L, 0x69f1cd0f681d7ae5L)),
                chunks.get(chunks.size() - 1));
    }

    /** The unrolled, skipping loop must cut exactly where a plain Gear hash from each chunk start does. */
    @ParameterizedTest
    @ValueSource(strings = {"128/256/1024", "64/320/1280", "4096/8192/32768", "6144/8192/8192", "192/256/300",
        "1024/9216/20000"})
    void cutsMatchAPlainByteByByteGearHashFromEachChunkStart(String shape) {
        int[] v = Arrays.stream(shape.split("/")).mapToInt(Integer::parseInt).toArray();
        ChunkerParams params = new ChunkerParams(v[0], v[1], v[2]);
        for (long seed = 1; seed <= 3; seed++) {
            byte[] data = random(seed, 2 * MIB + (int) seed);
            assertEquals(referenceChunks(data, params), new GearChunker(params).chunks(data), shape);
        }
    }

    private static List<Chunk> referenceChunks(byte[] data, ChunkerParams params) {
        long mask = -1L << (64 - params.cutBits());
        List<Chunk> chunks = new ArrayList<>();
        int start = 0;
        while (start < data.length) {
            int length = Math.min(params.max(), data.length - start);
            long h = 0;
            for (int len = 1; len <= length; len++) {
                h = (h << 1) + GearChunker.gearEntry(data[start + len - 1] & 0xff);
                if (len >= params.min() && (h & mask) == 0) {
                    length = len;
                    break;
                }
            }
            chunks.add(new Chunk(start, length));
            start += length;
        }
        return chunks;
    }

    @Test
    void minimumAndMaximumAreRespected() {
        ChunkerParams params = ChunkerParams.ofAverage(1024);
        List<Chunk> chunks = new GearChunker(params).chunks(random(7, 8 * MIB));
        for (Chunk chunk : chunks.subList(0, chunks.size() - 1)) {
            assertTrue(chunk.length() >= params.min() && chunk.length() <= params.max(), chunk.toString());
        }
        assertTrue(chunks.stream().anyMatch(c -> c.length() == params.min()), "some chunk at the minimum");
        assertTrue(chunks.stream().anyMatch(c -> c.length() == params.max()), "some chunk at the maximum");
    }

    @Test
    void constantInputIsCutAtTheMaximum() {
        byte[] zeros = new byte[10 * 32 * KIB + 5];
        int[] expected = new int[11];
        Arrays.fill(expected, 32 * KIB);
        expected[10] = 5;
        assertArrayEquals(expected, lengths(DEFAULT.chunks(zeros)));
    }

    @Test
    void emptyInputGivesNoChunks() {
        assertEquals(List.of(), DEFAULT.chunks(new byte[0]));
        assertEquals(GearChunker.NEED_MORE, DEFAULT.nextCut(new byte[0], 0, 0));
    }

    @Test
    void inputShorterThanTheMinimumIsOneChunk() {
        assertEquals(List.of(new Chunk(0, 4095)), DEFAULT.chunks(random(1, 4095)));
    }

    @Test
    void nextCutAsksForMoreUntilItSeesACutOrTheMaximum() {
        byte[] data = random(42, MIB);
        int first = SEED_42_DEFAULT_LENGTHS[0];
        assertEquals(GearChunker.NEED_MORE, DEFAULT.nextCut(data, 0, first - 1));
        assertEquals(first, DEFAULT.nextCut(data, 0, first));
        assertEquals(first, DEFAULT.nextCut(data, 0, data.length));
        byte[] zeros = new byte[64 * KIB];
        assertEquals(GearChunker.NEED_MORE, DEFAULT.nextCut(zeros, 100, 100 + 32 * KIB - 1));
        assertEquals(32 * KIB, DEFAULT.nextCut(zeros, 100, 100 + 32 * KIB));
    }

    @Test
    void insertNearStartMovesOnlyNearbyBoundaries() {
        byte[] original = random(11, 4 * MIB);
        byte[] edited = insert(original, 1000, new byte[] {1, 2, 3, 4, 5});
        List<Chunk> before = DEFAULT.chunks(original);
        List<Chunk> after = DEFAULT.chunks(edited);
        int changed = changedChunks(before, after, 5);
        assertTrue(changed >= 1 && changed <= 2, changed + " chunks changed");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9})
    void anInsertOfAnyLengthResynchronises(int insertLength) {
        byte[] original = random(12, 2 * MIB);
        byte[] edited = insert(original, MIB + 12345, random(99, insertLength));
        int changed = changedChunks(DEFAULT.chunks(original), DEFAULT.chunks(edited), insertLength);
        assertTrue(changed >= 1 && changed <= 3, changed + " chunks changed");
    }

    /**
     * How many chunks of {@code after} are not in {@code before} (at the same offset, or shifted by
     * {@code shift}), checking that all of them are next to each other: the edit's neighbourhood.
     */
    private static int changedChunks(List<Chunk> before, List<Chunk> after, int shift) {
        List<Chunk> shifted = new ArrayList<>(before);
        shifted.addAll(before.stream().map(c -> new Chunk(c.offset() + shift, c.length())).toList());
        int first = -1;
        int last = -1;
        for (int i = 0; i < after.size(); i++) {
            if (!shifted.contains(after.get(i))) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        assertTrue(first >= 0, "the edit changed no chunk");
        int changed = last - first + 1;
        int common = after.size() - changed;
        assertTrue(common >= before.size() - 3, "chunks far from the edit are the same");
        return changed;
    }

    private static byte[] insert(byte[] data, int at, byte[] inserted) {
        byte[] result = new byte[data.length + inserted.length];
        System.arraycopy(data, 0, result, 0, at);
        System.arraycopy(inserted, 0, result, at, inserted.length);
        System.arraycopy(data, at, result, at + inserted.length, data.length - at);
        return result;
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 1024, 8192, 65536})
    void theMeasuredAverageIsCloseToTheConfiguredOne(int avg) {
        byte[] data = random(avg, 16 * MIB);
        List<Chunk> chunks = new GearChunker(ChunkerParams.ofAverage(avg)).chunks(data);
        double measured = (double) data.length / chunks.size();
        assertTrue(Math.abs(measured - avg) < 0.1 * avg, "average " + measured + " for " + avg);
    }
}
