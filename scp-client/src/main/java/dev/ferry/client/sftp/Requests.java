package dev.ferry.client.sftp;

import java.nio.charset.StandardCharsets;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.common.SftpConstants;

/** SFTP version 3 requests, each appended to a buffer as one whole packet (draft-ietf-secsh-filexfer-02). */
public final class Requests {

    /** SSH_FILEXFER_ATTR_PERMISSIONS and SSH_FILEXFER_ATTR_ACMODTIME: what Ferry sets. */
    private static final int ATTR_PERMISSIONS = 0x4;
    private static final int ATTR_TIMES = 0x8;

    private Requests() {
    }

    /** SSH_FXP_OPEN with no attributes: the server's default mode for a new file. */
    public static void open(Buffer out, int id, String path, int pflags) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        start(out, SftpConstants.SSH_FXP_OPEN, id, 4 + name.length + 4 + 4);
        out.putBytes(name);
        out.putUInt(pflags);
        out.putUInt(0); // attribute flags: none
    }

    public static void read(Buffer out, int id, byte[] handle, long offset, int length) {
        start(out, SftpConstants.SSH_FXP_READ, id, 4 + handle.length + 8 + 4);
        out.putBytes(handle);
        out.putLong(offset);
        out.putUInt(length);
    }

    /** SSH_FXP_FSTAT: the open file's attributes, as the server sees them when it gets here. */
    public static void fstat(Buffer out, int id, byte[] handle) {
        start(out, SftpConstants.SSH_FXP_FSTAT, id, 4 + handle.length);
        out.putBytes(handle);
    }

    public static void close(Buffer out, int id, byte[] handle) {
        start(out, SftpConstants.SSH_FXP_CLOSE, id, 4 + handle.length);
        out.putBytes(handle);
    }

    /** SSH_FXP_WRITE of {@code length} bytes of {@code data} from {@code from}. */
    public static void write(Buffer out, int id, byte[] handle, long offset, byte[] data, int from, int length) {
        start(out, SftpConstants.SSH_FXP_WRITE, id, 4 + handle.length + 8 + 4 + length);
        out.putBytes(handle);
        out.putLong(offset);
        out.putBytes(data, from, length);
    }

    /** SSH_FXP_FSETSTAT with the permissions ({@code mode} < 0: none) and times (null: none) given. */
    public static void fsetstat(Buffer out, int id, byte[] handle, int mode, long[] atimeMtime) {
        int attrs = 4 + (mode >= 0 ? 4 : 0) + (atimeMtime != null ? 8 : 0);
        start(out, SftpConstants.SSH_FXP_FSETSTAT, id, 4 + handle.length + attrs);
        out.putBytes(handle);
        out.putUInt((mode >= 0 ? ATTR_PERMISSIONS : 0) | (atimeMtime != null ? ATTR_TIMES : 0));
        if (mode >= 0) {
            out.putUInt(mode & 07777);
        }
        if (atimeMtime != null) {
            out.putUInt(atimeMtime[0] & 0xFFFFFFFFL);
            out.putUInt(atimeMtime[1] & 0xFFFFFFFFL);
        }
    }

    /** SSH_FXP_SETSTAT of a path: its permissions and its access and modification times, in seconds. */
    public static void setstat(Buffer out, int id, String path, int mode, long[] atimeMtime) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        start(out, SftpConstants.SSH_FXP_SETSTAT, id, 4 + name.length + 4 + 4 + 8);
        out.putBytes(name);
        out.putUInt(ATTR_PERMISSIONS | ATTR_TIMES);
        out.putUInt(mode & 07777);
        out.putUInt(atimeMtime[0] & 0xFFFFFFFFL);
        out.putUInt(atimeMtime[1] & 0xFFFFFFFFL);
    }

    /**
     * lsetstat@openssh.com with times only: sets the access and modification times (seconds) of
     * the name itself, a symbolic link's own rather than its target's (OpenSSH 8.0+, MINA).
     */
    public static void lsetstatTimes(Buffer out, int id, String path, long[] atimeMtime) {
        byte[] ext = LSETSTAT.getBytes(StandardCharsets.US_ASCII);
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        start(out, SftpConstants.SSH_FXP_EXTENDED, id, 4 + ext.length + 4 + name.length + 4 + 8);
        out.putBytes(ext);
        out.putBytes(name);
        out.putUInt(ATTR_TIMES);
        out.putUInt(atimeMtime[0] & 0xFFFFFFFFL);
        out.putUInt(atimeMtime[1] & 0xFFFFFFFFL);
    }

    /** The extension's name, as servers announce it in VERSION. */
    public static final String LSETSTAT = "lsetstat@openssh.com";

    /** SSH_FXP_LSTAT: the attributes of the name itself, not of what a link points to. */
    public static void lstat(Buffer out, int id, String path) {
        pathRequest(out, SftpConstants.SSH_FXP_LSTAT, id, path);
    }

    public static void opendir(Buffer out, int id, String path) {
        pathRequest(out, SftpConstants.SSH_FXP_OPENDIR, id, path);
    }

    public static void readdir(Buffer out, int id, byte[] handle) {
        start(out, SftpConstants.SSH_FXP_READDIR, id, 4 + handle.length);
        out.putBytes(handle);
    }

    /** SSH_FXP_READLINK: what a symbolic link holds, answered as a NAME of one entry. */
    public static void readlink(Buffer out, int id, String path) {
        pathRequest(out, SftpConstants.SSH_FXP_READLINK, id, path);
    }

    /** SSH_FXP_STAT: the attributes of what a link points to. */
    public static void stat(Buffer out, int id, String path) {
        pathRequest(out, SftpConstants.SSH_FXP_STAT, id, path);
    }

    /** SSH_FXP_MKDIR with no attributes: the server's default mode. */
    public static void mkdir(Buffer out, int id, String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        start(out, SftpConstants.SSH_FXP_MKDIR, id, 4 + name.length + 4);
        out.putBytes(name);
        out.putUInt(0);
    }

    public static void remove(Buffer out, int id, String path) {
        pathRequest(out, SftpConstants.SSH_FXP_REMOVE, id, path);
    }

    /** SSH_FXP_RENAME: version 3's, which a server may refuse when the new name exists. */
    public static void rename(Buffer out, int id, String from, String to) {
        byte[] a = from.getBytes(StandardCharsets.UTF_8);
        byte[] b = to.getBytes(StandardCharsets.UTF_8);
        start(out, SftpConstants.SSH_FXP_RENAME, id, 4 + a.length + 4 + b.length);
        out.putBytes(a);
        out.putBytes(b);
    }

    /** posix-rename@openssh.com: rename(2), replacing the new name atomically. */
    public static void posixRename(Buffer out, int id, String from, String to) {
        byte[] ext = POSIX_RENAME.getBytes(StandardCharsets.US_ASCII);
        byte[] a = from.getBytes(StandardCharsets.UTF_8);
        byte[] b = to.getBytes(StandardCharsets.UTF_8);
        start(out, SftpConstants.SSH_FXP_EXTENDED, id, 4 + ext.length + 4 + a.length + 4 + b.length);
        out.putBytes(ext);
        out.putBytes(a);
        out.putBytes(b);
    }

    /** The extension's name, as servers announce it in VERSION. */
    public static final String POSIX_RENAME = "posix-rename@openssh.com";

    private static void pathRequest(Buffer out, int type, int id, String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        start(out, type, id, 4 + name.length);
        out.putBytes(name);
    }

    private static void start(Buffer out, int type, int id, int fields) {
        out.putUInt(1 + 4 + fields);
        out.putByte((byte) type);
        out.putUInt(id & 0xFFFFFFFFL);
    }
}
