package dev.ferry.client.sftp;

import java.io.IOException;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/** An SSH_FXP_STATUS reply: its code and the server's message. */
public record Status(int code, String message) {

    public static Status of(Buffer body) {
        int code = body.getInt();
        String message = body.available() >= 4 ? body.getString() : "";
        return new Status(code, message);
    }

    public boolean ok() {
        return code == SftpConstants.SSH_FX_OK;
    }

    public boolean eof() {
        return code == SftpConstants.SSH_FX_EOF;
    }

    /** As MINA's SftpClient reports it, so that callers describe both alike. */
    public SftpException exception() {
        return new SftpException(code, message.isEmpty() ? SftpConstants.getStatusName(code) : message);
    }

    /** The body of a reply that should have been {@code expected}: its status as an exception, or a protocol error. */
    public static IOException unexpected(int type, Buffer body, String expected) {
        if (type == SftpConstants.SSH_FXP_STATUS) {
            return of(body).exception();
        }
        return new IOException("the server answered with message type " + type + " where " + expected + " was due");
    }
}
