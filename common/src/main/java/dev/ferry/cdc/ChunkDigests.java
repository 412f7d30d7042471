package dev.ferry.cdc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Chunks a file or a stream and digests each chunk: the list a delta signature is made of.
 */
public final class ChunkDigests {

    private ChunkDigests() {
    }

    /** The digested chunks of a file, in order. */
    public static List<DigestedChunk> ofFile(Path file, ChunkerParams params) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return of(new StreamChunker(params, channel));
        }
    }

    /** The digested chunks of the rest of a channel, in order; the channel is left open. */
    public static List<DigestedChunk> of(ReadableByteChannel channel, ChunkerParams params) throws IOException {
        return of(new StreamChunker(params, channel));
    }

    /** The digested chunks of the rest of a stream, in order; the stream is left open. */
    public static List<DigestedChunk> of(InputStream in, ChunkerParams params) throws IOException {
        return of(new StreamChunker(params, in));
    }

    /** The digested chunks of a byte array, in order. */
    public static List<DigestedChunk> of(byte[] data, ChunkerParams params) {
        List<DigestedChunk> digested = new ArrayList<>();
        for (Chunk chunk : new GearChunker(params).chunks(data)) {
            int offset = (int) chunk.offset();
            digested.add(new DigestedChunk(offset, chunk.length(), ChunkDigest.of(data, offset, chunk.length())));
        }
        return digested;
    }

    private static List<DigestedChunk> of(StreamChunker chunks) throws IOException {
        List<DigestedChunk> digested = new ArrayList<>();
        while (chunks.next()) {
            ChunkDigest digest = ChunkDigest.of(chunks.buffer(), chunks.bufferOffset(), chunks.length());
            digested.add(new DigestedChunk(chunks.offset(), chunks.length(), digest));
        }
        return digested;
    }
}
