package dev.ferry.server.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.ServerProxyAcceptor;
import org.apache.sshd.server.session.ServerSession;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;

/**
 * Requires a PROXY header (v1 or v2) from every connection, and accepts connections only from the
 * balancers' addresses: anyone else could name any client and so dodge a ban or frame another address.
 *
 * <p>As a {@link SessionListener}, registered before the defender, it refuses a connection from an
 * address not trusted before the greeting. As MINA's {@link ServerProxyAcceptor} it reads the header
 * ahead of the client's identification line, records the client's address ({@link ClientAddress})
 * and then hands the session to {@code admit}: the defender's per-address admission, which could not
 * run at the connection's start, when only the balancer's address was known.
 */
public final class ProxyProtocol implements ServerProxyAcceptor, SessionListener {

    private final Predicate<InetAddress> trusted;
    private final EventSink events;
    private final Consumer<Session> admit;

    /**
     * @param trusted the balancers' addresses, the only ones whose connections are served
     * @param admit   admits the session by its client's address once known; throws to refuse it
     */
    public ProxyProtocol(Predicate<InetAddress> trusted, EventSink events, Consumer<Session> admit) {
        this.trusted = trusted;
        this.events = events;
        this.admit = admit;
    }

    /** Whether a connection from {@code remote} is a balancer's, its admission waiting for the header. */
    public boolean trusts(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null && trusted.test(inet.getAddress());
    }

    @Override
    public void sessionCreated(Session session) {
        if (!trusts(session.getRemoteAddress())) {
            throw new UncheckedIOException(refuse(session, "not from an address allowed to send a PROXY header"));
        }
        session.setAttribute(ClientAddress.FROM_BALANCER, Boolean.TRUE);
    }

    /**
     * Called with what arrived before the identification line, again at each arrival until that line is
     * complete; true once the header is read and skipped in {@code buffer}. MINA puts the buffer back
     * where it was while the identification line is incomplete, header included: so each call parses
     * the header again and skips it, and only the first records the client and admits it.
     */
    @Override
    public boolean acceptServerProxyMetadata(ServerSession session, Buffer buffer) throws Exception {
        Optional<ProxyHeader> header;
        try {
            header = ProxyHeaders.parse(buffer.array(), buffer.rpos(), buffer.available());
        } catch (MalformedProxyHeader e) {
            throw refuse(session, e.getMessage());
        }
        if (header.isEmpty()) {
            return false;
        }
        buffer.rpos(buffer.rpos() + header.get().length());
        if (!ClientAddress.known(session)) {
            SocketAddress client = header.get() instanceof ProxyHeader.Proxied proxied ? proxied.source()
                    : session.getRemoteAddress();
            session.setAttribute(ClientAddress.KEY, client);
            if (client.equals(session.getRemoteAddress())) {
                session.setAttribute(ClientAddress.BALANCERS_OWN, Boolean.TRUE);
            }
            admit.accept(session);
        }
        return true;
    }

    private IOException refuse(Session session, String reason) {
        events.accept(new ServerEvent.ProxyHeaderRefused(ServerEvent.address(session.getRemoteAddress()), reason));
        return new IOException("connection from " + ServerEvent.address(session.getRemoteAddress()) + " refused: "
                + reason);
    }
}
