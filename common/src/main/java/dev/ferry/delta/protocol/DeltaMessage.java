package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One message of the ferry-delta subsystem. Every message is a record, validated when it is built,
 * so a message that exists is one the peer may be sent; decoding builds it through the same
 * constructor, so what the peer sends is held to the same rules.
 *
 * <pre>
 * code message        sent by            means
 *   1  Hello          both, first        protocol version and capabilities
 *   2  Failure        either             the current request failed; one sentence for the user
 *  10  ChunkingSpec   client             the session's chunker and chunk shape (each request scales it)
 *  11  OpenUpload     client             the client sends a file; the server holds the old copy
 *  12  OpenDownload   client             the server sends a file; the client holds the old copy
 *  13  ListRequest    client             the files and directories under a directory of the server
 *  20  SignatureBatch receiver           digests of the next old chunks, in order, and the bytes they cover
 *  21  SignatureEnd   receiver           the signature is complete (or stopped), or there is no old file
 *  22  SignatureStop  sender             enough signature: the file will go (mostly) whole
 *  23  GroupBatch     receiver           names and chunk counts of the next old groups (two-level signature)
 *  24  DetailRequest  sender             the groups whose chunk digests it wants (answered by SignatureBatches)
 *  30  CopyChunks     sender             copy a run of old chunks into the new file
 *  31  Literal        sender             new bytes, maybe compressed
 *  32  FileEnd        sender             the new file is complete: size, digest, mode, mtime
 *  40  Result         receiver           the new file verified (or not); bytes sent and reused
 *  41  Retry          receiver           the digest differs: open the file again with longer digests
 *  50  ListBatch      server             the next entries of a listing: path, kind, size, mtime, mode
 *  51  ListEnd        server             the listing is complete
 * </pre>
 *
 * See {@code package-info.java} for the framing and the order of messages.
 */
public sealed interface DeltaMessage permits Hello, Failure, ChunkingSpec, OpenUpload, OpenDownload, ListRequest,
        SignatureBatch, SignatureEnd, SignatureStop, GroupBatch, DetailRequest, CopyChunks, Literal, FileEnd, Result,
        Retry, ListBatch, ListEnd {

    MessageType type();

    /**
     * Writes the body: the fields after the type byte, in the order the record declares them.
     * {@link MessageWriter} adds the length and the type around it.
     */
    void writeBody(DataOutput out) throws IOException;

    /**
     * Bytes of the body that follow what {@link #writeBody} wrote and that the writer sends straight
     * from the message instead of copying them into its frame: a literal's data.
     */
    default int tailLength() {
        return 0;
    }

    /** Writes the {@link #tailLength()} bytes of the tail. */
    default void writeTail(OutputStream out) throws IOException {
    }
}
