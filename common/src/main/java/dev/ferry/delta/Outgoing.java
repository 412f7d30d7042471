package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.Path;

import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;

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
     */
    public record Sent(long size, long literalBytes, long matchedBytes, long literalWireBytes, long firstLiteralNanos,
            boolean stopped) {
    }

    private Outgoing() {
    }

    /**
     * @param mode      the permission bits the receiver gives the new file (as announced in the request)
     * @param chunking  how the file is cut, as the request named it
     * @param signature whether a signature comes first (false: an upload opened without one)
     * @param cutoff    may stop the signature early ({@link Signature.Cutoff#NEVER}: never)
     */
    public static Sent send(MessageReader in, MessageWriter out, Path file, int mode, long mtimeMillis,
            FileChunking chunking, boolean zstd, boolean signature, Signature.Cutoff cutoff) throws IOException {
        int digestLength = chunking.digestLength();
        Signature.Received sig = signature ? Signature.receive(in, out, digestLength, cutoff)
                : new Signature.Received(new ChunkIndex(digestLength), 0, false);
        // Nothing to match against (no old copy, or a stopped signature that matched none of the
        // sample): every byte goes, and chunking the file would only cost time.
        boolean nothingToMatch = sig.index().chunks() == 0 || (cutoff instanceof WholeOrDelta w && w.changed() >= 1);
        Diff.Stats stats = nothingToMatch ? Diff.sendWhole(file, zstd, mode, mtimeMillis, out)
                : Diff.send(file, chunking.params(), sig.index(), zstd, mode, mtimeMillis, out);
        return new Sent(stats.size(), stats.literalBytes(), stats.matchedBytes(), stats.literalWireBytes(),
                stats.firstLiteralNanos(), sig.stopped());
    }
}
