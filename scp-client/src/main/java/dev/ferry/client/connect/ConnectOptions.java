package dev.ferry.client.connect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import dev.ferry.transport.TransportProfile;

/**
 * How to reach servers, from the command line: the flags that scp shares with ssh, and
 * {@code -o Key=Value} options. What is not given here comes from ssh_config, then defaults.
 *
 * @param port         {@code -P}
 * @param identities   {@code -i}, in order
 * @param configFile   {@code -F}; empty means {@code ~/.ssh/config} (a missing file is fine)
 * @param options      {@code -o} options, keys in lower case; the first value given for a key wins, as in ssh
 * @param jump         {@code -J}
 * @param compression  {@code -C}
 * @param ciphers      {@code -c}, comma separated
 * @param batch        {@code -B}: never ask for a password or passphrase
 * @param passwordFile a file holding the password (first line), for scripts
 * @param ipv4Only     {@code -4}
 * @param ipv6Only     {@code -6}
 * @param hostKeys     {@code --host-key}: accept exactly a key with one of these SHA256 fingerprints
 * @param transport    windows, packets, socket buffers (IPQoS from {@code -o IPQoS} is applied over it)
 */
public record ConnectOptions(OptionalInt port, List<Path> identities, Optional<Path> configFile,
        Map<String, String> options, Optional<String> jump, boolean compression, Optional<String> ciphers,
        boolean batch, Optional<Path> passwordFile, boolean ipv4Only, boolean ipv6Only, List<String> hostKeys,
        TransportProfile transport) {

    /**
     * The {@code -o} keys Ferry understands (lower case). Others are refused, not ignored; LogLevel
     * is accepted for scripts that pass it and has no effect (use -v or -q).
     */
    public static final List<String> KNOWN_OPTIONS = List.of("port", "user", "hostname", "identityfile",
            "identitiesonly", "proxyjump", "hostkeyalias", "stricthostkeychecking", "userknownhostsfile",
            "globalknownhostsfile", "compression", "ciphers", "kexalgorithms", "macs", "hostkeyalgorithms",
            "connecttimeout", "batchmode",
            "passwordauthentication", "pubkeyauthentication", "loglevel", "ipqos", "addressfamily",
            "controlmaster", "controlpath", "controlpersist", "bindaddress");

    public ConnectOptions {
        identities = List.copyOf(identities);
        options = Map.copyOf(options);
        hostKeys = List.copyOf(hostKeys);
    }

    public static ConnectOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An {@code -o} option, case-insensitive. */
    public Optional<String> option(String key) {
        return Optional.ofNullable(options.get(key.toLowerCase(Locale.ROOT)));
    }

    public Duration connectTimeout() {
        return option("ConnectTimeout").map(s -> Duration.ofSeconds(Long.parseLong(s.strip())))
                .orElse(Duration.ofSeconds(30));
    }

    public boolean batchMode() {
        return batch || option("BatchMode").map(v -> v.equalsIgnoreCase("yes")).orElse(false);
    }

    /** Collects options; each setter validates at once. */
    public static final class Builder {
        private OptionalInt port = OptionalInt.empty();
        private final List<Path> identities = new ArrayList<>();
        private Optional<Path> configFile = Optional.empty();
        private final Map<String, String> options = new LinkedHashMap<>();
        private Optional<String> jump = Optional.empty();
        private boolean compression;
        private Optional<String> ciphers = Optional.empty();
        private boolean batch;
        private Optional<Path> passwordFile = Optional.empty();
        private boolean ipv4Only;
        private boolean ipv6Only;
        private final List<String> hostKeys = new ArrayList<>();
        private TransportProfile transport = TransportProfile.DEFAULT;

        private Builder() {
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = OptionalInt.of(port);
            return this;
        }

        public Builder identity(Path file) {
            identities.add(file);
            return this;
        }

        public Builder configFile(Path file) {
            this.configFile = Optional.of(file);
            return this;
        }

        /** An option in ssh's {@code -o} form: {@code Key=Value} or {@code Key Value}. */
        public Builder option(String keyValue) {
            String kv = keyValue.strip();
            int split = kv.indexOf('=');
            if (split < 0) {
                split = kv.indexOf(' ');
            }
            if (split <= 0) {
                throw new IllegalArgumentException("-o " + keyValue + ": expected Key=Value");
            }
            String key = kv.substring(0, split).strip().toLowerCase(Locale.ROOT);
            String value = kv.substring(split + 1).strip();
            if (!KNOWN_OPTIONS.contains(key)) {
                throw new IllegalArgumentException("-o " + kv.substring(0, split).strip()
                        + ": option not supported by ferry");
            }
            options.putIfAbsent(key, value);
            return this;
        }

        public Builder jump(String hops) {
            this.jump = Optional.of(hops);
            return this;
        }

        public Builder compression(boolean on) {
            this.compression = on;
            return this;
        }

        public Builder ciphers(String list) {
            this.ciphers = Optional.of(list);
            return this;
        }

        public Builder batch(boolean on) {
            this.batch = on;
            return this;
        }

        public Builder passwordFile(Path file) {
            this.passwordFile = Optional.of(file);
            return this;
        }

        public Builder ipv4Only(boolean on) {
            this.ipv4Only = on;
            return this;
        }

        public Builder ipv6Only(boolean on) {
            this.ipv6Only = on;
            return this;
        }

        public Builder hostKey(String fingerprint) {
            hostKeys.add(fingerprint);
            return this;
        }

        public Builder transport(TransportProfile profile) {
            this.transport = profile;
            return this;
        }

        public ConnectOptions build() {
            // -o forms of what flags also set; a flag wins, as in ssh.
            if (ciphers.isEmpty() && options.containsKey("ciphers")) {
                ciphers = Optional.of(options.get("ciphers"));
            }
            String family = options.getOrDefault("addressfamily", "any").toLowerCase(Locale.ROOT);
            switch (family) {
                case "inet" -> ipv4Only = ipv4Only || !ipv6Only;
                case "inet6" -> ipv6Only = ipv6Only || !ipv4Only;
                case "any" -> { }
                default -> throw new IllegalArgumentException("-o AddressFamily=" + family + ": use any, inet or inet6");
            }
            if (ipv4Only && ipv6Only) {
                throw new IllegalArgumentException("-4 and -6 exclude each other");
            }
            return new ConnectOptions(port, identities, configFile, options, jump, compression, ciphers, batch,
                    passwordFile, ipv4Only, ipv6Only, hostKeys, transport);
        }
    }
}
