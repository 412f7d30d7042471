package dev.ferry.server;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;

import dev.ferry.server.auth.Authenticators;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;
import dev.ferry.transport.TransportProfile;

/** Reports each login, and each connection once, when it closes, with its user, duration and reason. */
final class ConnectionLog implements SessionListener {

    private static final AttributeKey<Long> STARTED = new AttributeKey<>();
    private static final AttributeKey<String> REASON = new AttributeKey<>();
    private static final AttributeKey<String> FAILURE = new AttributeKey<>();

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
                    ServerEvent.address(ClientAddress.of(session)), login == null ? "" : login.method(),
                    login == null ? "" : login.detail()));
            events.accept(new ServerEvent.Transport(ServerEvent.address(ClientAddress.of(session)),
                    session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS),
                    session.getNegotiatedKexParameter(KexProposalOption.S2CENC),
                    session.getNegotiatedKexParameter(KexProposalOption.S2CMAC),
                    session.getNegotiatedKexParameter(KexProposalOption.S2CCOMP),
                    profile.windowSize(), profile.maxPacketSize(), TransportProfile.describeSocket(session.getIoSession())));
        }
    }

    @Override
    public void sessionDisconnect(Session session, int reason, String msg, String language, boolean initiator) {
        String failure = session.getAttribute(FAILURE);
        // The server disconnects because of the failure just caught, with a less precise message
        // (MINA's "SSH2_DISCONNECT_PROTOCOL_ERROR" for an invalid packet length): the failure says why.
        session.setAttribute(REASON, initiator && failure != null ? "server: " + failure
                : (initiator ? "server: " : "client: ") + msg);
    }

    @Override
    public void sessionException(Session session, Throwable t) {
        String failure = describe(t);
        session.setAttribute(FAILURE, failure);
        session.setAttribute(REASON, failure);
    }

    /**
     * What went wrong, from the exception that says it: MINA wraps some failures in one whose
     * message is only the disconnect code ("SSH2_DISCONNECT_PROTOCOL_ERROR" around "Invalid packet
     * length: 0").
     */
    static String describe(Throwable t) {
        String message = t.getMessage();
        Throwable cause = t.getCause();
        if (cause != null && cause != t && cause.getMessage() != null
                && (message == null || message.startsWith("SSH2_DISCONNECT_") || message.equals(cause.toString()))) {
            return describe(cause);
        }
        return String.valueOf(message);
    }

    @Override
    public void sessionClosed(Session session) {
        Long started = session.getAttribute(STARTED);
        if (started == null) {
            return; // refused before it started; the refusal was reported
        }
        if ((ClientAddress.isBalancersOwn(session) && !session.isAuthenticated()) || ClientAddress.leftUnheard(session)) {
            // a balancer's health check, every few seconds, which HAProxy ends with a reset: not worth a
            // line each (a failed login on one is still logged, as auth-failed)
            return;
        }
        double seconds = ServerEvent.seconds(System.nanoTime() - started);
        String reason = session.getAttribute(REASON);
        String version = session.getClientVersion();
        if (reason == null && version != null && !SessionContext.isValidVersionPrefix(version)) {
            // MINA closes such a connection before it reports why (the exception comes after the close)
            reason = "client: unsupported protocol version: " + RefusalLog.clip(version);
        }
        events.accept(new ServerEvent.ConnectionClosed(ServerEvent.address(ClientAddress.of(session)),
                session.isAuthenticated() ? session.getUsername() : "", seconds,
                reason == null ? "" : reason));
    }
}
