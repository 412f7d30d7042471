package dev.ferry.server;

import java.io.IOException;
import java.util.function.Consumer;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.channel.ChannelSessionFactory;

import dev.ferry.server.log.ServerEvent;

/**
 * A session channel that sends few, large window adjustments. MINA's window sends one whenever a
 * few packets' worth has been consumed, which with a 64 MiB window means about a thousand
 * SSH_MSG_CHANNEL_WINDOW_ADJUST per GiB (MINA issue #884). This one holds them until an eighth of
 * the window has been consumed: the sender always has at least seven eighths of the window to send
 * into, so it never waits, and the adjustments per GiB drop to about 128 / (window in GiB).
 * Counts are reported when the channel closes.
 */
final class CoalescingChannelSession extends ChannelSession {

    private final Consumer<ServerEvent> events;
    private long pending;
    private long consumed;
    private long adjusts;

    private CoalescingChannelSession(Consumer<ServerEvent> events) {
        this.events = events;
    }

    /** Creates these channels for "session" channel requests. */
    static ChannelSessionFactory factory(Consumer<ServerEvent> events) {
        return new ChannelSessionFactory() {
            @Override
            public Channel createChannel(Session session) {
                return new CoalescingChannelSession(events);
            }
        };
    }

    @Override
    protected void sendWindowAdjust(long len) throws IOException {
        long send;
        synchronized (this) {
            pending += len;
            consumed += len;
            long threshold = Math.max(getLocalWindow().getMaxSize() / 8, 1);
            if (pending < threshold) {
                return;
            }
            send = pending;
            pending = 0;
            adjusts++;
        }
        super.sendWindowAdjust(send);
    }

    @Override
    protected void preClose() {
        long bytes;
        long count;
        synchronized (this) {
            bytes = consumed;
            count = adjusts;
        }
        if (bytes > 0) {
            Session session = getSession();
            events.accept(new ServerEvent.ChannelWindow(session.getUsername(),
                    ServerEvent.address(session.getRemoteAddress()), bytes, count,
                    getLocalWindow().getMaxSize()));
        }
        super.preClose();
    }
}
