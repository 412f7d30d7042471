package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The receiver's last word on a file. {@code ok}: the size and digest matched {@link FileEnd} and
 * the new file is in place. Not ok: they did not match, with digests already at full length, and
 * the new file was discarded; the old one is untouched. Errors that are not a mismatch (disk full,
 * no permission) are a {@link Failure} instead.
 *
 * <p>The counters let a client report how much the delta saved; the write time lets the sender
 * estimate the receiver's disk, which decides whether the next large file goes as a delta.
 *
 * <p>Wire: uint8 ok (0 or 1), int64 literal bytes, int64 matched bytes, int64 write nanoseconds.
 *
 * @param ok           whether the new file verified and is in place
 * @param literalBytes bytes of the new file that came as literals (before compression)
 * @param matchedBytes bytes of the new file copied from old chunks
 * @param writeNanos   time the receiver spent writing the new file and syncing it to disk
 */
public record Result(boolean ok, long literalBytes, long matchedBytes, long writeNanos) implements DeltaMessage {

    static final int MAX_BODY = 1 + 8 + 8 + 8;

    public Result {
        Check.fileSize("a literal byte count", literalBytes);
        Check.fileSize("a matched byte count", matchedBytes);
        Check.range("a write time", "nanoseconds", writeNanos, 0, Long.MAX_VALUE);
    }

    @Override
    public MessageType type() {
        return MessageType.RESULT;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeBoolean(ok);
        out.writeLong(literalBytes);
        out.writeLong(matchedBytes);
        out.writeLong(writeNanos);
    }

    static Result read(BodyReader in) throws ProtocolException {
        return new Result(in.bool("the ok flag"), in.i64(), in.i64(), in.i64());
    }
}
