package dev.ferry.server;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

import dev.ferry.server.auth.Authenticators;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.transport.TransportProfile;

/** Reports each login, and each connection once, when it closes, with its user, duration and reason. */
final class ConnectionLog implements SessionListener {

    private static final AttributeKey<Long> STARTED = new AttributeKey<>();
    private static final AttributeKey<String> REASON = new AttributeKey<>();

    private final EventSink events;
    private final TransportProfile profile;

    ConnectionLog(EventSink events, TransportProfile profile) {
        this.events = events;
        this.profile = profile;
    }

    @Override
    public void sessionCreated(Session session) {
        session.setAttribute(STARTED, System.nanoTime());
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated) {
            Authenticators.Login login = session.getAttribute(Authenticators.LOGIN);
            events.accept(new ServerEvent.AuthSucceeded(session.getUsername(),
                    ServerEvent.address(session.getRemoteAddress()), login == null ? "" : login.method(),
                    login == null ? "" : login.detail()));
            events.accept(new ServerEvent.Transport(ServerEvent.address(session.getRemoteAddress()),
                    session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS),
                    session.getNegotiatedKexParameter(KexProposalOption.S2CENC),
                    session.getNegotiatedKexParameter(KexProposalOption.S2CMAC),
                    session.getNegotiatedKexParameter(KexProposalOption.S2CCOMP),
                    profile.windowSize(), profile.maxPacketSize(), TransportProfile.describeSocket(session.getIoSession())));
        }
    }

    @Override
    public void sessionDisconnect(Session session, int reason, String msg, String language, boolean initiator) {
        session.setAttribute(REASON, (initiator ? "server: " : "client: ") + msg);
    }

    @Override
    public void sessionException(Session session, Throwable t) {
        session.setAttribute(REASON, String.valueOf(t.getMessage()));
    }

    @Override
    public void sessionClosed(Session session) {
        Long started = session.getAttribute(STARTED);
        if (started == null) {
            return; // refused before it started; the refusal was reported
        }
        double seconds = ServerEvent.seconds(System.nanoTime() - started);
        String reason = session.getAttribute(REASON);
        events.accept(new ServerEvent.ConnectionClosed(ServerEvent.address(session.getRemoteAddress()),
                session.isAuthenticated() ? session.getUsername() : "", seconds,
                reason == null ? "" : reason));
    }
}
