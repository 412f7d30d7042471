package dev.ferry.delta;

import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.delta.protocol.DetailRequest;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.SignatureBatch;

/**
 * The receiver's fine level of a two-level signature: every chunk's truncated digest and where each
 * group starts, kept in memory while only the groups are sent, to answer the sender's one
 * {@link DetailRequest} without reading the old file again. At most
 * {@link dev.ferry.delta.protocol.Limits#MAX_GROUPED_CHUNKS} chunks: 12 bytes each at most.
 */
final class GroupDetail {

    /** Chunks per answering batch: 32 KB of digests at 8 bytes. */
    static final int BATCH = 4096;

    private final int digestLength;
    private final Basis basis;
    private byte[] digests = new byte[4096];
    private int chunks;
    private int[] groupFirst = new int[256];
    private int groups;

    GroupDetail(int digestLength, Basis basis) {
        this.digestLength = digestLength;
        this.basis = basis;
    }

    /** The next chunk's digest, kept cut to the signature's length. */
    void addChunk(ChunkDigest digest) {
        int at = chunks * digestLength;
        if (at + digestLength > digests.length) {
            digests = Arrays.copyOf(digests, Math.max(digests.length * 2, at + digestLength));
        }
        digest.writeTo(digests, at, digestLength);
        chunks++;
    }

    /** A group starts at chunk {@code firstChunk} (groups are added in order). */
    void addGroup(long firstChunk) {
        if (groups == groupFirst.length) {
            groupFirst = Arrays.copyOf(groupFirst, groups * 2);
        }
        groupFirst[groups++] = Math.toIntExact(firstChunk);
    }

    int groups() {
        return groups;
    }

    /**
     * Sends the digests of the chunks of every group {@code request} wants, in order, as signature
     * batches, and flushes.
     */
    void answer(DetailRequest request, MessageWriter out) throws IOException {
        if (request.groupCount() != groups) {
            throw new ProtocolException("the detail request counts " + request.groupCount()
                    + " groups but the signature had " + groups);
        }
        byte[] batch = new byte[BATCH * digestLength];
        int inBatch = 0;
        long batchBytes = 0;
        BitSet wanted = request.groups();
        for (int g = wanted.nextSetBit(0); g >= 0; g = wanted.nextSetBit(g + 1)) {
            int first = groupFirst[g];
            int end = g + 1 < groups ? groupFirst[g + 1] : chunks;
            for (int c = first; c < end; c++) {
                System.arraycopy(digests, c * digestLength, batch, inBatch * digestLength, digestLength);
                inBatch++;
                batchBytes += basis.span(c, 1);
                if (inBatch == BATCH) {
                    out.write(new SignatureBatch(digestLength, batchBytes, batch));
                    inBatch = 0;
                    batchBytes = 0;
                }
            }
        }
        if (inBatch > 0) {
            out.write(new SignatureBatch(digestLength, batchBytes, Arrays.copyOf(batch, inBatch * digestLength)));
        }
        out.flush();
    }
}
