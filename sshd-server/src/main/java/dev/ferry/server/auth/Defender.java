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
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/**
 * Guards the listening socket, like OpenSSH's MaxStartups and PerSourcePenalties or SFTPGo's
 * defender: at most {@link Limits#maxUnauthenticatedPerSource()} connections per source address may
 * be authenticating at once, and an address whose {@link Offence}s score {@link BanPolicy#threshold()}
 * within the policy's window is banned, for longer at each repeat.
 *
 * <p>A banned client gets a one-line reason: its connection is let through to the exchange of
 * identification lines (still counted against its address's unauthenticated connections, so a flood
 * stays bounded) and then closed with an SSH disconnect message, which OpenSSH's client prints;
 * its closing counts as nothing more. Too many unauthenticated connections at once from one address
 * are refused before the greeting, as OpenSSH's PerSourceMaxStartups does.
 *
 * <p>All addresses together may have {@link Limits#maxUnauthenticated()} connections authenticating.
 * When that many are, a newcomer takes the place of the oldest connection of the address that has
 * the most, which is closed, if that address has more than the newcomer's would then have;
 * otherwise the newcomer is refused. OpenSSH's
 * MaxStartups refuses newcomers at random, so a flood from many addresses keeps everyone out; here the
 * flood displaces itself: an address holding 10 connections open without logging in loses them to
 * clients whose addresses hold fewer (docs/benchmarks-load.md). Exempt addresses are not counted.
 */
public final class Defender implements SessionListener {

    /** Set on a session while it counts against its address's unauthenticated connections. */
    private static final AttributeKey<Pending> COUNTED = new AttributeKey<>();
    /** Set once the client's identification line arrived. */
    private static final AttributeKey<Boolean> GREETED = new AttributeKey<>();
    /** Set once the first key exchange completed. */
    private static final AttributeKey<Boolean> KEYED = new AttributeKey<>();
    /** Set when the session already paid for its credentials (a wrong password) or was refused. */
    private static final AttributeKey<Boolean> SETTLED = new AttributeKey<>();
    /** Set when the client offered a public key that was not accepted. */
    private static final AttributeKey<Boolean> KEY_REJECTED = new AttributeKey<>();

    private volatile Limits limits;
    private volatile BanPolicy policy;
    private final Clock clock;
    private final EventSink events;
    private final Map<InetAddress, Source> sources = new HashMap<>();
    /** Connections from a load balancer: admitted by {@link #admitProxied} once its PROXY header names the client. */
    private volatile Predicate<SocketAddress> proxied = remote -> false;
    /** Connections authenticating from all counted addresses. */
    private int unauthenticated;
    /** Offences recorded so far; every 1024th sweeps out addresses with nothing left to remember. */
    private long recorded;
    /** The bans of every node behind the balancer, or null when this node judges alone. */
    private volatile SharedBans shared;
    /** Talks to {@link #shared}, off the connections' threads: one at a time, in order. */
    private ScheduledExecutorService sharing;
    /** Whether the last use of {@link #shared} worked; while not, this node bans alone. */
    private volatile boolean sharedWorks = true;
    private long syncs;

    /** One offence's score, and when it was earned. */
    private record Scored(Instant at, int score) {
    }

    /** A ban in force: the address, when it ends, how many bans the address had before it. */
    public record Ban(InetAddress address, Instant until, int previous) {
    }

    /** A connection still authenticating: where from, and how to close it to make room for a newer one. */
    record Pending(SocketAddress remote, Runnable drop) {
    }

    /** What is known of one source address. */
    private static final class Source {
        /** Its connections still authenticating, the oldest first. */
        final Deque<Pending> pending = new ArrayDeque<>();
        final Deque<Scored> scores = new ArrayDeque<>();
        Instant bannedUntil = Instant.MIN;
        int bans;
        /** Whether the ban in force is in the shared store (made or learned there). */
        boolean shared;

        boolean idle(Instant now, Duration memory) {
            return pending.isEmpty() && scores.isEmpty() && !bannedUntil.plus(memory).isAfter(now);
        }
    }

