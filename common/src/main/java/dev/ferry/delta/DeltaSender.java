package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.Path;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.Result;
import dev.ferry.delta.protocol.Retry;

/**
 * The side that holds the new file: takes the receiver's signature, sends the diff, and waits for
 * the verdict; on a {@code Retry} it does it once more with the longer digests asked for.
 */
public final class DeltaSender {

    /** What it took: bytes of the file, bytes sent as literals, bytes the receiver reused. */
    public record Sent(long size, long literalBytes, long matchedBytes, int passes) {
    }

    private DeltaSender() {
    }

    public static Sent send(MessageReader in, MessageWriter out, Path file, ChunkerParams params, int digestLength,
            boolean zstd, int mode, long mtimeMillis) throws IOException {
        int length = digestLength;
        for (int pass = 1; ; pass++) {
            ChunkIndex index = Signature.receive(in, length);
            Diff.Stats stats = Diff.send(file, params, index, zstd, mode, mtimeMillis, out);
            out.flush();
            DeltaMessage m = in.readRequired("the result");
            if (m instanceof Result r) {
                if (!r.ok()) {
                    throw new DeltaFailure(file.getFileName() + " did not verify at the receiver after a second pass; "
                            + "its old copy is unchanged");
                }
                return new Sent(stats.size(), stats.literalBytes(), stats.matchedBytes(), pass);
            } else if (m instanceof Retry retry && pass == 1) {
                length = retry.digestLength();
            } else if (m instanceof Failure f) {
                throw new DeltaFailure(f.reason());
            } else {
                throw new ProtocolException("expected the result, got " + m.type()
                        + (pass > 1 ? " (a second retry)" : ""));
            }
        }
    }
}
