package dev.ferry.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * sshd_config(5)'s TIME FORMATS: a number of seconds, or numbers each with a unit, s, m, h, d or w
 * ({@code 600}, {@code 10m}, {@code 1h30m}), as ClientAliveInterval or ControlPersist take them.
 */
public final class TimeFormat {

    private static final Pattern PART = Pattern.compile("(\\d{1,9})([smhdw]?)");

    private TimeFormat() {
    }

    /** The duration {@code text} names, or empty if it is not in the format. */
    public static Optional<Duration> parse(String text) {
        String v = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = PART.matcher(v);
        long seconds = 0;
        int at = 0;
        while (at < v.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            seconds += n * switch (m.group(2)) {
                case "", "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                case "d" -> 86400;
                default -> 604800;
            };
            at = m.end();
        }
        return v.isEmpty() || at != v.length() ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }
}
