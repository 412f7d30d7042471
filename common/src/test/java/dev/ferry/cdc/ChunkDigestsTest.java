package dev.ferry.cdc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkDigestsTest {

    @Test
    void theEmptyInputHasXxh3sReferenceDigest() {
        // XXH128 of no bytes, seed 0, from the xxHash reference (XXH128_canonicalFromHash order).
        assertEquals("99aa06d3014798d86001c324468d497f", ChunkDigest.of(new byte[0], 0, 0).toString());
    }

    @Test
    void toBytesIsBigEndianHighHalfFirstAndTruncates() {
        ChunkDigest digest = new ChunkDigest(0x0102030405060708L, 0x090a0b0c0d0e0f10L);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, digest.toBytes());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, digest.toBytes(10));
        assertArrayEquals(new byte[] {1}, digest.toBytes(1));
    }

    @Test
    void truncatingOutsideOneToSixteenBytesIsRefused() {
        ChunkDigest digest = new ChunkDigest(1, 2);
        assertEquals("a digest truncates to 1..16 bytes, got 0",
                assertThrows(IllegalArgumentException.class, () -> digest.toBytes(0)).getMessage());
        assertEquals("a digest truncates to 1..16 bytes, got 17",
                assertThrows(IllegalArgumentException.class, () -> digest.toBytes(17)).getMessage());
    }

    @Test
    void aFileStreamAndArrayGiveTheSameDigestedChunks(@TempDir Path dir) throws IOException {
        byte[] data = GearChunkerTest.random(8, 3 * 1024 * 1024 + 17);
        Path file = Files.write(dir.resolve("data"), data);
        List<DigestedChunk> fromArray = ChunkDigests.of(data, ChunkerParams.DEFAULT);
        assertEquals(fromArray, ChunkDigests.ofFile(file, ChunkerParams.DEFAULT));
        assertEquals(fromArray, ChunkDigests.of(new ByteArrayInputStream(data), ChunkerParams.DEFAULT));
        assertEquals(ChunkDigest.of(data, 0, fromArray.get(0).length()), fromArray.get(0).digest());
    }

    @Test
    void anEmptyFileHasNoChunks(@TempDir Path dir) throws IOException {
        assertEquals(List.of(), ChunkDigests.ofFile(Files.write(dir.resolve("empty"), new byte[0]),
                ChunkerParams.DEFAULT));
    }
}
