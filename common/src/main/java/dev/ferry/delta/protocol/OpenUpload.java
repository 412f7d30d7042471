package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The client will send a new version of a file; the server holds the old one (or none) at
 * {@code path} and answers with its signature, or with a {@link Failure}.
 *
 * <p>Wire: path (uint16 length, UTF-8), int64 size, int32 mode, int64 mtime.
 *
 * @param path        the file on the server, resolved there within the user's root
 * @param size        the new file's size as the client sees it now (0 to 2^50); {@link FileEnd}
 *                    carries the size actually sent
 * @param mode        permission bits, 0 to 07777
 * @param mtimeMillis the modification time, milliseconds since the epoch (before 1970 allowed)
 */
public record OpenUpload(String path, long size, int mode, long mtimeMillis) implements DeltaMessage {

    static final int MAX_BODY = Wire.utf8Size(Limits.MAX_PATH_BYTES) + 8 + 4 + 8;

    public OpenUpload {
        Check.path(path);
        Check.fileSize("a file size", size);
        Check.mode(mode);
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
    }

    static OpenUpload read(BodyReader in) throws ProtocolException {
        return new OpenUpload(in.utf8("a path", Limits.MAX_PATH_BYTES), in.i64(), in.i32(), in.i64());
    }
}
