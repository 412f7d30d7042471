package dev.ferry.client.hostkeys;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import org.apache.sshd.client.config.hosts.KnownHostEntry;

/**
 * Which server keys Ferry's client trusts; built with {@link #builder()}.
 *
 * @param strictHostKeyChecking what to do with hosts {@code known_hosts} does not list (default {@code yes})
 * @param knownHostsFiles       the files to read; the first is the user's, the only one written to
 *                              (default: OpenSSH's {@code ~/.ssh/known_hosts}, {@code ~/.ssh/known_hosts2},
 *                              {@code /etc/ssh/ssh_known_hosts}, {@code /etc/ssh/ssh_known_hosts2})
 * @param hostKeyAlias          when present, the name looked up and recorded instead of the host and
 *                              port (as OpenSSH's HostKeyAlias: used as is, no {@code [ ]:port}; lower case)
 * @param pinnedFingerprints    {@code SHA256:...} fingerprints; when any is given the server's key must
 *                              have one of them, {@code known_hosts} is not consulted and nothing is recorded
 * @param prompter              asks the user for {@link StrictHostKeyChecking#ASK}; absent when not interactive
 * @param warnings              receives one sentence per warning (default: standard error)
 */
public record HostKeyPolicy(StrictHostKeyChecking strictHostKeyChecking, List<Path> knownHostsFiles,
        Optional<String> hostKeyAlias, List<String> pinnedFingerprints, Optional<Prompter> prompter,
        Consumer<String> warnings) {

    /** The prefix of OpenSSH's fingerprints, as {@code ssh-keygen -l} prints them. */
    public static final String SHA256_PREFIX = "SHA256:";

    public HostKeyPolicy {
        Objects.requireNonNull(strictHostKeyChecking, "strictHostKeyChecking");
        knownHostsFiles = List.copyOf(knownHostsFiles);
        if (knownHostsFiles.isEmpty()) {
            throw new IllegalArgumentException("at least one known_hosts file is needed: the first is the user's");
        }
        hostKeyAlias = Objects.requireNonNull(hostKeyAlias, "hostKeyAlias").map(HostKeyPolicy::checkAlias);
        List<String> pins = new ArrayList<>();
        for (String pin : pinnedFingerprints) {
            pins.add(normalizeFingerprint(pin));
        }
        pinnedFingerprints = List.copyOf(pins);
        Objects.requireNonNull(prompter, "prompter");
        Objects.requireNonNull(warnings, "warnings");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this policy's settings, to derive a variant. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    /** The file new hosts are recorded in: the first of {@link #knownHostsFiles()}. */
    public Path userKnownHostsFile() {
        return knownHostsFiles.get(0);
    }

    /** OpenSSH's default UserKnownHostsFile and GlobalKnownHostsFile lists, the user's first. */
    public static List<Path> defaultKnownHostsFiles() {
        Path user = KnownHostEntry.getDefaultKnownHostsFile();
        return List.of(user, user.resolveSibling("known_hosts2"),
                Path.of("/etc/ssh/ssh_known_hosts"), Path.of("/etc/ssh/ssh_known_hosts2"));
    }

    /**
     * {@code SHA256:} followed by the 43 base64 characters of a SHA-256 digest, as {@code ssh-keygen -l}
     * prints it. The prefix may be left out (or written in any case); base64 padding is dropped.
     *
     * @throws IllegalArgumentException for anything else, e.g. an MD5 fingerprint
     */
    static String normalizeFingerprint(String fingerprint) {
        String f = Objects.requireNonNull(fingerprint, "fingerprint").strip();
        if (f.regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
            f = f.substring(SHA256_PREFIX.length());
        }
        while (f.endsWith("=")) {
            f = f.substring(0, f.length() - 1);
        }
        boolean ok;
        try {
            ok = f.length() == 43 && Base64.getDecoder().decode(f + "=").length == 32;
        } catch (IllegalArgumentException e) {
            ok = false;
        }
        if (!ok) {
            throw new IllegalArgumentException("not a SHA256 fingerprint: \"" + fingerprint + "\" (expected SHA256: and "
                    + "43 base64 characters, as ssh-keygen -l prints).");
        }
        return SHA256_PREFIX + f;
    }

    /** The alias is written to known_hosts as a host name, so it must read back as exactly that name. */
    private static String checkAlias(String alias) {
        String a = alias.strip().toLowerCase(Locale.ROOT);
        if (a.matches("\\[[^\\[\\]\\s,*?]+\\]:\\d{1,5}")) {
            return a; // a host name with its port, as KnownHosts.hostName writes it ("[host]:2222")
        }
        if (a.isEmpty() || "!|@#[".indexOf(a.charAt(0)) >= 0
                || a.chars().anyMatch(c -> c <= ' ' || c == 0x7f || c == ',' || c == '*' || c == '?')) {
            throw new IllegalArgumentException("HostKeyAlias \"" + alias + "\" cannot be a known_hosts name: it must not be "
                    + "blank, contain spaces, commas or wildcards, or start with ! | @ # [.");
        }
        return a;
    }

    /** Collects a {@link HostKeyPolicy}; every setting has a default. Setters validate at once. */
    public static final class Builder {
        private StrictHostKeyChecking strictHostKeyChecking = StrictHostKeyChecking.YES;
        private List<Path> knownHostsFiles;
        private String hostKeyAlias;
        private final List<String> pinnedFingerprints = new ArrayList<>();
        private Prompter prompter;
        private Consumer<String> warnings = System.err::println;

        private Builder() {
        }

        private Builder(HostKeyPolicy policy) {
            strictHostKeyChecking = policy.strictHostKeyChecking;
            knownHostsFiles = policy.knownHostsFiles;
            hostKeyAlias = policy.hostKeyAlias.orElse(null);
            pinnedFingerprints.addAll(policy.pinnedFingerprints);
            prompter = policy.prompter.orElse(null);
            warnings = policy.warnings;
        }

        public Builder strictHostKeyChecking(StrictHostKeyChecking mode) {
            this.strictHostKeyChecking = Objects.requireNonNull(mode, "strictHostKeyChecking");
            return this;
        }

        /** The files to read, the user's (writable) one first; the others are only read. */
        public Builder knownHostsFiles(List<Path> files) {
            List<Path> copy = List.copyOf(files);
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("knownHostsFiles is empty: the first file is the user's");
            }
            this.knownHostsFiles = copy;
            return this;
        }

        /** The name to check and record instead of the host and port; {@code null} for none. */
        public Builder hostKeyAlias(String alias) {
            this.hostKeyAlias = alias == null ? null : checkAlias(alias);
            return this;
        }

        /** Adds a fingerprint the server's key may have ({@code SHA256:...}, or without the prefix). */
        public Builder pinnedFingerprint(String fingerprint) {
            pinnedFingerprints.add(normalizeFingerprint(fingerprint));
            return this;
        }

        /** Replaces the pinned fingerprints; an empty list turns pinning off. */
        public Builder pinnedFingerprints(List<String> fingerprints) {
            List<String> normalized = new ArrayList<>();
            for (String f : fingerprints) {
                normalized.add(normalizeFingerprint(f));
            }
            pinnedFingerprints.clear();
            pinnedFingerprints.addAll(normalized);
            return this;
        }

        /** Who answers {@link StrictHostKeyChecking#ASK}; {@code null} when not interactive. */
        public Builder prompter(Prompter prompter) {
            this.prompter = prompter;
            return this;
        }

        public Builder warnings(Consumer<String> warnings) {
            this.warnings = Objects.requireNonNull(warnings, "warnings");
            return this;
        }

        public HostKeyPolicy build() {
            return new HostKeyPolicy(strictHostKeyChecking,
                    knownHostsFiles == null ? defaultKnownHostsFiles() : knownHostsFiles,
                    Optional.ofNullable(hostKeyAlias), pinnedFingerprints, Optional.ofNullable(prompter), warnings);
        }
    }
}
