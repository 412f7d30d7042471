package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.cdc.ChunkerParams;

class FileChunkingTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    @ParameterizedTest(name = "{0} and {1} bytes: {2}-byte chunks")
    @CsvSource({
        "-1, 0, 256",
        "6000, 6100, 256",
        "1048576, 1048576, 256",
        "-1, 16777216, 1024",
        "91258880, 92172288, 2048",
        "1073741824, 1140850688, 8192",
        "17179869184, 17179869184, 32768",
        "1125899906842624, 0, 65536",
    })
    void theChunkSizeFollowsTheSquareRootOfTheLargerCopy(long oldSize, long newSize, int average) {
        FileChunking c = FileChunking.choose(ChunkerParams.DEFAULT, oldSize, newSize);
        assertEquals(ChunkerParams.DEFAULT.withAverage(average), c.params());
    }

    @Test
    void digestsAreAsShortAsTheChunkCountsAllow() {
        int tiny = FileChunking.choose(ChunkerParams.DEFAULT, 6 * KIB, 6 * KIB).digestLength();
        int tar = FileChunking.choose(ChunkerParams.DEFAULT, 20 * MIB, 20 * MIB).digestLength();
        int huge = FileChunking.choose(ChunkerParams.DEFAULT, GIB, GIB).digestLength();
        assertEquals(5, tiny, "49 chunks at most each side: 6 + 6 + 24 bits");
        assertEquals(7, tar);
        assertEquals(8, huge, "262145 chunks at most each side: 19 + 19 + 24 bits");
        assertEquals(4, FileChunking.choose(ChunkerParams.DEFAULT, -1, 0).digestLength(), "never below 4 bytes");
        assertEquals(12, FileChunking.choose(ChunkerParams.DEFAULT, 1L << 50, 1L << 50).digestLength(),
                "never above 12: a second pass needs room to be longer");
    }

    @Test
    void aSecondPassKeepsTheChunksWithFullDigests() {
        FileChunking first = FileChunking.choose(ChunkerParams.DEFAULT, 100 * MIB, 100 * MIB);
        FileChunking second = first.fullDigests();
        assertEquals(first.params(), second.params());
        assertEquals(16, second.digestLength());
        assertTrue(first.canRetry());
        assertFalse(second.canRetry());
    }
}
