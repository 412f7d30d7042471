package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;

/**
 * The sender wants the chunk digests of some groups of a two-level signature: those of the
 * receiver's old groups that none of its own groups matched. The receiver answers with
 * {@link SignatureBatch}es holding those groups' chunks, in file order, and nothing else; the sender
 * knows how many chunks that is from the groups' counts. Sent at most once per file, before its
 * first instruction, and only when at least one group is wanted.
 *
 * <p>Wire: int32 group count (all the groups of the signature), then one bit per group, group 0 in
 * the low bit of the first byte, {@code (count + 7) / 8} bytes; bits past the count are zero.
 *
 * @param groupCount the groups the signature had, 1 to {@value Limits#MAX_GROUPED_CHUNKS}
 * @param wanted     the bitmap, at least one bit set
 */
public record DetailRequest(int groupCount, byte[] wanted) implements DeltaMessage {

    static final int MAX_BODY = 4 + (Limits.MAX_GROUPED_CHUNKS + 7) / 8;

    public DetailRequest {
        Check.range("a detail request", "groups", groupCount, 1, Limits.MAX_GROUPED_CHUNKS);
        wanted = Objects.requireNonNull(wanted, "wanted").clone();
        if (wanted.length != (groupCount + 7) / 8) {
            throw new IllegalArgumentException("a detail request for " + groupCount + " groups needs "
                    + (groupCount + 7) / 8 + " bytes of bitmap, not " + wanted.length);
        }
        BitSet bits = BitSet.valueOf(wanted);
        if (bits.isEmpty()) {
            throw new IllegalArgumentException("a detail request must want at least one group");
        }
        if (bits.length() > groupCount) {
            throw new IllegalArgumentException("a detail request wants group " + (bits.length() - 1)
                    + " of " + groupCount);
        }
    }

    /** A request for the groups set in {@code wanted}, of {@code groupCount}. */
    public static DetailRequest of(int groupCount, BitSet wanted) {
        Check.range("a detail request", "groups", groupCount, 1, Limits.MAX_GROUPED_CHUNKS);
        if (wanted.length() > groupCount) {
            throw new IllegalArgumentException("a detail request wants group " + (wanted.length() - 1)
                    + " of " + groupCount);
        }
        return new DetailRequest(groupCount, Arrays.copyOf(wanted.toByteArray(), (groupCount + 7) / 8));
    }

    @Override
    public byte[] wanted() {
        return wanted.clone();
    }

    /** Whether group {@code group} is wanted. */
    public boolean wants(int group) {
        return group >= 0 && group < groupCount && (wanted[group >>> 3] & (1 << (group & 7))) != 0;
    }

    /** The wanted groups, as a bit set. */
    public BitSet groups() {
        return BitSet.valueOf(wanted);
    }

    @Override
    public MessageType type() {
        return MessageType.DETAIL_REQUEST;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeInt(groupCount);
        out.write(wanted);
    }

    static DetailRequest read(BodyReader in) throws ProtocolException {
        int count = Check.range("a detail request", "groups", in.i32(), 1, Limits.MAX_GROUPED_CHUNKS);
        return new DetailRequest(count, in.bytes((count + 7) / 8));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DetailRequest that && groupCount == that.groupCount
                && Arrays.equals(wanted, that.wanted);
    }

    @Override
    public int hashCode() {
        return 31 * groupCount + Arrays.hashCode(wanted);
    }

    @Override
    public String toString() {
        return "DetailRequest[" + BitSet.valueOf(wanted).cardinality() + " of " + groupCount + " groups]";
    }
}
