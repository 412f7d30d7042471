package dev.ferry.client.hostkeys;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * One usable line of a {@code known_hosts} file: a key and the host patterns (or the one hashed
 * name) it is trusted for, possibly marked {@code @revoked}.
 *
 * <p>MINA's {@code KnownHostEntry.parseKnownHostEntry} is not used for the line as a whole because
 * it compiles the host field with {@code HostPatternsHolder}, which refuses some patterns OpenSSH
 * accepts (such as {@code [host]:*}) and so would silently drop a whole line, even an
 * {@code @revoked} one. The line is split here instead; the hashed name and the key are still
 * decoded by MINA ({@link KnownHostHashValue}, {@link PublicKeyEntry}).
 *
 * @param patterns the comma-separated patterns as written (empty when hashed)
 * @param hash     the hashed name, or {@code null} for plain patterns
 */
record KnownHostLine(Path file, int number, boolean revoked, List<String> patterns, KnownHostHashValue hash,
        PublicKey key) {

    private static final String REVOKED = "@revoked";
    private static final String CERT_AUTHORITY = "@cert-authority";
    /** The length of an HMAC-SHA1, and of the salt OpenSSH hashes names with. */
    private static final int SHA1_BYTES = 20;

    KnownHostLine {
        patterns = List.copyOf(patterns);
    }

    /**
     * Parses one line. Comments, blank lines and {@code @cert-authority} lines (Ferry does not use
     * host certificates) give nothing.
     *
     * @throws IllegalArgumentException when the line is malformed or its key cannot be decoded
     */
    static Optional<KnownHostLine> parse(Path file, int number, String text) {
        String line = text.strip();
        if (line.isEmpty() || line.startsWith("#")) {
            return Optional.empty();
        }
        String[] fields = line.split("[ \t]+", 3);
        boolean revoked = false;
        if (fields[0].startsWith("@")) {
            String marker = fields[0];
            if (marker.equals(CERT_AUTHORITY)) {
                return Optional.empty();
            }
            if (!marker.equals(REVOKED)) {
                throw new IllegalArgumentException("unknown marker " + marker);
            }
            revoked = true;
            fields = line.substring(marker.length()).strip().split("[ \t]+", 3);
        }
        if (fields.length < 3) {
            throw new IllegalArgumentException("expected host names, key type and key");
        }
        String hosts = fields[0];
        KnownHostHashValue hash = null;
        List<String> patterns = List.of();
        if (hosts.charAt(0) == KnownHostHashValue.HASHED_HOST_DELIMITER) {
            hash = KnownHostHashValue.parse(hosts);
            // As OpenSSH: salt and hash are both SHA-1 sized; anything else cannot have come from ssh.
            if (hash.getSaltValue().length != SHA1_BYTES || hash.getDigestValue().length != SHA1_BYTES) {
                throw new IllegalArgumentException("hashed name with a salt or hash that is not 20 bytes");
            }
        } else {
            patterns = List.of(hosts.split(",", -1));
            if (patterns.contains("") || patterns.contains("!")) {
                throw new IllegalArgumentException("empty host pattern in " + hosts);
            }
        }
        return Optional.of(new KnownHostLine(file, number, revoked, patterns, hash,
                decodeKey(fields[1] + " " + fields[2])));
    }

    private static PublicKey decodeKey(String typeAndKey) {
        try {
            PublicKey key = PublicKeyEntry.parsePublicKeyEntry(typeAndKey)
                    .resolvePublicKey(null, Collections.emptyMap(), PublicKeyEntryResolver.FAILING);
            if (key == null) {
                throw new IllegalArgumentException("no key");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            // Unknown key types land here too: such a line is skipped, as OpenSSH skips them.
            throw new IllegalArgumentException("cannot decode the key: " + e.getMessage(), e);
        }
    }

    boolean hashed() {
        return hash != null;
    }

    /**
     * Whether this line is about {@code name}, an OpenSSH host name ({@code host} or {@code [host]:port}).
     * Hashed names are compared with MINA's HMAC; plain patterns with {@link #matchesPatterns}.
     */
    boolean matches(String name) {
        if (hash != null) {
            // With port 22, MINA hashes the string as given, so [host]:port names work unchanged.
            return hash.isHostMatch(name, SshConstants.DEFAULT_PORT);
        }
        return matchesPatterns(name, patterns);
    }

    /**
     * OpenSSH's {@code match_hostname}: a negated pattern that matches rejects the line outright;
     * otherwise any plain pattern that matches accepts it. Patterns are matched against the whole
     * name, brackets and port included, so {@code *} matches {@code [host]:2222} as it does for
     * {@code ssh-keygen -F}. (MINA's {@code HostPatternsHolder} splits off the port first, so its
     * {@code *} only matches port 22: hence this small matcher.)
     */
    static boolean matchesPatterns(String name, List<String> patterns) {
        String subject = name.toLowerCase(Locale.ROOT);
        boolean matched = false;
        for (String pattern : patterns) {
            boolean negated = pattern.startsWith("!");
            String glob = (negated ? pattern.substring(1) : pattern).toLowerCase(Locale.ROOT);
            if (glob(subject, glob)) {
                if (negated) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    /** {@code *} is any run of characters, {@code ?} any one character; everything else is literal. */
    static boolean glob(String s, String p) {
        int si = 0;
        int pi = 0;
        int star = -1;
        int resume = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                si++;
                pi++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                resume = si;
            } else if (star >= 0) {
                // Let the last * swallow one more character and retry from there.
                pi = star + 1;
                si = ++resume;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    /** The patterns that name exactly one host: no wildcard, no negation. */
    List<String> plainNames() {
        List<String> names = new ArrayList<>();
        for (String p : patterns) {
            if (p.indexOf('*') < 0 && p.indexOf('?') < 0 && !p.startsWith("!")) {
                names.add(p);
            }
        }
        return names;
    }
}
