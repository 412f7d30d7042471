package dev.ferry.server.sftp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/**
 * Reports each file an SFTP client read or wrote, when its handle is closed: user, address, path
 * (the target's, also for an upload written into a temporary file), bytes and seconds. A file
 * opened and closed without data moving is not a transfer. A handle still open when the channel
 * ends is reported with the error that says so.
 */
public final class SftpTransferLog implements SftpEventListener {

    private final EventSink events;
    private final Map<Handle, Progress> open = new ConcurrentHashMap<>();

    private static final class Progress {
        final long startNanos = System.nanoTime();
        final AtomicLong read = new AtomicLong();
        final AtomicLong written = new AtomicLong();
    }

    public SftpTransferLog(EventSink events) {
        this.events = events;
    }

    @Override
    public void open(ServerSession session, String remoteHandle, Handle localHandle) {
        if (localHandle instanceof FileHandle) {
            open.put(localHandle, new Progress());
        }
    }

    @Override
    public void read(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
            int dataOffset, int dataLen, int readLen, Throwable thrown) {
        Progress p = open.get(localHandle);
        if (p != null && readLen > 0) {
            p.read.addAndGet(readLen);
        }
    }

    @Override
    public void written(ServerSession session, String remoteHandle, FileHandle localHandle, long offset,
            byte[] data, int dataOffset, int dataLen, Throwable thrown) {
        Progress p = open.get(localHandle);
        if (p != null && thrown == null) {
            p.written.addAndGet(dataLen);
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        report(session, localHandle, thrown == null ? "" : String.valueOf(thrown));
    }

    /** MINA closes the handles the client left open when the channel ends, and tells only this. */
    @Override
    public void exiting(ServerSession session, Handle handle) {
        report(session, handle, "the channel ended before the client closed the file"
                + (AtomicUploads.temporaryOf(handle) != null ? "; the old file is unchanged" : ""));
    }

    private void report(ServerSession session, Handle localHandle, String error) {
        Progress p = open.remove(localHandle);
        if (p == null || (p.read.get() == 0 && p.written.get() == 0)) {
            return;
        }
        boolean upload = p.written.get() > 0;
        double seconds = ServerEvent.seconds(System.nanoTime() - p.startNanos);
        events.accept(new ServerEvent.Transfer(session.getUsername(), ServerEvent.address(ClientAddress.of(session)),
                "sftp", upload ? "upload" : "download", localHandle.getFile().toString(),
                upload ? p.written.get() : p.read.get(), seconds, error));
    }
}
