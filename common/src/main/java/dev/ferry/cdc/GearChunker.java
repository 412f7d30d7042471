package dev.ferry.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Version 1 of Ferry's content-defined chunker: a Gear rolling hash with a cut where the hash's top
 * bits are zero. Its cut points are part of the delta protocol and must never change; a different
 * algorithm, table, seed or cut rule is a new class with a new {@link #VERSION}, as fastcdc-rs keeps
 * each version in its own module.
 *
 * <p>The hash. For each byte b, {@code h = (h << 1) + GEAR[b]}. After the shift, a byte's table
 * entry has moved one bit up per later byte, so after 64 bytes it has left the register: the hash
 * at an offset depends only on the 64 bytes ending there, and its top bits on all 64 (its low bits
 * on the last few only, which is why the test uses the top bits).
 *
 * <p>The cut rule. After the byte that makes a chunk {@code len} bytes long, with
 * {@code min <= len < max}, the chunk ends there if the top {@link ChunkerParams#cutBits()} bits of
 * the hash are zero; otherwise it ends at {@code max} (or at the end of the input). Every offset is a
 * candidate, so an insert of any length re-synchronises. The hash starts from zero at each chunk
 * start, so a boundary depends only on the bytes since the previous one.
 *
 * <p>The skip. Since the hash at the first candidate (offset {@code min - 1} of the chunk) depends
 * on bytes {@code min - 64 .. min - 1} only, hashing starts there: the first {@code min - 64} bytes
 * of each chunk are never read, about half the input with the default {@code min = avg / 2}. The
 * result is exactly that of hashing from the chunk start.
 *
 * <p>The table. {@code GEAR[i]} is the {@code i+1}-th output of {@link SplitMix64} seeded with
 * {@link #TABLE_SEED}, computed at class initialisation; the test vectors pin it.
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class GearChunker {

    /** The version of the cut points: the table, the seed, the cut rule and the skip. */
    public static final int VERSION = 1;

    /** "FerryCDC" in ASCII: the seed of the SplitMix64 sequence that fills the Gear table. */
    public static final long TABLE_SEED = 0x4665727279434443L;

    /** {@link #nextCut} found neither a cut nor {@code max} bytes: give it more input, or end. */
    public static final int NEED_MORE = -1;

    private static final int WINDOW = 64;

    private static final long[] GEAR = new long[256];

    static {
        SplitMix64 random = new SplitMix64(TABLE_SEED);
        for (int i = 0; i < GEAR.length; i++) {
            GEAR[i] = random.nextLong();
        }
    }

    private final ChunkerParams params;
    private final int min;
    private final int max;
    /** Selects the top {@code cutBits} bits; a cut where they are all zero. */
    private final long mask;

    public GearChunker(ChunkerParams params) {
        this.params = Objects.requireNonNull(params, "params");
        this.min = params.min();
        this.max = params.max();
        this.mask = -1L << (64 - params.cutBits());
    }

    public ChunkerParams params() {
        return params;
    }

    /**
     * The length of the chunk that starts at {@code from}, looking at bytes {@code from..to-1}.
     *
     * <p>Returns a length in {@code 1..min(to - from, max)} when a cut or {@code max} bytes lie in
     * the range, else {@link #NEED_MORE}. On {@code NEED_MORE} the caller either calls again from the
     * same {@code from} with more bytes, or, at the end of the input, takes the remaining
     * {@code to - from} bytes (if any) as the last chunk. The answer depends only on the bytes from
     * {@code from}, never on how they were delivered.
     */
    public int nextCut(byte[] buf, int from, int to) {
        Objects.checkFromToIndex(from, to, buf.length);
        int available = to - from;
        if (available < min) {
            return NEED_MORE;
        }
        int scanLength = Math.min(available, max);
        long[] gear = GEAR;
        long mask = this.mask;
        long h = 0;
        // Warm the hash on the 63 bytes before the first candidate; the ones before are skipped.
        int i = from + min - WINDOW;
        int firstCandidate = from + min - 1;
        for (; i < firstCandidate; i++) {
            h = (h << 1) + gear[buf[i] & 0xff];
        }
        // Two bytes per turn: the second hash is computed from h directly, not from the first, so
        // the loop-carried chain is one shift-add per two bytes while both offsets are tested.
        // Measured on JDK 17 (2-core AMD EPYC VM) only a few percent faster than one byte per turn,
        // as the loads bound it there; kept because where the shift-add latency is the limit
        // it halves it.
        int end = from + scanLength;
        int pairEnd = end - 1;
        for (; i < pairEnd; i += 2) {
            long g1 = gear[buf[i] & 0xff];
            long g2 = gear[buf[i + 1] & 0xff];
            long h1 = (h << 1) + g1;
            h = (h << 2) + ((g1 << 1) + g2);
            if ((h1 & mask) == 0) {
                return i + 1 - from;
            }
            if ((h & mask) == 0) {
                return i + 2 - from;
            }
        }
        if (i < end) {
            h = (h << 1) + gear[buf[i] & 0xff];
            if ((h & mask) == 0) {
                return i + 1 - from;
            }
        }
        return scanLength == max ? max : NEED_MORE;
    }

    /** All chunks of {@code data[from..to)}, with offsets relative to {@code from}. */
    public List<Chunk> chunks(byte[] data, int from, int to) {
        Objects.checkFromToIndex(from, to, data.length);
        List<Chunk> chunks = new ArrayList<>();
        int start = from;
        while (start < to) {
            int length = nextCut(data, start, to);
            if (length == NEED_MORE) {
                length = to - start;
            }
            chunks.add(new Chunk(start - from, length));
            start += length;
        }
        return chunks;
    }

    /** All chunks of {@code data}. */
    public List<Chunk> chunks(byte[] data) {
        return chunks(data, 0, data.length);
    }

    /** Entry {@code index} of the Gear table, for tests that pin it. */
    static long gearEntry(int index) {
        return GEAR[index];
    }
}
