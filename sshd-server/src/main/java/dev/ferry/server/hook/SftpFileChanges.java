package dev.ferry.server.hook;

import java.io.IOException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpEventListener;

import dev.ferry.fs.TemporaryName;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/**
 * Tells the hook of the files SFTP clients delete and rename. A rename of a client's temporary
 * file into place ({@code ferry cp}'s {@code .NAME.ferry-part}) is where that upload completes,
 * so it is told as the upload of the target, and the write into the temporary name is not.
 */
final class SftpFileChanges implements SftpEventListener {

    private final HookRunner runner;

    SftpFileChanges(HookRunner runner) {
        this.runner = runner;
    }

    @Override
    public void removed(ServerSession session, Path path, boolean isDirectory, Throwable thrown) {
        if (thrown == null && !temporary(path)) {
            runner.changed(Hook.Event.DELETE, session.getUsername(), ServerEvent.address(ClientAddress.of(session)),
                    path.toString(), null);
        }
    }

    @Override
    public void moved(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts,
            Throwable thrown) {
        if (thrown != null || temporary(dstPath)) {
            return;
        }
        String user = session.getUsername();
        String remote = ServerEvent.address(ClientAddress.of(session));
        if (temporary(srcPath)) {
            long size;
            try {
                size = Files.size(dstPath);
            } catch (IOException e) {
                size = 0; // already gone again: the hook is told it arrived, with what it knows
            }
            runner.renamedIntoPlace(user, remote, srcPath.toString(), dstPath.toString(), size);
        } else {
            runner.changed(Hook.Event.RENAME, user, remote, dstPath.toString(), srcPath.toString());
        }
    }

    static boolean temporary(Path path) {
        Path name = path.getFileName();
        return name != null && TemporaryName.isTemporary(name.toString());
    }

    static boolean temporary(String path) {
        return TemporaryName.isTemporary(path.substring(path.lastIndexOf('/') + 1));
    }
}
