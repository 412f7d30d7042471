package dev.ferry.bench;

import java.util.Locale;

/**
 * What a load run does: {@code sessions} authenticated SFTP sessions spread over {@code sources}
 * loopback addresses (127.0.0.2 on), each doing {@code rounds} rounds of connect, log in, upload
 * {@code fileBytes} of random data, download it and compare digests; and, once every session has
 * finished its first round, {@code flood} connections that never authenticate, from
 * {@code floodSources} other addresses (127.0.1.1 on), held open until ferryd closes them and opened
 * again, until the sessions are done and the flood has lasted {@code floodSeconds}.
 *
 * @param users        users in ferryd's users file; session i logs in as user i mod users
 * @param floodSeconds the flood lasts this long at least, so that ferryd's grace time to log in runs
 *                     out under it even when the sessions finish sooner
 */
record LoadPlan(int sessions, int sources, int rounds, long fileBytes, int flood, int floodSources, int users,
        int floodSeconds) {

    /** The full form, scripts/bench-load's default. */
    static final LoadPlan FULL = new LoadPlan(200, 50, 3, 4L << 20, 1000, 50, 20, 0);

    LoadPlan {
        if (sessions < 1 || sources < 1 || rounds < 2 || fileBytes < 1 || flood < 0 || floodSources < 1 || users < 1
                || floodSeconds < 0) {
            throw new IllegalArgumentException("a load plan needs sessions, sources, 2 rounds or more (the first "
                    + "without the flood), a file size and flood sources: " + this);
        }
        if (sources > 250 || floodSources > 250) {
            throw new IllegalArgumentException("at most 250 addresses each (127.0.0.x, 127.0.1.x)");
        }
    }

    /** The address session {@code i} connects from. */
    String source(int i) {
        return "127.0.0." + (2 + i % sources);
    }

    /** The address flood connection {@code i} comes from. */
    String floodSource(int i) {
        return "127.0.1." + (1 + i % floodSources);
    }

    /** Sessions sharing one source address, at most (each has one connection at a time). */
    int sessionsPerSource() {
        return (sessions + sources - 1) / sources;
    }

    String describe() {
        return String.format(Locale.ROOT, "%d sessions from %d addresses (%d each at most), %d rounds of %s up and "
                + "down, %d users; flood of %d connections from %d addresses", sessions, sources, sessionsPerSource(),
                rounds, mib(fileBytes), users, flood, floodSources);
    }

    static String mib(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
