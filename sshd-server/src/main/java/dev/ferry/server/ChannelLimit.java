package dev.ferry.server;

import java.io.IOException;
import java.util.function.IntSupplier;

import org.apache.sshd.common.Service;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.ValidateUtils;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerConnectionService;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;

import dev.ferry.server.auth.UserSessions;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/**
 * OpenSSH's {@code MaxSessions}: at most so many channels open at once on one connection, and a
 * channel beyond them refused on its own while the connection and its other channels go on.
 *
 * <p>MINA's own limit ({@code MAX_CONCURRENT_CHANNELS}) throws from the middle of the channel open,
 * which closes the whole connection: a client that keeps one connection for many commands (ssh's or
 * ferry's ControlMaster) lost every command in flight when one too many asked for a channel.
 *
 * <p>Also logs what the connection layer refuses without a word from MINA: channels of other types
 * than {@code session} (port forwarding, X11, agent) and global requests ({@code tcpip-forward}).
 */
final class ChannelLimit extends ServerConnectionServiceFactory {

    /** OpenSSH's client asks this of a quiet server (ServerAliveInterval); a refusal is the expected answer. */
    private static final String KEEPALIVE = "keepalive@openssh.com";

    private final IntSupplier limit;
    private final RefusalLog refusals;

    /** @param limit the limit now (a reload may change it; channels opened from then on see it) */
    ChannelLimit(IntSupplier limit, RefusalLog refusals) {
        this.limit = limit;
        this.refusals = refusals;
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
            int start = buffer.rpos();
            String type = buffer.getString();
            long sender = buffer.getUInt();
            buffer.rpos(start);
            Session session = getSession();
            String refused = UserSessions.refusal(session);
            if (refused != null) {
                // A login past the user's maxSessions, whose disconnect is on its way: the channel
                // its client opened at once is refused cleanly, with the reason (an exception here
                // closed the connection before the disconnect, and the client never saw why).
                sendChannelOpenFailure(buffer, sender, SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, refused, "");
                return;
            }
            if (!"session".equals(type)) {
                // MINA answers "unknown channel type"; only session channels have a factory
                refusals.refused(session, "ssh", "channel-open " + type,
                        "only session channels are offered (no forwarding, X11 or agent)");
                super.channelOpen(buffer);
                return;
            }
            int open = getChannels().size();
            int limit = ChannelLimit.this.limit.getAsInt();
            if (open < limit) {
                super.channelOpen(buffer);
                return;
            }
            refusals.report(session, new ServerEvent.ChannelRefused(session.getUsername(),
                    ServerEvent.address(ClientAddress.of(session)), type, limit));
            sendChannelOpenFailure(buffer, sender, SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                    "at most " + limit + " channels may be open at once on one connection", "");
        }

        @Override
        protected IoWriteFuture sendGlobalResponse(Buffer buffer, String req, RequestHandler.Result result,
                boolean wantReply) throws IOException {
            if (result != RequestHandler.Result.ReplySuccess && result != RequestHandler.Result.Replied
                    && !KEEPALIVE.equals(req)) {
                refusals.refused(getSession(), "ssh", "global " + req,
                        req.contains("forward") ? "port forwarding is not offered" : "unknown global request");
            }
            return super.sendGlobalResponse(buffer, req, result, wantReply);
        }
    }
}
