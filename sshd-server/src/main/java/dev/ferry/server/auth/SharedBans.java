package dev.ferry.server.auth;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * Where the nodes behind one balancer keep offences and bans together, so that an address's
 * offences add up whichever node they hit, and a ban made by one node is in force on all
 * ({@link Defender#share}). Every method may block on the store: the defender calls them on a
 * thread of its own, never on a connection's.
 */
public interface SharedBans {

    /** What an offence brought: the address's score within the window, and the ban it earned, if any. */
    record Verdict(int score, Defender.Ban ban) {
    }

    /**
     * Adds an offence of {@code score} at {@code at}; if the address's offences within the policy's
     * window now reach its threshold and no ban is in force, bans it (for longer after each earlier
     * ban, as {@link BanPolicy#banFor} says) and forgets its offences. Atomic across nodes: two nodes
     * scoring one address at once make one ban.
     *
     * @return the ban made now, or a verdict with a null ban
     */
    Verdict offend(InetAddress address, Instant at, int score, BanPolicy policy) throws IOException;

    /** Records a ban this node made alone (the store was unreachable then); a longer one in the store stays. */
    void publish(Defender.Ban ban) throws IOException;

    /** The bans in force at {@code now}, made by any node. */
    List<Defender.Ban> inForce(Instant now) throws IOException;

    /** Lifts the ban on {@code address} and forgets its offences, for every node. */
    void lift(InetAddress address) throws IOException;

    /** Forgets offences older than the policy's window and bans over for longer than its longest ban. */
    void sweep(Instant now, BanPolicy policy) throws IOException;
}
