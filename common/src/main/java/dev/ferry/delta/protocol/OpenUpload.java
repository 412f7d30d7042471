package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * The client will send a new version of a file; the server holds the old one (or none) at
 * {@code path}. Unless {@code signature} is {@link SignatureRequest#NONE} the server answers with its
 * signature (or a {@link Failure}) and the client waits for it; with NONE, the client sends the whole file at once,
 * without waiting, and the server answers only at the end, with a {@link Result} or a
 * {@link Failure} (a refused file's instructions are read and dropped, so the stream stays in step).
 * A client may send further requests before the answers to earlier ones come (see the package).
 *
 * <p>Wire: path (uint16 length, UTF-8), int64 size, int32 mode, int64 mtime, int32 average chunk size,
 * uint8 digest length, uint8 signature request, uint8 file digest, uint8 fsync (0 or 1).
 *
 * @param path         the file on the server, resolved there within the user's root
 * @param size         the new file's size as the client sees it now (0 to 2^50); {@link FileEnd}
 *                     carries the size actually sent
 * @param mode         permission bits, 0 to 07777
 * @param mtimeMillis  the modification time, milliseconds since the epoch (before 1970 allowed)
 * @param chunkAverage the average chunk size for this file: the session's {@link ChunkingSpec} scaled
 *                     by a power of two (small files get small chunks, huge files large ones)
 * @param digestLength bytes per chunk digest in the signature (16 on a second try after a {@link Retry})
 * @param signature    whether and how the server sends the signature of its old copy
 * @param fileDigest   the whole-file digest the client's {@link FileEnd} will carry, announced here so
 *                     that the server takes it while it writes
 * @param fsync        sync the new file to disk before it replaces the old one whatever its size;
 *                     without it the server syncs only files of {@link Limits#SYNC_FROM} bytes or
 *                     more (rsync syncs none), since a sync per small file costs a tree more than
 *                     its bytes do on a real disk
 */
public record OpenUpload(String path, long size, int mode, long mtimeMillis, int chunkAverage, int digestLength,
        SignatureRequest signature, FileDigest fileDigest, boolean fsync)
        implements DeltaMessage {

    static final int MAX_BODY = Wire.utf8Size(Limits.MAX_PATH_BYTES) + 8 + 4 + 8 + 4 + 1 + 1 + 1 + 1;

    /** A request whose file the server syncs only when it is large ({@link #fsync} false). */
    public OpenUpload(String path, long size, int mode, long mtimeMillis, int chunkAverage, int digestLength,
            SignatureRequest signature, FileDigest fileDigest) {
        this(path, size, mode, mtimeMillis, chunkAverage, digestLength, signature, fileDigest, false);
    }

    /** A request for a file verified with the {@linkplain FileDigest#DEFAULT default} digest. */
    public OpenUpload(String path, long size, int mode, long mtimeMillis, int chunkAverage, int digestLength,
            SignatureRequest signature) {
        this(path, size, mode, mtimeMillis, chunkAverage, digestLength, signature, FileDigest.DEFAULT);
    }

    public OpenUpload {
        Check.path(path);
        Check.fileSize("a file size", size);
        Check.mode(mode);
        Check.chunkAverage(chunkAverage);
        Check.digestLength(digestLength);
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(fileDigest, "fileDigest");
    }

    @Override
    public MessageType type() {
        return MessageType.OPEN_UPLOAD;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        Wire.writeUtf8(out, path, "a path");
        out.writeLong(size);
        out.writeInt(mode);
        out.writeLong(mtimeMillis);
        out.writeInt(chunkAverage);
        out.writeByte(digestLength);
        out.writeByte(signature.code());
        out.writeByte(fileDigest.code());
        out.writeByte(fsync ? 1 : 0);
    }

    static OpenUpload read(BodyReader in) throws ProtocolException {
        return new OpenUpload(in.utf8("a path", Limits.MAX_PATH_BYTES), in.i64(), in.i32(), in.i64(), in.i32(), in.u8(),
                SignatureRequest.ofCode(in.u8()), FileDigest.ofCode(in.u8()), in.bool("fsync"));
    }
}
