package dev.ferry.delta;

import java.util.Arrays;

/**
 * The sender's copy of a two-level signature's coarse level: each old group's name, chunk count and
 * first chunk, in file order, and a table from name to group. The table is open addressing over
 * primitive arrays: a peer may send up to {@link dev.ferry.delta.protocol.Limits#MAX_GROUPED_CHUNKS}
 * one-chunk groups, and boxed map entries for them would cost a hundred megabytes.
 */
public final class OldGroups {

    private long[] names = new long[256];
    private int[] counts = new int[256];
    private long[] firsts = new long[256];
    private int size;
    private long chunks;
    private long[] tableNames = new long[512];
    private int[] tableGroups = new int[512]; // group index + 1; 0 is an empty slot

    /** The next group: {@code count} chunks named {@code name}. */
    void add(long name, int count) {
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
            firsts = Arrays.copyOf(firsts, size * 2);
        }
        names[size] = name;
        counts[size] = count;
        firsts[size] = chunks;
        if (2 * (size + 1) > tableNames.length) {
            rehash(tableNames.length * 2);
        }
        insert(name, size);
        size++;
        chunks += count;
    }

    /** Groups so far. */
    public int size() {
        return size;
    }

    /** Chunks in all groups so far. */
    public long chunks() {
        return chunks;
    }

    /** The chunks of group {@code group}. */
    public int count(int group) {
        return counts[group];
    }

    /** The index of the first chunk of group {@code group}, counted over the whole old file. */
    public long firstChunk(int group) {
        return firsts[group];
    }

    /** The first group named {@code name}, or -1. */
    public int find(long name) {
        int mask = tableNames.length - 1;
        for (int slot = spread(name) & mask; tableGroups[slot] != 0; slot = (slot + 1) & mask) {
            if (tableNames[slot] == name) {
                return tableGroups[slot] - 1;
            }
        }
        return -1;
    }

    private void insert(long name, int group) {
        int mask = tableNames.length - 1;
        int slot = spread(name) & mask;
        while (tableGroups[slot] != 0) {
            if (tableNames[slot] == name) {
                return; // the first group of a name is the one found
            }
            slot = (slot + 1) & mask;
        }
        tableNames[slot] = name;
        tableGroups[slot] = group + 1;
    }

    private void rehash(int capacity) {
        tableNames = new long[capacity];
        tableGroups = new int[capacity];
        for (int g = 0; g < size; g++) {
            insert(names[g], g);
        }
    }

    /** Names are hashes already, but a peer chooses them: mix them so that none can crowd one slot run. */
    private static int spread(long name) {
        long h = name * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
