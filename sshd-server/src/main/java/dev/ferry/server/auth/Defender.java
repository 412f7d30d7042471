package dev.ferry.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;

/**
 * Guards the listening socket, like OpenSSH's MaxStartups and PerSourcePenalties or SFTPGo's
 * defender: at most {@link Limits#maxUnauthenticatedPerSource()} connections per source address may
 * be authenticating at once, and an address whose {@link Offence}s score {@link BanPolicy#threshold()}
 * within the policy's window is banned, for longer at each repeat.
 *
 * <p>A banned client gets a one-line reason: its connection is let through to the exchange of
 * identification lines (still counted against its address's unauthenticated connections, so a flood
 * stays bounded) and then closed with an SSH disconnect message, which OpenSSH's client prints;
 * its closing counts as nothing more. Too many unauthenticated connections at once are refused
 * before the greeting, as OpenSSH's MaxStartups does.
 */
public final class Defender implements SessionListener {

    /** Set on a session while it counts against its address's unauthenticated connections. */
    private static final AttributeKey<Boolean> COUNTED = new AttributeKey<>();
    /** Set once the client's identification line arrived. */
    private static final AttributeKey<Boolean> GREETED = new AttributeKey<>();
    /** Set once the first key exchange completed. */
    private static final AttributeKey<Boolean> KEYED = new AttributeKey<>();
    /** Set when the session already paid for its credentials (a wrong password) or was refused. */
    private static final AttributeKey<Boolean> SETTLED = new AttributeKey<>();
    /** Set when the client offered a public key that was not accepted. */
    private static final AttributeKey<Boolean> KEY_REJECTED = new AttributeKey<>();

    private final Limits limits;
    private final BanPolicy policy;
    private final Clock clock;
    private final EventSink events;
    private final Map<InetAddress, Source> sources = new HashMap<>();
    /** Offences recorded so far; every 1024th sweeps out addresses with nothing left to remember. */
    private long recorded;

    /** One offence's score, and when it was earned. */
    private record Scored(Instant at, int score) {
    }

    /** A ban in force: the address, when it ends, how many bans the address had before it. */
    public record Ban(InetAddress address, Instant until, int previous) {
    }

    /** What is known of one source address. */
    private static final class Source {
        int unauthenticated;
        final Deque<Scored> scores = new ArrayDeque<>();
        Instant bannedUntil = Instant.MIN;
        int bans;

        boolean idle(Instant now, Duration memory) {
            return unauthenticated == 0 && scores.isEmpty() && !bannedUntil.plus(memory).isAfter(now);
        }
    }

