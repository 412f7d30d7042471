package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The client wants the tree under {@code path}: every regular file and directory below it, at any
 * depth, with size, modification time and mode; symbolic links and special files are left out,
 * as a sync leaves them. The server answers with {@link ListBatch}es and a {@link ListEnd}, or a
 * {@link Failure} (no such directory). One listing is a round trip where SFTP takes three per
 * directory, and its entries cost a third of SFTP's bytes.
 *
 * <p>Wire: path (uint16 length, UTF-8).
 *
 * @param path the directory on the server, resolved there within the user's root
 */
public record ListRequest(String path) implements DeltaMessage {

    static final int MAX_BODY = Wire.utf8Size(Limits.MAX_PATH_BYTES);

    public ListRequest {
        Check.path(path);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_REQUEST;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        Wire.writeUtf8(out, path, "a path");
    }

    static ListRequest read(BodyReader in) throws ProtocolException {
        return new ListRequest(in.utf8("a path", Limits.MAX_PATH_BYTES));
    }
}
