package dev.ferry.delta;

import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;

import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.DetailRequest;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.SignatureBatch;

/**
 * The sender's half of a two-level signature: a group of the new file named as an old group is that
 * group's chunks, in order; the chunk digests of the old groups no new group matched are asked for
 * ({@link DetailRequest}), and the new chunks outside matched groups are looked up among them and
 * among the matched groups' chunks. An append or a few edits leave most groups whole, so the detail
 * is a small part of a one-level signature.
 */
final class GroupMatch {

    private GroupMatch() {
    }

    /**
     * For each chunk of {@code fresh}, the index of an old chunk with its content, or -1.
     * Sends the {@code DetailRequest} (if any group is wanted) and reads its answer.
     */
    static long[] plan(NewChunks fresh, OldGroups old, int digestLength, MessageReader in, MessageWriter out)
            throws IOException {
        long[] oldChunk = new long[fresh.count()];
        Arrays.fill(oldChunk, -1);
        BitSet matched = new BitSet(old.size());
        for (int g = 0; g < fresh.groups(); g++) {
            int found = old.find(fresh.groupName(g));
            if (found >= 0 && old.count(found) == fresh.groupCount(g)) {
                int first = fresh.groupFirst(g);
                for (int i = 0; i < fresh.groupCount(g); i++) {
                    oldChunk[first + i] = old.firstChunk(found) + i;
                }
                matched.set(found);
            }
        }
        ChunkIndex index = new ChunkIndex(digestLength);
        BitSet wanted = new BitSet(old.size());
        wanted.set(0, old.size());
        wanted.andNot(matched);
        if (!wanted.isEmpty()) {
            out.write(DetailRequest.of(old.size(), wanted));
            out.flush();
            readDetail(wanted, old, digestLength, index, in);
        }
        // A chunk of a changed group may be in an unchanged one (a duplicate, a moved block).
        for (int c = 0; c < oldChunk.length; c++) {
            if (oldChunk[c] >= 0) {
                index.put(fresh.digest(c), oldChunk[c]);
            }
        }
        if (index.chunks() > 0) {
            for (int c = 0; c < oldChunk.length; c++) {
                if (oldChunk[c] < 0) {
                    oldChunk[c] = index.find(fresh.digest(c));
                }
            }
        }
        return oldChunk;
    }

    /** Reads the wanted groups' chunk digests into {@code index}, under their old chunk indices. */
    private static void readDetail(BitSet wanted, OldGroups old, int digestLength, ChunkIndex index,
            MessageReader in) throws IOException {
        long expected = 0;
        for (int g = wanted.nextSetBit(0); g >= 0; g = wanted.nextSetBit(g + 1)) {
            expected += old.count(g);
        }
        int group = wanted.nextSetBit(0);
        int inGroup = 0;
        long received = 0;
        while (received < expected) {
            DeltaMessage m = in.readRequired("the detail of the signature");
            if (m instanceof Failure f) {
                throw new DeltaFailure(f.reason());
            }
            if (!(m instanceof SignatureBatch batch)) {
                throw new ProtocolException("expected the detail of the signature, got " + m.type());
            }
            if (batch.digestLength() != digestLength) {
                throw new ProtocolException("the detail has digests of " + batch.digestLength()
                        + " bytes where " + digestLength + " were asked for");
            }
            if (received + batch.count() > expected) {
                throw new ProtocolException("the detail holds more than the " + expected + " chunks asked for");
            }
            byte[] digests = batch.digests();
            for (int offset = 0; offset < digests.length; offset += digestLength) {
                index.put(digests, offset, old.firstChunk(group) + inGroup);
                if (++inGroup == old.count(group)) {
                    group = wanted.nextSetBit(group + 1);
                    inGroup = 0;
                }
            }
            received += batch.count();
        }
    }
}