    public Defender(Limits limits, Clock clock, EventSink events) {
        this.limits = limits;
        this.policy = limits.bans();
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
            if (admit(session.getRemoteAddress())) {
                session.setAttribute(COUNTED, Boolean.TRUE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Counts a new connection from {@code remote} as authenticating, or refuses it when its address
     * has too many already; false when the address is not counted (exempt, or not an IP address).
     *
     * @throws IOException saying why the connection is refused
     */
    public boolean admit(SocketAddress remote) throws IOException {
        InetAddress address = address(remote);
        if (address == null || policy.exempts(address)) {
            return false;
        }
        synchronized (sources) {
            Source source = sources.computeIfAbsent(address, a -> new Source());
            if (source.unauthenticated < limits.maxUnauthenticatedPerSource()) {
                source.unauthenticated++;
                return true;
            }
        }
        String refusal = "too many unauthenticated connections from this address";
        events.accept(new ServerEvent.ConnectionRefused(ServerEvent.address(remote), refusal));
        throw new IOException("connection from " + ServerEvent.address(remote) + " refused: " + refusal);
    }

    /** A banned client learns why, in the one message it can read before the key exchange. */
    @Override
    public void sessionPeerIdentificationReceived(Session session, String version, List<String> extraLines) {
        session.setAttribute(GREETED, Boolean.TRUE);
        InetAddress address = address(session.getRemoteAddress());
        Ban ban = address == null ? null : ban(address);
        if (ban == null) {
            return;
        }
        session.setAttribute(SETTLED, Boolean.TRUE);
        long seconds = Math.max(1, Duration.between(clock.instant(), ban.until()).toSeconds());
        String reason = "banned after repeated failures";
        events.accept(new ServerEvent.ConnectionRefused(ServerEvent.address(session.getRemoteAddress()), reason));
        try {
            session.disconnect(SshConstants.SSH2_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT,
                    "ferryd: " + address.getHostAddress() + " is banned for " + seconds
                            + " s more after repeated failed logins");
        } catch (IOException e) {
            session.close(true);
        }
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.KexCompleted) {
            session.setAttribute(KEYED, Boolean.TRUE);
        } else if (event == Event.Authenticated) {
            release(session);
        }
    }

    /** What an unauthenticated connection's end costs its address: the worst thing it did, once. */
    @Override
    public void sessionClosed(Session session) {
        if (!release(session) || session.isAuthenticated() || session.getAttribute(SETTLED) != null) {
            return;
        }
        Offence offence = session.getAttribute(KEY_REJECTED) != null ? Offence.WRONG_CREDENTIALS
                : session.getAttribute(KEYED) != null ? Offence.NO_LOGIN
                : session.getAttribute(GREETED) != null ? Offence.FAILED_KEY_EXCHANGE
                : Offence.NO_GREETING;
        record(session.getRemoteAddress(), offence);
    }

    /** A wrong password or unknown user, counted at once: a connection may try several. */
    public void wrongPassword(Session session) {
        session.setAttribute(SETTLED, Boolean.TRUE);
        record(session.getRemoteAddress(), Offence.WRONG_CREDENTIALS);
    }

    /** A public key offered and not accepted: counted once, when the connection ends unauthenticated. */
    public void keyRejected(Session session) {
        session.setAttribute(KEY_REJECTED, Boolean.TRUE);
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
                    forgetIfIdle(address, source, clock.instant());
                }
            }
        }
        return true;
    }

    /** Adds {@code offence}'s score to the address of {@code remote}, banning it at the threshold. */
    public void record(SocketAddress remote, Offence offence) {
        InetAddress address = address(remote);
        int score = policy.score(offence);
        if (address == null || score == 0 || policy.exempts(address)) {
            return;
        }
        int total;
        Duration length;
        synchronized (sources) {
            Instant now = clock.instant();
            if (++recorded % 1024 == 0) {
                sweep(now);
            }
            Source source = sources.computeIfAbsent(address, a -> new Source());
            if (source.bannedUntil.isAfter(now)) {
                return; // already banned: its connections are refused, not scored
            }
            if (source.bannedUntil.plus(policy.maxBan()).isBefore(now)) {
                source.bans = 0; // quiet for a whole longest ban: a first offender again
            }
            Instant horizon = now.minus(policy.window());
            while (!source.scores.isEmpty() && source.scores.peekFirst().at().isBefore(horizon)) {
                source.scores.removeFirst();
            }
            source.scores.addLast(new Scored(now, score));
            total = source.scores.stream().mapToInt(Scored::score).sum();
            if (total < policy.threshold()) {
                return;
            }
            length = policy.banFor(source.bans);
            source.bans++;
            source.bannedUntil = now.plus(length);
            source.scores.clear();
        }
        events.accept(new ServerEvent.Banned(address.getHostAddress(), total, length.toSeconds()));
    }

    /** The ban on {@code address} in force now, or null. */
    public Ban ban(InetAddress address) {
        synchronized (sources) {
            Source source = sources.get(address);
            return source != null && source.bannedUntil.isAfter(clock.instant())
                    ? new Ban(address, source.bannedUntil, source.bans - 1) : null;
        }
    }

    /** Whether {@code address} is banned now. */
    public boolean isBanned(InetAddress address) {
        return ban(address) != null;
    }

    /** The bans in force now, the longest first. */
    public List<Ban> bans() {
        List<Ban> bans = new ArrayList<>();
        synchronized (sources) {
            Instant now = clock.instant();
            sources.forEach((address, source) -> {
                if (source.bannedUntil.isAfter(now)) {
                    bans.add(new Ban(address, source.bannedUntil, source.bans - 1));
                }
            });
        }
        bans.sort(Comparator.comparing(Ban::until).reversed());
        return bans;
    }

    /** Lifts the ban on {@code address} and forgets its record; false if it was not banned. */
    public boolean lift(InetAddress address) {
        boolean lifted;
        synchronized (sources) {
            Source source = sources.get(address);
            lifted = source != null && source.bannedUntil.isAfter(clock.instant());
            if (source != null) {
                source.bannedUntil = Instant.MIN;
                source.bans = 0;
                source.scores.clear();
                forgetIfIdle(address, source, clock.instant());
            }
        }
        return lifted;
    }

    /** How many addresses the defender remembers (its memory is bounded by the sweep). */
    int rememberedAddresses() {
        synchronized (sources) {
            return sources.size();
        }
    }

    /** Forgets expired scores, and addresses left with nothing (many addresses, each offending once). */
    private void sweep(Instant now) {
        Instant horizon = now.minus(policy.window());
        sources.values().removeIf(source -> {
            source.scores.removeIf(scored -> scored.at().isBefore(horizon));
            return source.idle(now, policy.maxBan());
        });
    }

    private void forgetIfIdle(InetAddress address, Source source, Instant now) {
        if (source.idle(now, policy.maxBan())) {
            sources.remove(address);
        }
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
