package dev.ferry.server.scp;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.scp.common.ScpTransferEventListener;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/** Reports each file sent or received over SCP when it ends, with its size and duration. */
final class ScpTransferLog implements ScpTransferEventListener {

    private record Key(Session session, Path path) {
    }

    private final EventSink events;
    private final Map<Key, Long> started = new ConcurrentHashMap<>();

    ScpTransferLog(EventSink events) {
        this.events = events;
    }

    @Override
    public void startFileEvent(Session session, FileOperation op, Path file, long length,
            Set<PosixFilePermission> perms) {
        started.put(new Key(session, file), System.nanoTime());
    }

    @Override
    public void endFileEvent(Session session, FileOperation op, Path file, long length,
            Set<PosixFilePermission> perms, Throwable thrown) {
        Long start = started.remove(new Key(session, file));
        double seconds = start == null ? 0 : ServerEvent.seconds(System.nanoTime() - start);
        events.accept(new ServerEvent.Transfer(session.getUsername(), ServerEvent.address(ClientAddress.of(session)),
                "scp", op == FileOperation.RECEIVE ? "upload" : "download", file.toString(), length, seconds,
                thrown == null ? "" : ScpErrors.describe(thrown)));
    }
}
