package dev.ferry.delta;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkGroups;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.StreamChunker;

/**
 * The sender's judgement of a large file in {@code --mode auto}, made while the receiver's signature
 * arrives: once the signature covers a sample (the first 16 MiB), the same stretch of the new file
 * is chunked and looked up in it, which estimates the fraction c that changed; with the session's
 * {@link Estimates} of network and disk speeds, {@link CostModel} says whether the rest of the
 * signature is worth reading. Before the sample, the receiver is asked to stop only if even an
 * unchanged file would go faster whole (a network as fast as the receiver's disk).
 *
 * <p>A two-level signature is judged by groups: the share of the sample's bytes in groups the
 * old file does not have. That is an upper bound of the changed share (a group with one changed
 * chunk counts whole), so a file judged by it leans to whole a little more than one judged by chunks.
 *
 * <p>The sample compares beginnings, so a file whose first 16 MiB are new but whose rest is not
 * (a large prepend) is judged changed and goes whole: slower than it had to be, never wrong.
 */
public final class WholeOrDelta implements Signature.Cutoff {

    /** How much of both files is compared before judging (the signature's batches reach 30 MiB first). */
    static final long SAMPLE_BYTES = 16L << 20;

    private final Path file;
    private final long size;
    private final ChunkerParams params;
    private final Estimates estimates;
    private long firstCovered;
    private long firstNanos;
    private boolean decided;
    private double changed = Double.NaN;
    private long[] sample; // per chunk of the new file's start: length, digest high, digest low

    public WholeOrDelta(Path file, long size, ChunkerParams params, Estimates estimates) {
        this.file = file;
        this.size = size;
        this.params = params;
        this.estimates = estimates;
    }

    @Override
    public boolean stopAfter(ChunkIndex index, OldGroups groups, long covered, boolean first) {
        long now = System.nanoTime();
        if (first) {
            firstCovered = covered;
            firstNanos = now;
            sample = sample(); // now, while more of the signature comes, not when it is needed
        }
        if (decided) {
            return false;
        }
        double read = first ? estimates.read() : (covered - firstCovered) * 1e9 / Math.max(1, now - firstNanos);
        if (covered >= Math.min(SAMPLE_BYTES, size)) {
            decided = true;
            changed = groups != null ? changedGroupsInSample(groups) : changedInSample(index);
            return CostModel.wholeIsFaster(size, changed, read, estimates.write(), estimates.network());
        }
        if (CostModel.wholeIsFaster(size, 0, read, estimates.write(), estimates.network())
                && !Double.isNaN(estimates.network())) {
            decided = true;
            return true;
        }
        return false;
    }

    @Override
    public void ended(long covered) {
        if (firstNanos != 0) {
            estimates.receiverRead(covered - firstCovered, System.nanoTime() - firstNanos);
        }
    }

    /** The fraction of the sample the index did not have (NaN: not judged). */
    public double changed() {
        return changed;
    }

    /** The chunks of the start of the new file: length, digest high and low, three longs each. */
    private long[] sample() {
        long limit = Math.min(SAMPLE_BYTES, size);
        long[] chunks = new long[64 * 3];
        int n = 0;
        long sampled = 0;
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            StreamChunker chunker = new StreamChunker(params, in, Signature.bufferFor(params, limit));
            while (sampled < limit && chunker.next()) {
                ChunkDigest d = ChunkDigest.of(chunker.buffer(), chunker.bufferOffset(), chunker.length());
                if (n + 3 > chunks.length) {
                    chunks = Arrays.copyOf(chunks, chunks.length * 2);
                }
                chunks[n++] = chunker.length();
                chunks[n++] = d.high();
                chunks[n++] = d.low();
                sampled += chunker.length();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.copyOf(chunks, n);
    }

    /**
     * The share of the sampled bytes in groups {@code groups} does not have; the sample's last group,
     * which the sample's end may have cut short, is left out.
     */
    private double changedGroupsInSample(OldGroups groups) {
        long[] bytes = new long[2]; // grouped, found
        long[] starts = new long[sample.length / 3 + 1]; // byte offset of each sampled chunk
        for (int i = 0, c = 0; i < sample.length; i += 3, c++) {
            starts[c + 1] = starts[c] + sample[i];
        }
        ChunkGroups grouping = new ChunkGroups((firstChunk, count, name) -> {
            long length = starts[(int) firstChunk + count] - starts[(int) firstChunk];
            bytes[0] += length;
            int found = groups.find(name);
            if (found >= 0 && groups.count(found) == count) {
                bytes[1] += length;
            }
        });
        for (int i = 0; i < sample.length; i += 3) {
            grouping.add(new ChunkDigest(sample[i + 1], sample[i + 2]));
        }
        return bytes[0] == 0 ? 0 : 1 - (double) bytes[1] / bytes[0];
    }

    /** The share of the sampled bytes the index does not have. */
    private double changedInSample(ChunkIndex index) {
        long sampled = 0;
        long found = 0;
        for (int i = 0; i < sample.length; i += 3) {
            int len = (int) sample[i];
            if (index.find(new ChunkDigest(sample[i + 1], sample[i + 2])) >= 0) {
                found += len;
            }
            sampled += len;
        }
        return sampled == 0 ? 0 : 1 - (double) found / sampled;
    }
}
