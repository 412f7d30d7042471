package dev.ferry.cdc;

/**
 * The chunk size bounds of the content-defined chunker, in bytes.
 *
 * <p>No cut is tested before {@code min} bytes and a cut is forced at {@code max}. Between them
 * each offset is a cut with probability {@code 1 / (avg - min)}, so chunk lengths are {@code min}
 * plus a geometric variable of mean {@code avg - min}: the mean chunk is {@code avg}, less the
 * negligible share cut short at {@code max} (e<sup>-7</sup> of chunks with the defaults).
 * {@code avg - min} must be a power of two because the cut test is a mask of the hash's top
 * {@code log2(avg - min)} bits (see {@link GearChunker}).
 *
 * <p>Both sides of a delta sync must use the same parameters, as they must use the same
 * {@link GearChunker#VERSION}: other values give other cut points.
 *
 * @param min the shortest chunk, except the last one of a file; at least {@link #MIN_MIN} bytes
 * @param avg the mean chunk length aimed at, within {@link #MIN_AVG}..{@link #MAX_AVG}
 * @param max the longest chunk, at least {@code avg} and at most {@link #MAX_MAX}
 */
public record ChunkerParams(int min, int avg, int max) {

    public static final int KIB = 1024;
    public static final int MIB = 1024 * KIB;

    /** The Gear hash's window: the hash at an offset depends on the 64 bytes before it, no more. */
    public static final int MIN_MIN = 64;
    public static final int MIN_AVG = 256;
    public static final int MAX_AVG = 4 * MIB;
    public static final int MAX_MAX = 16 * MIB;

    /**
     * 8 KiB average (4 KiB min, 32 KiB max), as Google's cdc_rsync: about 20 bytes of signature per
     * chunk is 2.5 MB per GiB of file, while an edit costs about one 8 KiB chunk of literal bytes.
     */
    public static final ChunkerParams DEFAULT = ofAverage(8 * KIB);

    public ChunkerParams {
        if (avg < MIN_AVG || avg > MAX_AVG) {
            throw new IllegalArgumentException("average chunk size must be within 256 B..4 MiB, got " + avg);
        }
        if (min < MIN_MIN) {
            throw new IllegalArgumentException(
                    "minimum chunk size must be at least 64 bytes (the Gear hash's window), got " + min);
        }
        if (min >= avg) {
            throw new IllegalArgumentException(
                    "minimum chunk size must be below the average (" + avg + "), got " + min);
        }
        if (Integer.bitCount(avg - min) != 1) {
            throw new IllegalArgumentException("average minus minimum chunk size must be a power of two"
                    + " (the cut test is a bit mask), got " + avg + " - " + min + " = " + (avg - min));
        }
        if (max < avg || max > MAX_MAX) {
            throw new IllegalArgumentException(
                    "maximum chunk size must be within the average (" + avg + ")..16 MiB, got " + max);
        }
    }

    /**
     * The usual shape for an average that is a power of two: min = avg / 2, max = 4 * avg, so half
     * of each chunk's bytes are skipped without hashing and under 0.1% of chunks hit the maximum.
     */
    public static ChunkerParams ofAverage(int avg) {
        if (avg < MIN_AVG || avg > MAX_AVG || Integer.bitCount(avg) != 1) {
            throw new IllegalArgumentException(
                    "average chunk size must be a power of two within 256 B..4 MiB, got " + avg);
        }
        return new ChunkerParams(avg / 2, avg, 4 * avg);
    }

    /**
     * The same shape (minimum and maximum in the same proportion to the average) around another
     * average: how the chunk size follows a file's size while both sides keep one session shape.
     *
     * @param average this average times or divided by a power of two
     * @throws IllegalArgumentException when it is not, or the result is out of bounds
     */
    public ChunkerParams withAverage(int average) {
        if (average <= 0 || Integer.bitCount(average) != 1 || Integer.bitCount(avg) != 1) {
            throw new IllegalArgumentException("an average chunk size of " + average
                    + " bytes is not this shape's average (" + avg + ") scaled by a power of two");
        }
        if (average >= avg) {
            long scale = average / avg;
            return new ChunkerParams(Math.toIntExact(min * scale), average, Math.toIntExact(Math.min(max * scale,
                    Integer.MAX_VALUE)));
        }
        int scale = avg / average;
        if (min % scale != 0 || max % scale != 0) {
            throw new IllegalArgumentException("an average chunk size of " + average + " bytes is too small for this"
                    + " shape (" + min + ", " + avg + ", " + max + ")");
        }
        return new ChunkerParams(min / scale, average, max / scale);
    }

    /** How many top bits of the hash must be zero for a cut: log2(avg - min). */
    public int cutBits() {
        return Integer.numberOfTrailingZeros(avg - min);
    }
}
