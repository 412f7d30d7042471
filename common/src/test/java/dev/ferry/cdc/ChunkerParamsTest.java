package dev.ferry.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkerParamsTest {

    @Test
    void theDefaultIsFourEightAndThirtyTwoKibibytes() {
        assertEquals(new ChunkerParams(4096, 8192, 32768), ChunkerParams.DEFAULT);
        assertEquals(12, ChunkerParams.DEFAULT.cutBits());
    }

    @Test
    void withAverageKeepsTheShapeAroundAnotherAverage() {
        assertEquals(new ChunkerParams(128, 256, 1024), ChunkerParams.DEFAULT.withAverage(256));
        assertEquals(new ChunkerParams(32768, 65536, 262144), ChunkerParams.DEFAULT.withAverage(65536));
        assertEquals(ChunkerParams.DEFAULT, ChunkerParams.DEFAULT.withAverage(8192));
        assertEquals(new ChunkerParams(1024 + 512, 2048, 8192), new ChunkerParams(6144, 8192, 32768).withAverage(2048));
    }

    @ParameterizedTest
    @ValueSource(ints = {3000, 0, -8192, 64, 16 * 1024 * 1024})
    void withAverageRefusesWhatIsNotThisShapeScaledByAPowerOfTwo(int avg) {
        assertThrows(IllegalArgumentException.class, () -> ChunkerParams.DEFAULT.withAverage(avg));
    }

    @Test
    void ofAverageHalvesForTheMinimumAndQuadruplesForTheMaximum() {
        assertEquals(new ChunkerParams(128, 256, 1024), ChunkerParams.ofAverage(256));
        assertEquals(new ChunkerParams(2 * 1024 * 1024, 4 * 1024 * 1024, 16 * 1024 * 1024),
                ChunkerParams.ofAverage(4 * 1024 * 1024));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 128, 3000, 8 * 1024 * 1024, -8192})
    void ofAverageRefusesSizesThatAreNotPowersOfTwoInRange(int avg) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChunkerParams.ofAverage(avg));
        assertEquals("average chunk size must be a power of two within 256 B..4 MiB, got " + avg, e.getMessage());
    }

    @ParameterizedTest(name = "{0}/{1}/{2}: {3}")
    @CsvSource(delimiter = '|', value = {
        "100|200|800|average chunk size must be within 256 B..4 MiB, got 200",
        "32|256|1024|minimum chunk size must be at least 64 bytes (the Gear hash's window), got 32",
        "8192|8192|32768|minimum chunk size must be below the average (8192), got 8192",
        "3000|8192|32768|average minus minimum chunk size must be a power of two (the cut test is a bit mask),"
            + " got 8192 - 3000 = 5192",
        "4096|8192|8191|maximum chunk size must be within the average (8192)..16 MiB, got 8191",
        "2097152|4194304|16777217|maximum chunk size must be within the average (4194304)..16 MiB, got 16777217",
    })
    void eachViolationIsNamedInOneSentence(int min, int avg, int max, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ChunkerParams(min, avg, max));
        assertEquals(message, e.getMessage());
    }

    @Test
    void anyMinimumLeavingAPowerOfTwoIsAccepted() {
        assertEquals(11, new ChunkerParams(6144, 8192, 65536).cutBits());
        assertEquals(6, new ChunkerParams(192, 256, 256).cutBits());
    }
}
