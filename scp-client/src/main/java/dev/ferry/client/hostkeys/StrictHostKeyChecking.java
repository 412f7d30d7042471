package dev.ferry.client.hostkeys;

import java.util.Locale;

/** What to do with a server key that {@code known_hosts} does not list: OpenSSH's modes plus Ferry's relay mode. */
public enum StrictHostKeyChecking {

    /** Only keys already in {@code known_hosts} (or pinned) are accepted. OpenSSH's {@code yes}. */
    YES("yes"),
    /** Unknown hosts are recorded and accepted; changed keys are still refused. OpenSSH's {@code accept-new}. */
    ACCEPT_NEW("accept-new"),
    /** Every key is accepted (with a warning each time); only revoked keys are refused. OpenSSH's {@code no}. */
    NO("no"),
    /** The user is asked about unknown hosts; without a terminal this is {@link #YES}. OpenSSH's {@code ask}. */
    ASK("ask"),
    /**
     * Ferry's relay mode: an unknown name is accepted only when its key is already trusted under some
     * other name, as happens when the same server is reached directly and through a relay. The new
     * name is then recorded beside the old one.
     */
    KNOWN_KEY("known-key");

    private final String spelling;

    StrictHostKeyChecking(String spelling) {
        this.spelling = spelling;
    }

    /**
     * Parses a value as {@code ssh_config} spells it, ignoring case: {@code yes}, {@code accept-new},
     * {@code no}, {@code ask}, {@code known-key}, and OpenSSH's synonyms {@code off} (and {@code false})
     * for {@code no} and {@code true} for {@code yes}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static StrictHostKeyChecking parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "yes", "true" -> YES;
            case "accept-new" -> ACCEPT_NEW;
            case "no", "off", "false" -> NO;
            case "ask" -> ASK;
            case "known-key" -> KNOWN_KEY;
            default -> throw new IllegalArgumentException("StrictHostKeyChecking must be yes, accept-new, no, ask "
                    + "or known-key, not \"" + value + "\".");
        };
    }

    /** The value as written in {@code -o StrictHostKeyChecking=...}. */
    @Override
    public String toString() {
        return spelling;
    }
}