    public Defender(Limits limits, Clock clock, EventSink events) {
        this.limits = limits;
        this.policy = limits.bans();
        this.clock = clock;
        this.events = events;
    }

    /**
     * Limits and a ban policy read again (a reload): new connections and offences from now on are
     * judged by them; the bans in force and the offences remembered stay.
     */
    public void update(Limits limits) {
        this.limits = limits;
        this.policy = limits.bans();
    }

    /**
     * Admits or refuses each new connection before the server sends its greeting. Throwing here
     * makes MINA close the socket at once. (Throwing from {@code IoServiceEventListener.connectionAccepted}
     * would be earlier still, but MINA 2.20 then leaves the socket open.)
     */
    @Override
    public void sessionCreated(Session session) {
        if (!proxied.test(session.getRemoteAddress())) {
            admitByClient(session);
        }
    }

    /**
     * Connections from the addresses {@code fromBalancer} accepts are admitted only when their PROXY
     * header was read ({@link #admitProxied}): at their start the defender would count the balancer.
     */
    public void deferProxied(Predicate<SocketAddress> fromBalancer) {
        this.proxied = fromBalancer;
    }

    /**
     * Admits a balancer's connection by the client address its PROXY header named, with the same
     * per-address limits as a direct one. A banned client is told so at its identification line.
     *
     * @throws UncheckedIOException saying why the connection is refused
     */
    public void admitProxied(Session session) {
        admitByClient(session);
    }

