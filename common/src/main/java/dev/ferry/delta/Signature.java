package dev.ferry.delta;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.cdc.StreamChunker;
import dev.ferry.delta.protocol.ChunkSignature;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.SignatureBatch;
import dev.ferry.delta.protocol.SignatureEnd;

/**
 * Step one: the receiver chunks its old file and sends each chunk's length and truncated digest, in
 * batches as it reads, so the sender can take them in while the rest is still being read.
 */
public final class Signature {

    /** Chunks per batch: about 200 KB at 8-byte digests, so a frame stays small. */
    static final int BATCH = 16_384;

    private Signature() {
    }

    /**
     * Sends the signature of {@code old} (null: there is none) and returns where its chunks are.
     * Does not flush.
     */
    public static Basis send(Path old, ChunkerParams params, int digestLength, MessageWriter out) throws IOException {
        if (old == null) {
            out.write(SignatureEnd.NO_OLD_FILE);
            return Basis.NONE;
        }
        Basis basis = new Basis();
        List<ChunkSignature> batch = new ArrayList<>(BATCH);
        long size = 0;
        try (SeekableByteChannel in = Files.newByteChannel(old, StandardOpenOption.READ)) {
            StreamChunker chunks = new StreamChunker(params, in, bufferFor(params, in.size()));
            while (chunks.next()) {
                ChunkDigest digest = ChunkDigest.of(chunks.buffer(), chunks.bufferOffset(), chunks.length());
                batch.add(new ChunkSignature(chunks.length(), digest.toBytes(digestLength)));
                basis.add(chunks.offset(), chunks.length());
                size = chunks.offset() + chunks.length();
                if (batch.size() == BATCH) {
                    out.write(new SignatureBatch(batch));
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            out.write(new SignatureBatch(batch));
        }
        out.write(new SignatureEnd(true, size, basis.count()));
        return basis;
    }

    /**
     * A chunker buffer no larger than the file needs (but at least one maximal chunk): a tree of
     * small files should not cost a megabyte of garbage each.
     */
    static int bufferFor(ChunkerParams params, long fileSize) {
        long wanted = Math.min(StreamChunker.defaultBufferSize(params), Math.max(fileSize, 1));
        return (int) Math.max(params.max(), wanted);
    }

    /** The sender's side: reads batches until the end of the signature. */
    public static ChunkIndex receive(MessageReader in, int digestLength) throws IOException {
        ChunkIndex index = new ChunkIndex(digestLength);
        while (true) {
            DeltaMessage m = in.readRequired("the signature");
            if (m instanceof SignatureBatch batch) {
                if (batch.digestLength() != digestLength) {
                    throw new ProtocolException("the signature has digests of " + batch.digestLength()
                            + " bytes where " + digestLength + " were agreed");
                }
                for (ChunkSignature c : batch.chunks()) {
                    index.add(c.length(), c.digest());
                }
            } else if (m instanceof SignatureEnd end) {
                if (end.chunkCount() != index.chunks()) {
                    throw new ProtocolException("the signature ended after " + index.chunks() + " chunks but counts "
                            + end.chunkCount());
                }
                return index;
            } else if (m instanceof Failure f) {
                throw new DeltaFailure(f.reason());
            } else {
                throw new ProtocolException("expected the signature, got " + m.type());
            }
        }
    }
}
