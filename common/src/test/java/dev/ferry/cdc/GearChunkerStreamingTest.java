package dev.ferry.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GearChunkerStreamingTest {

    private static final int MIB = 1024 * 1024;
    private static final ChunkerParams PARAMS = ChunkerParams.DEFAULT;

    /** Read sizes as a socket or a pipe may deliver them, and buffers just at or off the minimum. */
    @ParameterizedTest(name = "reads of {0}, buffer {1}")
    @CsvSource({"1, 32768", "7, 32775", "4096, 32768", "65539, 0", "7, 0", "65539, 98307", "1048576, 32768"})
    void streamingGivesTheInMemoryCuts(int readSize, int bufferSize) throws IOException {
        byte[] data = GearChunkerTest.random(5, MIB + 12345);
        InputStream in = new DribblingInputStream(data, readSize);
        StreamChunker chunks = bufferSize == 0 ? new StreamChunker(PARAMS, in)
                : new StreamChunker(PARAMS, in, bufferSize);
        List<Chunk> streamed = new ArrayList<>();
        while (chunks.next()) {
            streamed.add(chunks.chunk());
            int from = (int) chunks.offset();
            assertTrue(Arrays.equals(data, from, from + chunks.length(), chunks.buffer(), chunks.bufferOffset(),
                    chunks.bufferOffset() + chunks.length()), "the buffer holds the chunk's bytes at " + from);
        }
        assertEquals(new GearChunker(PARAMS).chunks(data), streamed);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 4096, 65539})
    void aChannelGivesTheInMemoryCuts(int readSize) throws IOException {
        byte[] data = GearChunkerTest.random(6, MIB + 3);
        StreamChunker chunks = new StreamChunker(PARAMS,
                Channels.newChannel(new DribblingInputStream(data, readSize)), 40000);
        List<Chunk> streamed = new ArrayList<>();
        while (chunks.next()) {
            streamed.add(chunks.chunk());
        }
        assertEquals(new GearChunker(PARAMS).chunks(data), streamed);
    }

    @Test
    void emptyStreamGivesNoChunks() throws IOException {
        StreamChunker chunks = new StreamChunker(PARAMS, new ByteArrayInputStream(new byte[0]));
        assertFalse(chunks.next());
        assertFalse(chunks.next());
    }

    @Test
    void aBufferSmallerThanTheMaximumChunkIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StreamChunker(PARAMS, new ByteArrayInputStream(new byte[0]), 32767));
        assertEquals("buffer size must be at least the maximum chunk size (32768), got 32767", e.getMessage());
    }

    /** Returns at most {@code readSize} bytes per read, as a network stream may. */
    private static final class DribblingInputStream extends InputStream {
        private final byte[] data;
        private final int readSize;
        private int position;

        DribblingInputStream(byte[] data, int readSize) {
            this.data = data;
            this.readSize = readSize;
        }

        @Override
        public int read() {
            return position < data.length ? data[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, readSize), data.length - position);
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }
    }
}
