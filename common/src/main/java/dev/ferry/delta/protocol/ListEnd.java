package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The listing is complete: {@code entries} entries came in the batches before it, which the client
 * checks.
 *
 * <p>Wire: int64 entry count.
 *
 * @param entries 0 to {@value Limits#MAX_LIST_ENTRIES}
 */
public record ListEnd(long entries) implements DeltaMessage {

    static final int MAX_BODY = 8;

    public ListEnd {
        Check.range("a listing", "entries", entries, 0, Limits.MAX_LIST_ENTRIES);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_END;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeLong(entries);
    }

    static ListEnd read(BodyReader in) throws ProtocolException {
        return new ListEnd(in.i64());
    }
}
