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

    private ClientAddress() {
    }

    public static SocketAddress of(Session session) {
        SocketAddress proxied = session.getAttribute(KEY);
        return proxied != null ? proxied : session.getRemoteAddress();
    }

    /** Whether a PROXY header was read on {@code session}. */
    static boolean known(Session session) {
        return session.getAttribute(KEY) != null;
    }
}
