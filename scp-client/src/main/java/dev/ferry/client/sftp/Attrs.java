package dev.ferry.client.sftp;

import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpHelper;

/** Version 3's ATTRS, read from a reply as MINA's client reads them (draft-ietf-secsh-filexfer-02, 5). */
public final class Attrs {

    private Attrs() {
    }

    /** The attributes at the buffer's position; the buffer is left after them. */
    public static Attributes read(Buffer b) {
        Attributes a = new Attributes();
        int flags = b.getInt();
        if ((flags & SftpConstants.SSH_FILEXFER_ATTR_SIZE) != 0) {
            a.size(b.getLong());
        }
        if ((flags & SftpConstants.SSH_FILEXFER_ATTR_UIDGID) != 0) {
            b.getInt();
            b.getInt();
        }
        if ((flags & SftpConstants.SSH_FILEXFER_ATTR_PERMISSIONS) != 0) {
            int perms = b.getInt();
            a.perms(perms);
            a.setType(SftpHelper.permissionsToFileType(perms));
        }
        if ((flags & SftpConstants.SSH_FILEXFER_ATTR_ACMODTIME) != 0) {
            a.accessTime(b.getUInt(), TimeUnit.SECONDS);
            a.modifyTime(b.getUInt(), TimeUnit.SECONDS);
        }
        if ((flags & SftpConstants.SSH_FILEXFER_ATTR_EXTENDED) != 0) {
            int n = b.getInt();
            for (int i = 0; i < n; i++) {
                b.getString();
                b.getString();
            }
        }
        return a;
    }

    /** The permission bits the server sent, or -1 if it sent none. */
    public static int permissions(Attributes a) {
        return a.getFlags().contains(SftpClient.Attribute.Perms) ? a.getPermissions() : -1;
    }
}
