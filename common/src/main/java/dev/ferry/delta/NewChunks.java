package dev.ferry.delta;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkGroups;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.StreamChunker;

/**
 * The sender's first pass over a new file for a two-level signature: every chunk's length and full
 * digest, its groups (as the receiver groups its own), the size and the SHA-256, 20 bytes a chunk.
 * The instructions are sent in a second pass, once the sender knows which old chunks it has, which
 * reads only the bytes that go as literals.
 */
final class NewChunks {

    private int[] lengths = new int[1024];
    private long[] highs = new long[1024];
    private long[] lows = new long[1024];
    private int count;
    private long size;
    private byte[] sha256;
    private int[] groupFirsts = new int[64];
    private int[] groupCounts = new int[64];
    private long[] groupNames = new long[64];
    private int groups;

    private NewChunks() {
    }

    /** Chunks, digests, groups and hashes {@code file}. */
    static NewChunks of(Path file, ChunkerParams params) throws IOException {
        NewChunks c = new NewChunks();
        MessageDigest sha = Sha256.create();
        ChunkGroups grouping = new ChunkGroups(c::group);
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            StreamChunker chunks = new StreamChunker(params, in, Signature.bufferFor(params, in.size()));
            while (chunks.next()) {
                byte[] buf = chunks.buffer();
                int off = chunks.bufferOffset();
                int len = chunks.length();
                sha.update(buf, off, len);
                ChunkDigest d = ChunkDigest.of(buf, off, len);
                c.add(len, d);
                grouping.add(d);
            }
        }
        grouping.end();
        c.sha256 = sha.digest();
        return c;
    }

    private void add(int length, ChunkDigest d) {
        if (count == lengths.length) {
            lengths = Arrays.copyOf(lengths, count * 2);
            highs = Arrays.copyOf(highs, count * 2);
            lows = Arrays.copyOf(lows, count * 2);
        }
        lengths[count] = length;
        highs[count] = d.high();
        lows[count] = d.low();
        count++;
        size += length;
    }

    private void group(long firstChunk, int chunkCount, long name) {
        if (groups == groupFirsts.length) {
            groupFirsts = Arrays.copyOf(groupFirsts, groups * 2);
            groupCounts = Arrays.copyOf(groupCounts, groups * 2);
            groupNames = Arrays.copyOf(groupNames, groups * 2);
        }
        groupFirsts[groups] = Math.toIntExact(firstChunk);
        groupCounts[groups] = chunkCount;
        groupNames[groups] = name;
        groups++;
    }

    int count() {
        return count;
    }

    int length(int chunk) {
        return lengths[chunk];
    }

    ChunkDigest digest(int chunk) {
        return new ChunkDigest(highs[chunk], lows[chunk]);
    }

    long size() {
        return size;
    }

    byte[] sha256() {
        return sha256.clone();
    }

    int groups() {
        return groups;
    }

    int groupFirst(int group) {
        return groupFirsts[group];
    }

    int groupCount(int group) {
        return groupCounts[group];
    }

    long groupName(int group) {
        return groupNames[group];
    }
}
