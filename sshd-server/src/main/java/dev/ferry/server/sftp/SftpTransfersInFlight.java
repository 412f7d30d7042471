package dev.ferry.server.sftp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;

import dev.ferry.server.lifecycle.TransfersInFlight;

/**
 * An SFTP file open is a transfer in flight ({@link TransfersInFlight}), from its OPEN until its
 * CLOSE, or until the channel ends with it open (MINA then tells {@link #exiting} only).
 */
public final class SftpTransfersInFlight implements SftpEventListener {

    private final Set<Handle> open = ConcurrentHashMap.newKeySet();

    @Override
    public void open(ServerSession session, String remoteHandle, Handle localHandle) {
        if (localHandle instanceof FileHandle && open.add(localHandle)) {
            TransfersInFlight.of(session).begin();
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        ended(session, localHandle);
    }

    @Override
    public void exiting(ServerSession session, Handle handle) {
        ended(session, handle);
    }

    private void ended(ServerSession session, Handle handle) {
        if (open.remove(handle)) {
            TransfersInFlight.of(session).end();
        }
    }
}
