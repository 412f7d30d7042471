package dev.ferry.server.sftp;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.sshd.sftp.common.extensions.openssh.AbstractOpenSSHExtensionParser.OpenSSHExtension;

/**
 * The OpenSSH SFTP extensions ferryd adds to MINA's (fsync, hardlink, lsetstat, posix-rename,
 * limits), each one OpenSSH's sftp uses: {@code statvfs@openssh.com} ({@code df}),
 * {@code expand-path@openssh.com} ({@code cd ~}, paths starting with {@code ~}), and
 * {@code copy-data} ({@code cp}, a server-side copy MINA implements but advertised only inside
 * "supported2", which OpenSSH does not read). Not advertised, so clients fall back: the
 * {@code fstatvfs}, {@code home-directory} and {@code users-groups-by-id} extensions.
 */
final class OpenSshExtensions {

    static final String STATVFS = "statvfs@openssh.com";
    static final String EXPAND_PATH = "expand-path@openssh.com";
    static final String COPY_DATA = "copy-data";

    static final List<OpenSSHExtension> ADVERTISED = List.of(new OpenSSHExtension(STATVFS, "2"),
            new OpenSSHExtension(EXPAND_PATH, "1"), new OpenSSHExtension(COPY_DATA, "1"));

    /** statvfs(3)'s ST_RDONLY and ST_NOSUID. */
    private static final long READ_ONLY = 1;
    private static final long NO_SUID = 2;

    private OpenSshExtensions() {
    }

    /**
     * The eleven fields of OpenSSH's statvfs reply for the file store holding {@code path}: block
     * size, fragment size, blocks, free, available, inodes (unknown to Java: 0), file system id (0),
     * flags (read-only for a read-only user; no setuid, which ferryd never lets anyone set), and
     * the longest name.
     */
    static long[] statvfs(Path path, boolean readOnlyUser) throws IOException {
        FileStore store = Files.getFileStore(path);
        long block;
        try {
            block = store.getBlockSize();
        } catch (UnsupportedOperationException e) {
            block = 4096;
        }
        long flags = NO_SUID | (readOnlyUser || store.isReadOnly() ? READ_ONLY : 0);
        return new long[] {block, block, store.getTotalSpace() / block, store.getUnallocatedSpace() / block,
            store.getUsableSpace() / block, 0, 0, 0, 0, flags, 255};
    }

    /** {@code ~} and {@code ~/x} name the user's home, which is the root of what they see. */
    static String expandHome(String path) {
        if (path.equals("~")) {
            return "/";
        }
        if (path.startsWith("~/")) {
            return "/" + path.substring(2);
        }
        if (path.startsWith("~")) {
            throw new IllegalArgumentException("no other user's home directory here: " + path);
        }
        return path;
    }
}
