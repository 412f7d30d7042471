package dev.ferry.server.proxy;

import java.net.SocketAddress;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;

/**
 * Who the client is: the address a PROXY header named, else the socket's peer. Everything that logs,
 * limits or bans by address asks this rather than {@link Session#getRemoteAddress()}, which behind a
 * load balancer is the balancer.
 */
public final class ClientAddress {

    /** Set on a session once its PROXY header was read (to the socket's peer for a LOCAL header). */
    static final AttributeKey<SocketAddress> KEY = new AttributeKey<>();
    /** Set on a session whose PROXY header said it is the balancer's own connection. */
    static final AttributeKey<Boolean> BALANCERS_OWN = new AttributeKey<>();
    /** Set on a session from a balancer, whose PROXY header is awaited. */
    static final AttributeKey<Boolean> FROM_BALANCER = new AttributeKey<>();

    private ClientAddress() {
    }

    public static SocketAddress of(Session session) {
        SocketAddress proxied = session.getAttribute(KEY);
        return proxied != null ? proxied : session.getRemoteAddress();
    }

    /**
     * Whether {@code session} is the balancer's own connection rather than a client it relays: a health
     * check. HAProxy's {@code check-send-proxy} sends a v2 LOCAL header, or, on a {@code send-proxy}
     * (v1) server, a header naming the check's own socket. Such a connection is neither counted nor
     * scored by address (a check every 2 s would otherwise ban the balancer) nor logged when it ends
     * without logging in; a password tried on one still counts.
     */
    public static boolean isBalancersOwn(Session session) {
        return session.getAttribute(BALANCERS_OWN) != null;
    }

    /**
     * Whether {@code session} came from a balancer and ended before a byte of it was read: a
     * connect-only health check (HAProxy's bare {@code check} resets the connection at once, and the
     * kernel drops the header it sent unread). It had nothing to refuse, so nothing to log.
     */
    public static boolean leftUnheard(Session session) {
        return session.getAttribute(FROM_BALANCER) != null && !known(session) && session.getClientVersion() == null;
    }

    /** Whether a PROXY header was read on {@code session}. */
    static boolean known(Session session) {
        return session.getAttribute(KEY) != null;
    }
}
