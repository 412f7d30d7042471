package dev.ferry.client.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.apache.sshd.client.config.hosts.ConfigFileHostEntryResolver;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;

import dev.ferry.client.FerryException;
import dev.ferry.client.operand.Operand;

/**
 * Where a remote operand leads, as OpenSSH decides it: flags first ({@code -P}, {@code -J}, the user
 * in the operand), then {@code -o} options, then the matching {@code Host} blocks of ssh_config,
 * then defaults. It reads files only; deciding whether a control master can run the copy needs no
 * more, so an attaching run never starts MINA's client.
 */
public final class HostSettings {

    private final ConnectOptions options;
    private final HostConfigEntryResolver sshConfig;

    public HostSettings(ConnectOptions options) throws FerryException {
        this.options = options;
        Path configFile = options.configFile().orElse(home().resolve(".ssh").resolve("config"));
        if (options.configFile().isPresent() && !Files.isReadable(configFile)) {
            throw new FerryException(configFile + ": cannot read the ssh configuration file");
        }
        this.sshConfig = Files.exists(configFile) ? new StarRunsCollapsed(configFile)
                : HostConfigEntryResolver.EMPTY;
    }

    /**
     * MINA's reading of the file, with each run of {@code *} in a Host pattern made one, as
     * OpenSSH's match_pattern skips them: MINA turns every {@code *} into the regex {@code .*}, and
     * {@code Host e**********************ias} then backtracked for more than 10 s to fail to match
     * {@code example.com} (found by HostSettingsFuzzTest). Stars apart from each other still cost
     * what they cost in OpenSSH.
     */
    private static final class StarRunsCollapsed extends ConfigFileHostEntryResolver {
        private static final Pattern RUN = Pattern.compile("\\*{2,}");

        StarRunsCollapsed(Path file) {
            super(file);
        }

        @Override
        protected List<HostConfigEntry> reloadHostConfigEntries(Path path, String host, int port, String username,
                String proxyJump) throws IOException {
            List<HostConfigEntry> entries = super.reloadHostConfigEntries(path, host, port, username, proxyJump);
            for (HostConfigEntry entry : entries) {
                if (entry.getHost() != null && entry.getHost().contains("**")) {
                    entry.setHost(RUN.matcher(entry.getHost()).replaceAll("*"));
                }
            }
            return entries;
        }
    }

    /** The resolver MINA's client is given, so that jump hosts are looked up the same way. */
    HostConfigEntryResolver sshConfig() {
        return sshConfig;
    }

    /**
     * One operand's settings.
     *
     * @param entry the merged Host blocks that matched, or null when none did
     */
    public record Resolved(String host, int port, String user, Optional<String> jump, HostConfigEntry entry,
            ConnectOptions options) {

        /** An option from {@code -o}, else from the matching Host blocks. */
        public Optional<String> setting(String key) {
            return options.option(key).or(() -> Optional.ofNullable(entry == null ? null : entry.getProperty(key)));
        }
    }

    public Resolved resolve(Operand.Remote remote) throws FerryException {
        HostConfigEntry entry;
        try {
            entry = sshConfig.resolveEffectiveHost(remote.host(), -1, null,
                    remote.user().isEmpty() ? null : remote.user(), null, null);
        } catch (IOException e) {
            throw new FerryException("cannot read the ssh configuration: " + e.getMessage(), e);
        }
        String host = options.option("HostName").orElse(entry != null && entry.getHostName() != null
                ? entry.getHostName() : remote.host());
        int port = remote.port().isPresent() ? remote.port().getAsInt()
                : options.port().isPresent() ? options.port().getAsInt()
                : options.option("Port").map(HostSettings::port)
                        .orElse(entry != null && entry.getPort() > 0 ? entry.getPort() : 22);
        String user = !remote.user().isEmpty() ? remote.user()
                : options.option("User").orElse(entry != null && entry.getUsername() != null
                        ? entry.getUsername() : System.getProperty("user.name"));
        Optional<String> jump = options.jump().or(() -> options.option("ProxyJump"))
                .or(() -> Optional.ofNullable(entry == null ? null : entry.getProxyJump()))
                .filter(j -> !j.isBlank() && !j.equalsIgnoreCase("none"));
        return new Resolved(host, port, user, jump, entry, options);
    }

    private static int port(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Bad port '" + text + "'");
        }
    }

    static Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    /** {@code ~/x} as ssh expands it in file names of its configuration. */
    public static Path expandHome(String path) {
        return path.startsWith("~/") ? home().resolve(path.substring(2)) : Path.of(path);
    }
}
