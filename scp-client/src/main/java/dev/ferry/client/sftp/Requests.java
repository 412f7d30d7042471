package dev.ferry.client.sftp;

import java.nio.charset.StandardCharsets;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.common.SftpConstants;

/** SFTP version 3 requests, each appended to a buffer as one whole packet (draft-ietf-secsh-filexfer-02). */
final class Requests {

    private Requests() {
    }

    /** SSH_FXP_OPEN with no attributes: the server's default mode for a new file. */
    static void open(Buffer out, int id, String path, int pflags) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        start(out, SftpConstants.SSH_FXP_OPEN, id, 4 + name.length + 4 + 4);
        out.putBytes(name);
        out.putUInt(pflags);
        out.putUInt(0); // attribute flags: none
    }

    static void read(Buffer out, int id, byte[] handle, long offset, int length) {
        start(out, SftpConstants.SSH_FXP_READ, id, 4 + handle.length + 8 + 4);
        out.putBytes(handle);
        out.putLong(offset);
        out.putUInt(length);
    }

    static void close(Buffer out, int id, byte[] handle) {
        start(out, SftpConstants.SSH_FXP_CLOSE, id, 4 + handle.length);
        out.putBytes(handle);
    }

    private static void start(Buffer out, int type, int id, int fields) {
        out.putUInt(1 + 4 + fields);
        out.putByte((byte) type);
        out.putUInt(id & 0xFFFFFFFFL);
    }
}
