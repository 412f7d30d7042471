package dev.ferry.server.auth;

import java.time.Duration;

/**
 * Limits against abuse, with OpenSSH's and SFTPGo's defaults where they have one.
 *
 * @param maxAuthTries              authentication attempts per connection (OpenSSH MaxAuthTries 6)
 * @param authTimeout               time to authenticate before the connection is dropped (OpenSSH uses 120 s)
 * @param idleTimeout               an authenticated connection with no traffic this long is closed
 * @param maxSessionsPerConnection  channels (sftp, scp) open at once on one connection (OpenSSH MaxSessions 10)
 * @param maxUnauthenticatedPerSource connections from one address still authenticating (cf. MaxStartups)
 * @param bans                      which failures ban a source address, and for how long
 */
public record Limits(int maxAuthTries, Duration authTimeout, Duration idleTimeout, int maxSessionsPerConnection,
        int maxUnauthenticatedPerSource, BanPolicy bans) {

    public static final Limits DEFAULT = new Limits(6, Duration.ofSeconds(30), Duration.ofMinutes(15), 10, 10,
            BanPolicy.DEFAULT);

    public Limits {
        positive(maxAuthTries, "maxAuthTries");
        positive(maxSessionsPerConnection, "maxSessionsPerConnection");
        positive(maxUnauthenticatedPerSource, "maxUnauthenticatedPerSource");
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
                maxUnauthenticatedPerSource, bans);
    }

    public Limits withAuthTimeout(Duration timeout) {
        return new Limits(maxAuthTries, timeout, idleTimeout, maxSessionsPerConnection, maxUnauthenticatedPerSource, bans);
    }

    public Limits withMaxUnauthenticatedPerSource(int max) {
        return new Limits(maxAuthTries, authTimeout, idleTimeout, maxSessionsPerConnection, max, bans);
    }
}
