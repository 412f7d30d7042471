package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.Path;

import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.fs.FileStamp;

/**
 * One file going out, at the side that holds the new version: takes the receiver's signature (if
 * one comes), then sends the diff and {@code FileEnd}. The receiver's verdict comes later, and the
 * caller reads it, since several files may be on the way by then. Does not flush.
 */
public final class Outgoing {

    /**
     * What went out.
     *
     * @param stopped the signature was stopped early: the file went (mostly) whole
     * @param changed the file changed while it was read: the receiver will not keep it
     */
    public record Sent(long size, long literalBytes, long matchedBytes, long literalWireBytes, long firstLiteralNanos,
            boolean stopped, boolean changed) {
    }

    private Outgoing() {
    }

    /**
     * @param mode      the permission bits the receiver gives the new file (as announced in the request)
     * @param chunking  how the file is cut, as the request named it
     * @param digest    the whole-file digest the request named
     * @param signature whether a signature comes first (false: an upload opened without one)
     * @param grouped   whether the signature may come in two levels (the file is the only one in flight)
     * @param cutoff    may stop the signature early ({@link Signature.Cutoff#NEVER}: never)
     * @param before    the file as it was when its request went out, to tell whether it changed
     *                  while it was read (null: not checked)
     */
    public static Sent send(MessageReader in, MessageWriter out, Path file, FileStamp before, int mode,
            long mtimeMillis,
            FileChunking chunking, boolean zstd, FileDigest digest, boolean signature, boolean grouped,
            Signature.Cutoff cutoff) throws IOException {
        int digestLength = chunking.digestLength();
        NewChunks.Ahead ahead = grouped ? new NewChunks.Ahead(file, chunking.params(), digest) : null;
        try {
            Signature.Received sig = signature ? Signature.receive(in, out, digestLength, grouped, cutoff)
                    : new Signature.Received(new ChunkIndex(digestLength), null, 0, false);
            // Nothing to match against (no old copy, or a stopped signature that matched none of the
            // sample): every byte goes, and chunking the file would only cost time. A stopped two-level
            // signature goes whole too: the detail would cost a round trip the stop said was not worth it.
            boolean nothingToMatch = sig.oldChunks() == 0 || (cutoff instanceof WholeOrDelta w && w.changed() >= 1)
                    || (sig.groups() != null && sig.stopped());
            if (ahead != null && (nothingToMatch || sig.groups() == null)) {
                ahead.cancel();
            }
            Diff.Stats stats;
            if (nothingToMatch) {
                stats = Diff.sendWhole(file, before, zstd, digest, mode, mtimeMillis, out);
            } else if (sig.groups() != null) {
                NewChunks fresh = ahead.chunks();
                long[] plan = GroupMatch.plan(fresh, sig.groups(), digestLength, in, out);
                stats = Diff.sendPlanned(file, before, fresh, plan, ahead, zstd, mode, mtimeMillis, out);
            } else {
                stats = Diff.send(file, before, chunking.params(), sig.index(), zstd, digest, mode, mtimeMillis,
                        out);
            }
            return new Sent(stats.size(), stats.literalBytes(), stats.matchedBytes(), stats.literalWireBytes(),
                    stats.firstLiteralNanos(), sig.stopped(), stats.changed());
        } finally {
            if (ahead != null) { // after a failure the passes over the new file stop; once sent, they are done
                ahead.cancel();
            }
        }
    }
}
