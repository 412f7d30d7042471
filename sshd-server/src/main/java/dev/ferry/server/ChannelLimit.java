package dev.ferry.server;

import java.io.IOException;

import org.apache.sshd.common.Service;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.ValidateUtils;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerConnectionService;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;

/**
 * OpenSSH's {@code MaxSessions}: at most so many channels open at once on one connection, and a
 * channel beyond them refused on its own while the connection and its other channels go on.
 *
 * <p>MINA's own limit ({@code MAX_CONCURRENT_CHANNELS}) throws from the middle of the channel open,
 * which closes the whole connection: a client that keeps one connection for many commands (ssh's or
 * ferry's ControlMaster) lost every command in flight when one too many asked for a channel.
 */
final class ChannelLimit extends ServerConnectionServiceFactory {

    private final int limit;
    private final EventSink events;

    ChannelLimit(int limit, EventSink events) {
        this.limit = limit;
        this.events = events;
    }

    @Override
    public Service create(Session session) throws IOException {
        AbstractServerSession server = ValidateUtils.checkInstanceOf(session, AbstractServerSession.class,
                "Not a server session: %s", session);
        Limited service = new Limited(server);
        service.addPortForwardingEventListenerManager(this);
        return service;
    }

    private final class Limited extends ServerConnectionService {

        Limited(AbstractServerSession session) throws IOException {
            super(session);
        }

        @Override
        protected void channelOpen(Buffer buffer) throws Exception {
            int open = getChannels().size();
            if (open < limit) {
                super.channelOpen(buffer);
                return;
            }
            int start = buffer.rpos();
            String type = buffer.getString();
            long sender = buffer.getUInt();
            buffer.rpos(start);
            Session session = getSession();
            events.accept(new ServerEvent.ChannelRefused(session.getUsername(),
                    ServerEvent.address(session.getRemoteAddress()), type, limit));
            sendChannelOpenFailure(buffer, sender, SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                    "at most " + limit + " channels may be open at once on one connection", "");
        }
    }
}
