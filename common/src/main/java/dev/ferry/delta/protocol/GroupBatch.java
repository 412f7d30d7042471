package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The next groups of the receiver's old file, in file order: the coarse level of a two-level
 * signature. A group is a run of consecutive chunks cut by content ({@code dev.ferry.cdc.ChunkGroups});
 * it is sent as an 8-byte name (a hash of its chunks' digests) and its chunk count, so a large old
 * file costs about 9 bytes per 32 chunks instead of a digest per chunk. The sender asks for the
 * chunks of the groups it did not find with a {@link DetailRequest}.
 *
 * <p>Wire: int32 count, int64 bytes covered, then per group int64 name and uint8 chunk count.
 *
 * @param bytes       bytes of the old file these groups cover, 1 to their chunks times the longest chunk
 * @param names       1 to {@value Limits#MAX_GROUPS_PER_BATCH} group names
 * @param chunkCounts each group's chunks, 1 to {@value Limits#MAX_GROUP_CHUNKS}, as many as names
 */
public record GroupBatch(long bytes, long[] names, int[] chunkCounts) implements DeltaMessage {

    static final int MAX_BODY = 4 + 8 + Limits.MAX_GROUPS_PER_BATCH * (8 + 1);

    public GroupBatch {
        names = Objects.requireNonNull(names, "names").clone();
        chunkCounts = Objects.requireNonNull(chunkCounts, "chunkCounts").clone();
        if (names.length != chunkCounts.length) {
            throw new IllegalArgumentException("a group batch has " + Check.count(names.length, "names") + " but "
                    + Check.count(chunkCounts.length, "chunk counts"));
        }
        Check.range("a group batch", "groups", names.length, 1, Limits.MAX_GROUPS_PER_BATCH);
        long chunks = 0;
        for (int count : chunkCounts) {
            chunks += Check.range("a group", "chunks", count, 1, Limits.MAX_GROUP_CHUNKS);
        }
        Check.range("a group batch", "bytes", bytes, chunks, chunks * Limits.MAX_CHUNK_SIZE);
    }

    @Override
    public long[] names() {
        return names.clone();
    }

    @Override
    public int[] chunkCounts() {
        return chunkCounts.clone();
    }

    /** Groups in the batch. */
    public int count() {
        return names.length;
    }

    /** The name of group {@code i} of the batch, without copying the array. */
    public long name(int i) {
        return names[i];
    }

    /** The chunks of group {@code i} of the batch. */
    public int chunkCount(int i) {
        return chunkCounts[i];
    }

    /** Chunks in all the batch's groups. */
    public long chunks() {
        long sum = 0;
        for (int count : chunkCounts) {
            sum += count;
        }
        return sum;
    }

    @Override
    public MessageType type() {
        return MessageType.GROUP_BATCH;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeInt(names.length);
        out.writeLong(bytes);
        for (int i = 0; i < names.length; i++) {
            out.writeLong(names[i]);
            out.writeByte(chunkCounts[i]);
        }
    }

    static GroupBatch read(BodyReader in) throws ProtocolException {
        int count = Check.range("a group batch", "groups", in.i32(), 1, Limits.MAX_GROUPS_PER_BATCH);
        long bytes = in.i64();
        in.need((long) count * 9);
        long[] names = new long[count];
        int[] chunkCounts = new int[count];
        for (int i = 0; i < count; i++) {
            names[i] = in.i64();
            chunkCounts[i] = in.u8();
        }
        return new GroupBatch(bytes, names, chunkCounts);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GroupBatch that && bytes == that.bytes && Arrays.equals(names, that.names)
                && Arrays.equals(chunkCounts, that.chunkCounts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bytes, Arrays.hashCode(names), Arrays.hashCode(chunkCounts));
    }

    @Override
    public String toString() {
        return "GroupBatch[" + names.length + " groups of " + chunks() + " chunks, " + bytes + " bytes]";
    }
}
