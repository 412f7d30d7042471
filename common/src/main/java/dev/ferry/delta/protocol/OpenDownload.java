package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The client wants the server's file at {@code path}; the client holds the old copy (or none) and
 * sends its signature right after this message, without waiting. The server answers with
 * instructions and a {@link FileEnd}, or with a {@link Failure}.
 *
 * <p>Wire: path (uint16 length, UTF-8).
 *
 * @param path the file on the server, resolved there within the user's root
 */
public record OpenDownload(String path) implements DeltaMessage {

    static final int MAX_BODY = Wire.utf8Size(Limits.MAX_PATH_BYTES);

    public OpenDownload {
        Check.path(path);
    }

    @Override
    public MessageType type() {
        return MessageType.OPEN_DOWNLOAD;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        Wire.writeUtf8(out, path, "a path");
    }

    static OpenDownload read(BodyReader in) throws ProtocolException {
        return new OpenDownload(in.utf8("a path", Limits.MAX_PATH_BYTES));
    }
}
