package dev.ferry.server.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.ferry.config.TimeFormat;
import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Network;
import picocli.CommandLine.Option;

/** ferryd's flags for its ban policy ({@link BanPolicy}); each defaults to the policy's own. */
public final class BanOptions {

    @Option(names = "--ban-threshold", paramLabel = "SCORE",
            description = "Score of failures within --ban-window that bans an address: a wrong password or key 3, "
                    + "a connection that keyed but never logged in 1, a failed key exchange 1, a connection closed "
                    + "before its greeting (a health check) 0 (default 30).")
    Integer threshold;

    @Option(names = "--ban-window", paramLabel = "TIME", description = "How long a failure counts (default 10m).")
    String window;

    @Option(names = "--ban-time", paramLabel = "TIME",
            description = "Length of a first ban, doubled at each repeat (default 1m).")
    String firstBan;

    @Option(names = "--ban-max-time", paramLabel = "TIME", description = "Longest ban (default 30m).")
    String maxBan;

    @Option(names = "--ban-exempt", paramLabel = "CIDR", split = ",",
            description = "Networks never banned nor limited per address, e.g. a load balancer's or a monitor's "
                    + "(default none).")
    List<String> exempt = new ArrayList<>();

    /**
     * The policy the flags give.
     *
     * @throws IllegalArgumentException with one sentence naming the flag and what is wrong
     */
    BanPolicy policy() {
        return policy(BanPolicy.DEFAULT);
    }

    /** {@code base} with what the flags change (the exempt networks replace base's when given). */
    BanPolicy policy(BanPolicy base) {
        BanPolicy p = base;
        p = p.withThreshold(threshold != null ? threshold : p.threshold(), time("--ban-window", window, p.window()));
        p = p.withBanTimes(time("--ban-time", firstBan, p.firstBan()), time("--ban-max-time", maxBan, p.maxBan()));
        if (exempt.isEmpty()) {
            return p;
        }
        return p.withExempt(Network.parseAll("--ban-exempt", exempt));
    }

    /** The time {@code value} of {@code flag} (90s, 10m, 1h), or {@code otherwise} when not given. */
    static Duration time(String flag, String value, Duration otherwise) {
        if (value == null) {
            return otherwise;
        }
        Duration d = TimeFormat.parse(value).orElseThrow(() -> new IllegalArgumentException(
                flag + " " + value + ": use a time such as 90s, 10m or 1h"));
        if (d.isZero()) {
            throw new IllegalArgumentException(flag + " must be longer than 0");
        }
        return d;
    }
}
