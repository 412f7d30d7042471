package dev.ferry.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;

/**
 * Guards the listening socket, like OpenSSH's MaxStartups and PerSourcePenalties or SFTPGo's
 * defender: at most {@link Limits#maxUnauthenticatedPerSource()} connections per source address
 * may be authenticating at once, and an address that fails {@link Limits#banThreshold()} times
 * within {@link Limits#banWindow()} (a wrong password, or a connection closed before it
 * authenticated) is refused for {@link Limits#banDuration()}. Refused connections are closed
 * before the SSH handshake, so they cost the server almost nothing.
 */
public final class Defender implements SessionListener {

    /** Set on a session while it counts against its address's unauthenticated connections. */
    private static final AttributeKey<Boolean> COUNTED = new AttributeKey<>();

    private final Limits limits;
    private final Clock clock;
    private final EventSink events;
    private final Map<InetAddress, Source> sources = new HashMap<>();

    /** What is known of one source address. */
    private static final class Source {
        int unauthenticated;
        final Deque<Instant> failures = new ArrayDeque<>();
        Instant bannedUntil = Instant.MIN;

        boolean idle(Instant now) {
            return unauthenticated == 0 && failures.isEmpty() && !bannedUntil.isAfter(now);
        }
    }

    public Defender(Limits limits, Clock clock, EventSink events) {
        this.limits = limits;
        this.clock = clock;
        this.events = events;
    }

    /**
     * Admits or refuses each new connection before the server sends its greeting. Throwing here
     * makes MINA close the socket at once. (Throwing from {@code IoServiceEventListener.connectionAccepted}
     * would be earlier still, but MINA 2.20 then leaves the socket open.)
     */
    @Override
    public void sessionCreated(Session session) {
        try {
            admit(session.getRemoteAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        session.setAttribute(COUNTED, Boolean.TRUE);
    }

    /**
     * Counts a new connection from {@code remote} as authenticating, or refuses it.
     *
     * @throws IOException saying why the connection is refused
     */
    public void admit(SocketAddress remote) throws IOException {
        InetAddress address = address(remote);
        if (address == null) {
            return;
        }
        String refusal;
        synchronized (sources) {
            Instant now = clock.instant();
            Source source = sources.computeIfAbsent(address, a -> new Source());
            if (source.bannedUntil.isAfter(now)) {
                refusal = "banned after repeated failures";
            } else if (source.unauthenticated >= limits.maxUnauthenticatedPerSource()) {
                refusal = "too many unauthenticated connections from this address";
            } else {
                source.unauthenticated++;
                return;
            }
        }
        events.accept(new ServerEvent.ConnectionRefused(ServerEvent.address(remote), refusal));
        throw new IOException("connection from " + ServerEvent.address(remote) + " refused: " + refusal);
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated) {
            release(session);
        }
    }

    @Override
    public void sessionClosed(Session session) {
        if (release(session) && !session.isAuthenticated()) {
            recordFailure(session.getRemoteAddress());
        }
    }

    /** Stops counting {@code session} as unauthenticated; true if it was counted until now. */
    private boolean release(Session session) {
        if (session.removeAttribute(COUNTED) == null) {
            return false;
        }
        InetAddress address = address(session.getRemoteAddress());
        if (address != null) {
            synchronized (sources) {
                Source source = sources.get(address);
                if (source != null && source.unauthenticated > 0) {
                    source.unauthenticated--;
                    if (source.idle(clock.instant())) {
                        sources.remove(address);
                    }
                }
            }
        }
        return true;
    }

    /** Counts a failure (a wrong password, an abandoned login) against the address of {@code remote}. */
    public void recordFailure(SocketAddress remote) {
        InetAddress address = address(remote);
        if (address == null) {
            return;
        }
        int count;
        synchronized (sources) {
            Instant now = clock.instant();
            Source source = sources.computeIfAbsent(address, a -> new Source());
            Instant horizon = now.minus(limits.banWindow());
            while (!source.failures.isEmpty() && source.failures.peekFirst().isBefore(horizon)) {
                source.failures.removeFirst();
            }
            source.failures.addLast(now);
            count = source.failures.size();
            if (count < limits.banThreshold()) {
                return;
            }
            source.bannedUntil = now.plus(limits.banDuration());
            source.failures.clear();
        }
        events.accept(new ServerEvent.Banned(address.getHostAddress(), count, limits.banDuration().toSeconds()));
    }

    /** Whether {@code address} is banned now. */
    public boolean isBanned(InetAddress address) {
        synchronized (sources) {
            Source source = sources.get(address);
            return source != null && source.bannedUntil.isAfter(clock.instant());
        }
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
