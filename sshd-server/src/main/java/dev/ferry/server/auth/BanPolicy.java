package dev.ferry.server.auth;

import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * When a source address is banned, as SFTPGo's defender and OpenSSH's PerSourcePenalties do it:
 * each {@link Offence} adds its score; an address whose scores within {@code window} reach
 * {@code threshold} is refused for {@code firstBan}, doubled at each repeat up to {@code maxBan}
 * (the repeats are forgotten once the address has been quiet for {@code maxBan}). Addresses in
 * {@code exempt} (a load balancer, a monitor) are never banned nor limited per source.
 *
 * <p>The defaults let ten wrong passwords ban (3 each against a threshold of 30) but not twenty
 * failed key exchanges (a client whose algorithms do not match, retrying), nor any number of
 * connections closed before a greeting (health checks).
 */
public record BanPolicy(int threshold, Duration window, Duration firstBan, Duration maxBan, List<Network> exempt,
        Map<Offence, Integer> scores) {

    public static final BanPolicy DEFAULT = new BanPolicy(30, Duration.ofMinutes(10), Duration.ofMinutes(1),
            Duration.ofMinutes(30), List.of(), defaultScores());

    public BanPolicy {
        if (threshold < 1) {
            throw new IllegalArgumentException("the ban threshold must be at least 1");
        }
        for (Duration d : new Duration[] {window, firstBan, maxBan}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("ban durations must be positive: " + d);
            }
        }
        if (maxBan.compareTo(firstBan) < 0) {
            throw new IllegalArgumentException("the longest ban (" + maxBan + ") is shorter than the first (" + firstBan + ")");
        }
        exempt = List.copyOf(exempt);
        EnumMap<Offence, Integer> all = new EnumMap<>(Offence.class);
        all.putAll(defaultScores());
        all.putAll(scores);
        all.values().forEach(score -> {
            if (score < 0) {
                throw new IllegalArgumentException("an offence's score must not be negative");
            }
        });
        scores = Map.copyOf(all);
    }

    private static Map<Offence, Integer> defaultScores() {
        return Map.of(Offence.WRONG_CREDENTIALS, 3, Offence.NO_LOGIN, 1, Offence.FAILED_KEY_EXCHANGE, 1,
                Offence.NO_GREETING, 0);
    }

    public int score(Offence offence) {
        return scores.get(offence);
    }

    /** The length of an address's ban after {@code previous} earlier ones. */
    public Duration banFor(int previous) {
        Duration ban = firstBan;
        for (int i = 0; i < previous && ban.compareTo(maxBan) < 0; i++) {
            ban = ban.multipliedBy(2);
        }
        return ban.compareTo(maxBan) > 0 ? maxBan : ban;
    }

    public boolean exempts(InetAddress address) {
        return exempt.stream().anyMatch(n -> n.contains(address));
    }

    public BanPolicy withThreshold(int threshold, Duration window) {
        return new BanPolicy(threshold, window, firstBan, maxBan, exempt, scores);
    }

    public BanPolicy withBanTimes(Duration firstBan, Duration maxBan) {
        return new BanPolicy(threshold, window, firstBan, maxBan, exempt, scores);
    }

    public BanPolicy withExempt(List<Network> exempt) {
        return new BanPolicy(threshold, window, firstBan, maxBan, exempt, scores);
    }

    public BanPolicy withScore(Offence offence, int score) {
        EnumMap<Offence, Integer> changed = new EnumMap<>(scores);
        changed.put(offence, score);
        return new BanPolicy(threshold, window, firstBan, maxBan, exempt, changed);
    }
}
