package dev.ferry.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.GearChunker;
import dev.ferry.cdc.StreamChunker;

/**
 * The content-defined chunker on one core over 64 MiB in memory: cut points only, and cut points
 * with an XXH3-128 digest per chunk (what a delta signature costs before I/O). One operation is one
 * byte, so JMH's ops/s is bytes/s. Run by {@code scripts/bench-chunker}.
 *
 * <p>{@code data}: {@code random} is seeded noise (cuts where the hash says, so about half the bytes
 * are skipped below the minimum); {@code zeros} is never cut before the maximum, the most bytes
 * hashed per chunk: the slow case.
 *
 * <p>{@code stream} is what Ferry does with a file: 1 MiB reads into {@link StreamChunker}'s buffer,
 * each chunked while it is still in the cache.
 *
 * <p>{@code buffer}: the 64 MiB are chunked as passes over a buffer of this size. The default is
 * one pass over 64 MiB in memory; {@code -p buffer=1048576} keeps the data in cache, as for
 * {@code StreamChunker}'s 1 MiB buffer just filled by a read. From memory, each chunk's jump over
 * its first {@code min - 64} bytes lands on lines the prefetcher has not fetched yet, which costs
 * about 15% on a 2-core AMD EPYC VM.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChunkerBenchmark {

    private static final int SIZE = 64 * 1024 * 1024;

    @Param({"8192"})
    int avg;

    @Param({"random"})
    String data;

    @Param({"67108864"})
    int buffer;

    private byte[] bytes;
    private GearChunker chunker;
    /** The 64 MiB that {@link #stream} reads: {@code bytes} repeated. */
    private byte[] source;

    @Setup
    public void setUp() {
        if (buffer <= 0 || SIZE % buffer != 0) {
            throw new IllegalArgumentException("buffer must divide 64 MiB, got " + buffer);
        }
        bytes = new byte[buffer];
        switch (data) {
            case "random" -> new SplittableRandom(42).nextBytes(bytes);
            case "zeros" -> { }
            default -> throw new IllegalArgumentException("data is random or zeros, got " + data);
        }
        chunker = new GearChunker(ChunkerParams.ofAverage(avg));
        source = new byte[SIZE];
        for (int at = 0; at < SIZE; at += buffer) {
            System.arraycopy(bytes, 0, source, at, buffer);
        }
    }

    /** Returns the chunk count so that the work cannot be optimised away. */
    @Benchmark
    @OperationsPerInvocation(SIZE)
    public int chunk() {
        byte[] b = bytes;
        int count = 0;
        for (int pass = SIZE / b.length; pass > 0; pass--) {
            int start = 0;
            while (start < b.length) {
                int length = chunker.nextCut(b, start, b.length);
                start += length == GearChunker.NEED_MORE ? b.length - start : length;
                count++;
            }
        }
        return count;
    }

    /**
     * Ferry's own read path: a {@link StreamChunker} reading the 64 MiB through its default 1 MiB
     * buffer, as the signature and the sender read a file. The copy into the buffer (here
     * {@code ByteArrayInputStream}'s, for a file the kernel's) is counted, and leaves each megabyte
     * in the cache when the chunker scans it.
     */
    @Benchmark
    @OperationsPerInvocation(SIZE)
    public int stream() throws IOException {
        StreamChunker chunks = new StreamChunker(chunker.params(), new ByteArrayInputStream(source));
        int count = 0;
        while (chunks.next()) {
            count++;
        }
        return count;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public long chunkAndDigest() {
        byte[] b = bytes;
        long sum = 0;
        for (int pass = SIZE / b.length; pass > 0; pass--) {
            int start = 0;
            while (start < b.length) {
                int length = chunker.nextCut(b, start, b.length);
                if (length == GearChunker.NEED_MORE) {
                    length = b.length - start;
                }
                ChunkDigest digest = ChunkDigest.of(b, start, length);
                sum += digest.high() ^ digest.low();
                start += length;
            }
        }
        return sum;
    }
}