    private void admitByClient(Session session) {
        if (ClientAddress.isBalancersOwn(session)) {
            return; // a health check: not counted, so its end costs its address nothing either
        }
        try {
            Pending pending = admit(ClientAddress.of(session), () -> {
                session.setAttribute(SETTLED, Boolean.TRUE); // dropped for another: not the client's offence
                session.close(true);
            });
            if (pending != null) {
                session.setAttribute(COUNTED, pending);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Counts a new connection from {@code remote} as authenticating, or refuses it when its address
     * has too many already, or when all addresses together have and its own has the most; closes the
     * oldest connection of the address with the most to make room. Null when the address is not
     * counted (exempt, or not an IP address).
     *
     * @param drop closes the new connection, should a newer one need its place
     * @throws IOException saying why the connection is refused
     */
    Pending admit(SocketAddress remote, Runnable drop) throws IOException {
        InetAddress address = address(remote);
        if (address == null || policy.exempts(address)) {
            return null;
        }
        Pending admitted = null;
        Pending dropped = null;
        String refusal = null;
        synchronized (sources) {
            Source source = sources.computeIfAbsent(address, a -> new Source());
            if (source.pending.size() >= limits.maxUnauthenticatedPerSource()) {
                refusal = "too many unauthenticated connections from this address";
            } else {
                if (unauthenticated >= limits.maxUnauthenticated()) {
                    dropped = dropFromBusiest(source.pending.size() + 2);
                    if (dropped == null) {
                        forgetIfIdle(address, source, clock.instant());
                        refusal = "too many unauthenticated connections (" + limits.maxUnauthenticated()
                                + "), the most from this address";
                    }
                }
                if (refusal == null) {
                    admitted = new Pending(remote, drop);
                    source.pending.addLast(admitted);
                    unauthenticated++;
                }
            }
        }
        if (dropped != null) {
            events.accept(new ServerEvent.ConnectionRefused(ServerEvent.address(dropped.remote()),
                    "too many unauthenticated connections (" + limits.maxUnauthenticated() + "), dropped for one from "
                            + "an address with fewer"));
            dropped.drop().run();
        }
        if (refusal != null) {
            events.accept(new ServerEvent.ConnectionRefused(ServerEvent.address(remote), refusal));
            throw new IOException("connection from " + ServerEvent.address(remote) + " refused: " + refusal);
        }
        return admitted;
    }

    /**
     * Takes the oldest connection of the address with the most connections authenticating, if it
     * has at least {@code atLeast} (more than the newcomer's address would have: a swap between
     * equals would make nothing fairer); null otherwise. Called full, so it scans every address at most
     * once per admission.
     */
    private Pending dropFromBusiest(int atLeast) {
        Source busiest = null;
        for (Source s : sources.values()) {
            if (s.pending.size() >= atLeast && (busiest == null || s.pending.size() > busiest.pending.size())) {
                busiest = s;
            }
        }
        if (busiest == null) {
            return null;
        }
        unauthenticated--;
        return busiest.pending.removeFirst();
    }

    /** How many connections are authenticating now, from all counted addresses. */
    int unauthenticated() {
        synchronized (sources) {
            return unauthenticated;
        }
    }

    /** A banned client learns why, in the one message it can read before the key exchange. */
    @Override
    public void sessionPeerIdentificationReceived(Session session, String version, List<String> extraLines) {
        session.setAttribute(GREETED, Boolean.TRUE);
        InetAddress address = address(ClientAddress.of(session));
        Ban ban = address == null ? null : ban(address);
        if (ban == null) {
            return;
        }
        session.setAttribute(SETTLED, Boolean.TRUE);
        long seconds = Math.max(1, Duration.between(clock.instant(), ban.until()).toSeconds());
        String reason = "banned after repeated failures";
        events.accept(new ServerEvent.ConnectionRefused(ServerEvent.address(ClientAddress.of(session)), reason));
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
        record(ClientAddress.of(session), offence);
    }

    /** A wrong password or unknown user, counted at once: a connection may try several. */
    public void wrongPassword(Session session) {
        session.setAttribute(SETTLED, Boolean.TRUE);
        record(ClientAddress.of(session), Offence.WRONG_CREDENTIALS);
    }

    /** A public key offered and not accepted: counted once, when the connection ends unauthenticated. */
    public void keyRejected(Session session) {
        session.setAttribute(KEY_REJECTED, Boolean.TRUE);
    }

    /** Stops counting {@code session} as unauthenticated; true if it was counted until now. */
    private boolean release(Session session) {
        Pending pending = session.removeAttribute(COUNTED);
        if (pending == null) {
            return false;
        }
        release(pending);
        return true;
    }

    /** Stops counting {@code pending} (unless it was dropped, and so no longer counted). */
    void release(Pending pending) {
        InetAddress address = address(pending.remote());
        if (address != null) {
            synchronized (sources) {
                Source source = sources.get(address);
                if (source != null && source.pending.remove(pending)) {
                    unauthenticated--;
                    forgetIfIdle(address, source, clock.instant());
                }
            }
        }
    }

    /**
     * Shares offences and bans with the other nodes through {@code store}: from now on each offence
     * is scored there, against the address's offences on every node, and the bans there are read
     * every {@code every} and enforced here. While the store cannot be reached this node judges alone,
     * as before, and shares the bans it made once the store is back.
     */
    public void share(SharedBans store, Duration every) {
        synchronized (sources) {
            if (sharing != null) {
                throw new IllegalStateException("the defender shares its bans already");
            }
            sharing = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread t = new Thread(task, "ferryd-shared-bans");
                t.setDaemon(true);
                return t;
            });
        }
        shared = store;
        sharing.scheduleWithFixedDelay(this::sync, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops sharing (the server stops); waits a moment for what was queued. */
    public void stopSharing() {
        ScheduledExecutorService stopping;
        synchronized (sources) {
            stopping = sharing;
        }
        if (stopping != null) {
            stopping.shutdown();
            try {
                stopping.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
        Instant now = clock.instant();
        boolean alone = shared == null || !sharedWorks;
        if (!alone) {
            BanPolicy judging = policy;
            toStore(() -> offendShared(address, now, score, judging));
        }
        synchronized (sources) {
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
            if (total < policy.threshold() || !alone) {
                return; // sharing: the store judges, by the offences of every node
            }
            length = policy.banFor(source.bans);
            source.bans++;
            source.bannedUntil = now.plus(length);
            source.shared = false; // made alone: shared at the next sync that reaches the store
            source.scores.clear();
        }
        events.accept(new ServerEvent.Banned(address.getHostAddress(), total, length.toSeconds()));
    }

    /** Scores an offence in the shared store; enforces the ban it brings, here at once, elsewhere at their next sync. */
    private void offendShared(InetAddress address, Instant at, int score, BanPolicy judging) {
        SharedBans.Verdict verdict;
        try {
            verdict = shared.offend(address, at, score, judging);
            worked();
        } catch (IOException | RuntimeException e) {
            failed(e);
            return;
        }
        if (verdict.ban() != null && enforce(verdict.ban())) {
            events.accept(new ServerEvent.Banned(address.getHostAddress(), verdict.score(),
                    Duration.between(at, verdict.ban().until()).toSeconds()));
        }
    }

    /**
     * Makes {@code ban}, from the shared store, the one in force here, unless a ban lasting as long is
     * already; true if it was not. A ban the store no longer has is lifted at the next sync.
     */
    private boolean enforce(Ban ban) {
        synchronized (sources) {
            Source source = sources.computeIfAbsent(ban.address(), a -> new Source());
            if (!source.bannedUntil.isBefore(ban.until())) {
                return false; // a ban as long is in force (the same one, or one made here: the sync shares it)
            }
            source.shared = true;
            boolean fresh = !source.bannedUntil.isAfter(clock.instant());
            source.bannedUntil = ban.until();
            source.bans = Math.max(source.bans, ban.previous() + 1);
            source.scores.clear();
            return fresh;
        }
    }

    /**
     * Brings this node's bans and the store's together: enforces the bans other nodes made, lifts
     * those lifted there (by {@code ferryd ban remove} on any node), shares those this node made
     * alone while the store was down; now and then, sweeps the store.
     */
    private void sync() {
        SharedBans store = shared;
        try {
            Instant now = clock.instant();
            List<Ban> there = store.inForce(now);
            worked();
            Map<InetAddress, Ban> byAddress = new HashMap<>();
            there.forEach(ban -> byAddress.put(ban.address(), ban));
            for (Ban ban : there) {
                if (!policy.exempts(ban.address()) && enforce(ban)) {
                    events.accept(new ServerEvent.BanLearned(ban.address().getHostAddress(),
                            Math.max(1, Duration.between(now, ban.until()).toSeconds())));
                }
            }
            List<Ban> unshared = new ArrayList<>();
            synchronized (sources) {
                for (Map.Entry<InetAddress, Source> e : sources.entrySet()) {
                    Source source = e.getValue();
                    if (!source.bannedUntil.isAfter(now)) {
                        continue;
                    }
                    if (!source.shared) {
                        unshared.add(new Ban(e.getKey(), source.bannedUntil, source.bans - 1));
                    } else if (!byAddress.containsKey(e.getKey())) {
                        source.bannedUntil = Instant.MIN; // lifted on another node
                        source.bans = 0;
                    }
                }
            }
            for (Ban ban : unshared) {
                store.publish(ban);
                synchronized (sources) {
                    Source source = sources.get(ban.address());
                    if (source != null) {
                        source.shared = true;
                    }
                }
            }
            if (syncs++ % 60 == 0) {
                store.sweep(now, policy);
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    /**
     * Queues work for the store. Once the server has stopped sharing (it is closing), a connection
     * that ends late is judged here alone.
     */
    private void toStore(Runnable work) {
        try {
            sharing.execute(work);
        } catch (RejectedExecutionException stopped) {
            // closing: nothing more reaches the store
        }
    }

    private void worked() {
        if (!sharedWorks) {
            sharedWorks = true;
            events.accept(new ServerEvent.BanStoreAvailable());
        }
    }

    private void failed(Exception e) {
        if (sharedWorks) {
            sharedWorks = false;
            events.accept(new ServerEvent.BanStoreUnavailable(String.valueOf(e.getMessage())));
        }
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

    /** Lifts the ban on {@code address} and forgets its record, on every node when shared; false if it was not banned. */
    public boolean lift(InetAddress address) {
        if (shared != null) {
            toStore(() -> {
                try {
                    shared.lift(address);
                    worked();
                } catch (IOException | RuntimeException e) {
                    failed(e);
                }
            });
        }
        boolean lifted;
        synchronized (sources) {
            Source source = sources.get(address);
            lifted = source != null && source.bannedUntil.isAfter(clock.instant());
            if (source != null) {
                source.bannedUntil = Instant.MIN;
                source.bans = 0;
                source.shared = false;
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
