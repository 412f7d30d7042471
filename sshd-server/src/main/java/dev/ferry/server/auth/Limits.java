package dev.ferry.server.auth;

import java.time.Duration;

/**
 * Limits against abuse, with OpenSSH's and SFTPGo's defaults where they have one.
 *
 * @param maxAuthTries              authentication attempts per connection (OpenSSH MaxAuthTries 6)
 * @param authTimeout               time to authenticate before the connection is dropped (OpenSSH uses 120 s)
 * @param idleTimeout               an authenticated connection with no traffic this long is closed
 * @param maxSessionsPerConnection  channels (sftp, scp) open at once on one connection (OpenSSH MaxSessions 10)
 * @param maxUnauthenticatedPerSource connections from one address still authenticating (OpenSSH's
 *                                  PerSourceMaxStartups)
 * @param maxUnauthenticated        connections from all addresses still authenticating (OpenSSH's
 *                                  MaxStartups); when full, a newcomer takes the place of the oldest
 *                                  connection of the address that has the most, see {@link Defender}
 * @param bans                      which failures ban a source address, and for how long
 */
public record Limits(int maxAuthTries, Duration authTimeout, Duration idleTimeout, int maxSessionsPerConnection,
        int maxUnauthenticatedPerSource, int maxUnauthenticated, BanPolicy bans) {

    /**
     * 512 unauthenticated connections at once. Each costs ferryd a 256 KiB read buffer and more (a
     * flood of 1000 held connections took its RSS from 153 to 654 MiB), so 512 bound that to about
     * 256 MiB where a flood from many addresses was unbounded. And 200 clients logging in together
     * under a flood from 50 addresses (docs/benchmarks-load.md) still leave the flood's addresses 6
     * connections each on average, more than a client's address with 4 would have, so the clients
     * displace the flood, never one another; with 256 they would have.
     */
    public static final Limits DEFAULT = new Limits(6, Duration.ofSeconds(30), Duration.ofMinutes(15), 10, 10, 512,
            BanPolicy.DEFAULT);

    public Limits {
        positive(maxAuthTries, "maxAuthTries");
        positive(maxSessionsPerConnection, "maxSessionsPerConnection");
        positive(maxUnauthenticatedPerSource, "maxUnauthenticatedPerSource");
        positive(maxUnauthenticated, "maxUnauthenticated");
        for (Duration d : new Duration[] {authTimeout, idleTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " < 1");
        }
    }

    public Limits withBans(BanPolicy bans) {
        return new Limits(maxAuthTries, authTimeout, idleTimeout, maxSessionsPerConnection,
                maxUnauthenticatedPerSource, maxUnauthenticated, bans);
    }

    public Limits withAuthTimeout(Duration timeout) {
        return new Limits(maxAuthTries, timeout, idleTimeout, maxSessionsPerConnection, maxUnauthenticatedPerSource,
                maxUnauthenticated, bans);
    }

    public Limits withMaxUnauthenticatedPerSource(int max) {
        return new Limits(maxAuthTries, authTimeout, idleTimeout, maxSessionsPerConnection, max, maxUnauthenticated,
                bans);
    }

    public Limits withMaxUnauthenticated(int max) {
        return new Limits(maxAuthTries, authTimeout, idleTimeout, maxSessionsPerConnection,
                maxUnauthenticatedPerSource, max, bans);
    }
}
