package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * The client wants the server's file at {@code path}; the client holds the old copy (or none) and
 * sends its signature right after this message, without waiting. The server answers with
 * instructions and a {@link FileEnd}, or with a {@link Failure}. A client may send further
 * requests, each with its signature, before the answers to earlier ones come.
 *
 * <p>Wire: path (uint16 length, UTF-8), int32 average chunk size, uint8 digest length, uint8 may-stop
 * flag, uint8 grouped flag, uint8 file digest.
 *
 * @param path         the file on the server, resolved there within the user's root
 * @param chunkAverage the average chunk size of the signature that follows: the session's
 *                     {@link ChunkingSpec} scaled by a power of two
 * @param digestLength bytes per chunk digest in the signature that follows
 * @param mayStop      the server may send {@link SignatureStop} when sending the file whole looks
 *                     faster than a delta (the client then ends its signature early); false: the
 *                     client asked for a delta whatever it costs
 * @param grouped      the signature may come in two levels ({@link GroupBatch}es): the server may then
 *                     send one {@link DetailRequest} before its first instruction, which the client
 *                     answers with {@link SignatureBatch}es; the client has nothing else in flight
 * @param fileDigest   the whole-file digest the server's {@link FileEnd} must carry: the client, which
 *                     verifies, chooses it, and takes it while it writes
 */
public record OpenDownload(String path, int chunkAverage, int digestLength, boolean mayStop, boolean grouped,
        FileDigest fileDigest)
        implements DeltaMessage {

    static final int MAX_BODY = Wire.utf8Size(Limits.MAX_PATH_BYTES) + 4 + 1 + 1 + 1 + 1;

    /** A request whose signature has one level, for the {@linkplain FileDigest#DEFAULT default} digest. */
    public OpenDownload(String path, int chunkAverage, int digestLength, boolean mayStop) {
        this(path, chunkAverage, digestLength, mayStop, false);
    }

    /** A request for the {@linkplain FileDigest#DEFAULT default} digest. */
    public OpenDownload(String path, int chunkAverage, int digestLength, boolean mayStop, boolean grouped) {
        this(path, chunkAverage, digestLength, mayStop, grouped, FileDigest.DEFAULT);
    }

    public OpenDownload {
        Check.path(path);
        Check.chunkAverage(chunkAverage);
        Check.digestLength(digestLength);
        Objects.requireNonNull(fileDigest, "fileDigest");
    }

    @Override
    public MessageType type() {
        return MessageType.OPEN_DOWNLOAD;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        Wire.writeUtf8(out, path, "a path");
        out.writeInt(chunkAverage);
        out.writeByte(digestLength);
        out.writeBoolean(mayStop);
        out.writeBoolean(grouped);
        out.writeByte(fileDigest.code());
    }

    static OpenDownload read(BodyReader in) throws ProtocolException {
        return new OpenDownload(in.utf8("a path", Limits.MAX_PATH_BYTES), in.i32(), in.u8(),
                in.bool("the may-stop flag"), in.bool("the grouped flag"), FileDigest.ofCode(in.u8()));
    }
}
