package dev.ferry.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.CheckFileNameExtension;

/**
 * {@code --resume}: how much of a partial file can be kept. A partial file is reused only as far
 * as its SHA-256 equals that of the same prefix of the source; it is never appended to blindly.
 */
final class ResumePoint {

    /**
     * Resumed copies restart at a multiple of this. MINA's check-file (ferryd's) hashes whole
     * internal buffers and so hashes past a range that is not a multiple of its 8 KiB copy size;
     * a 1 MiB multiple is a multiple of that and costs at most 1 MiB of re-sent data.
     */
    static final long ALIGNMENT = 1 << 20;

    /** Returned by {@link #verifiedPrefix} when the partial file is not a prefix of the source. */
    static final long MISMATCH = -1;

    private final SftpClient sftp;
    private final int readSize;

    ResumePoint(SftpClient sftp, int readSize) {
        this.sftp = sftp;
        this.readSize = readSize;
    }

    /**
     * The bytes to keep: the partial file's length rounded down to {@link #ALIGNMENT} when the
     * local and the remote side hash the same over it, 0 when there is nothing to keep, or
     * {@link #MISMATCH}.
     *
     * @param partialLength how long the partial file is
     * @param sourceSize    how long the source is (a longer partial file cannot be its prefix)
     * @param local         the local side: the source (upload) or the partial file (download)
     * @param remote        the remote side: the partial file (upload) or the source (download)
     */
    long verifiedPrefix(long partialLength, long sourceSize, Path local, String remote) throws IOException {
        long length = partialLength / ALIGNMENT * ALIGNMENT;
        if (partialLength > sourceSize || length == 0) {
            return 0;
        }
        byte[] localHash;
        try (InputStream in = Files.newInputStream(local)) {
            localHash = Hashing.sha256(in, length);
        }
        return MessageDigest.isEqual(localHash, remoteSha256(remote, length)) ? length : MISMATCH;
    }

    /**
     * SHA-256 of the first {@code length} bytes of a remote file: computed by the server when it
     * offers {@code check-file-name} (ferryd does), else by reading them back.
     */
    private byte[] remoteSha256(String path, long length) throws IOException {
        CheckFileNameExtension check = sftp.getExtension(CheckFileNameExtension.class);
        if (check != null && check.isSupported()) {
            try {
                Map.Entry<String, Collection<byte[]>> result = check.checkFileName(path, List.of("sha256"), 0,
                        length, 0);
                if ("sha256".equalsIgnoreCase(result.getKey()) && result.getValue().size() == 1) {
                    return result.getValue().iterator().next();
                }
            } catch (IOException e) {
                // the server listed the extension but could not hash: read the bytes instead
            }
        }
        try (InputStream in = sftp.read(path, readSize)) {
            return Hashing.sha256(in, length);
        }
    }
}
