package dev.ferry.delta;

import java.util.Arrays;

/**
 * Where the chunks of the receiver's old file are, in the order its signature listed them: what a
 * {@code CopyChunks} instruction refers to. Built while the signature is sent; 12 bytes per chunk.
 */
public final class Basis {

    /** No old file: every instruction must be a literal. */
    public static final Basis NONE = new Basis();

    private long[] offsets = new long[64];
    private int[] lengths = new int[64];
    private int count;

    void add(long offset, int length) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        offsets[count] = offset;
        lengths[count] = length;
        count++;
    }

    /** Forgets the chunks from {@code count} on: a stopped signature did not send them. */
    void truncate(int count) {
        this.count = Math.min(this.count, count);
    }

    /** Where the last chunk ends: the bytes of the old file the chunks cover. */
    long end() {
        return count == 0 ? 0 : offsets[count - 1] + lengths[count - 1];
    }

    public int count() {
        return count;
    }

    /** Offset in the old file of chunk {@code index}. */
    public long offset(long index) {
        return offsets[Math.toIntExact(index)];
    }

    /** Bytes from the start of chunk {@code first} to the end of chunk {@code first + n - 1}. */
    public long span(long first, int n) {
        int last = Math.toIntExact(first + n - 1);
        return offsets[last] + lengths[last] - offsets[Math.toIntExact(first)];
    }
}
