package dev.ferry.server.sftp;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.util.Set;

import org.apache.sshd.common.util.GenericUtils;
import org.apache.sshd.common.util.io.IoUtils;

import dev.ferry.delta.protocol.Limits;

/**
 * When an uploaded file reaches the disk: as the delta subsystem does it, a file of
 * {@link Limits#SYNC_FROM} or more is synced before its handle closes (so the client's rename that
 * follows puts a whole file in place even after a power cut), a smaller one only when the client
 * asks (fsync@openssh.com, OpenSSH's {@code put -f}).
 *
 * <p>MINA syncs every written file at its close. On a tree of small files that is one disk flush
 * per file, which OpenSSH's sftp-server and rsync (without --fsync) never pay: a flush costs a
 * millisecond or more on a real disk, more than the rest of a small file's work. A transfer that
 * is interrupted still never replaces the old file (ferryd writes a temporary file and renames it
 * at the client's close, {@link AtomicUploads}, or the client does so itself); what a small file
 * gives up is only durability across a crash of the machine itself in the seconds before the
 * kernel writes it back.
 */
final class LargeFilesSynced {

    private LargeFilesSynced() {
    }

    /** Closes a file handle's channel, synced first when {@link #syncs} says so. */
    static void close(Channel channel, Set<? extends OpenOption> options) throws IOException {
        if (channel == null || !channel.isOpen()) {
            return;
        }
        try (channel) {
            if (channel instanceof FileChannel fc && syncs(options, fc.size())) {
                fc.force(true);
            }
        }
    }

    /** Whether a file opened with {@code options} and now {@code size} bytes long is synced at its close. */
    static boolean syncs(Set<? extends OpenOption> options, long size) {
        return GenericUtils.containsAny(options, IoUtils.WRITEABLE_OPEN_OPTIONS) && size >= Limits.SYNC_FROM;
    }
}
