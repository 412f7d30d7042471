package dev.ferry.client.connect;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.keyboard.UserInteraction;
import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;

import dev.ferry.client.FerryException;
import dev.ferry.client.hostkeys.FerryHostKeyVerifier;
import dev.ferry.client.kex.KexChoices;
import dev.ferry.client.kex.KeyExchanges;
import dev.ferry.client.kex.Sntrup761Ahead;
import dev.ferry.client.hostkeys.HostKeyPolicy;
import dev.ferry.client.hostkeys.KnownHosts;
import dev.ferry.client.hostkeys.StrictHostKeyChecking;
import dev.ferry.client.operand.Operand;
import dev.ferry.security.AlgorithmList;
import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.transport.IpQos;
import dev.ferry.transport.TransportProfile;

/**
 * Opens authenticated sessions to the servers named in operands. Settings are resolved as OpenSSH
 * resolves them: flags first ({@code -P}, {@code -i}, {@code -J}, the user in the operand), then
 * {@code -o} options, then the matching {@code Host} blocks of ssh_config, then defaults. This is
 * the one class that configures MINA's client.
 */
public final class Connector implements Sessions {

    private static final List<String> DEFAULT_IDENTITIES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private final ConnectOptions options;
    private final Interaction interaction;
    private final SshClient client;
    private final HostSettings hosts;
    private final TransportProfile transport;
    private final Sntrup761Ahead sntrup761 = new Sntrup761Ahead();
    private final KexChoices kexChoices;
    private final boolean offersSntrup761;

    public Connector(ConnectOptions options, Interaction interaction) throws FerryException {
        this.options = options;
        this.interaction = interaction;
        List<BuiltinDHFactories> kex = options.option("KexAlgorithms").isPresent()
                ? KeyExchanges.parse(options.option("KexAlgorithms").get())
                : KeyExchanges.defaults();
        this.offersSntrup761 = kex.stream().anyMatch(Sntrup761Ahead::uses);
        this.kexChoices = KexChoices.inUserCache();
        this.hosts = new HostSettings(options);
        this.client = SshClient.setUpDefaultClient();
        AlgorithmPolicy.applyTo(client, ClientBuilder.DH2KEX, algorithms(options));
        client.setKeyExchangeFactories(kex.stream().map(dh -> ClientBuilder.DH2KEX.apply(sntrup761.replace(dh))).toList());
        if (options.ciphers().isPresent()) {
            client.setCipherFactories(ciphers(options.ciphers().get()));
        }
        boolean compress = options.compression()
                || options.option("Compression").map(v -> v.equalsIgnoreCase("yes")).orElse(false);
        client.setCompressionFactories(compress
                ? List.of(BuiltinCompressions.delayedZlib, BuiltinCompressions.none)
                : List.of(BuiltinCompressions.none));
        client.setHostConfigEntryResolver(hosts.sshConfig());
        TransportProfile profile = options.transport();
        if (options.option("IPQoS").isPresent()) {
            profile = profile.newBuilder().ipQos(IpQos.parse(options.option("IPQoS").get())).build();
        }
        this.transport = profile;
        profile.applyTo(client);
        client.start();
    }

    /**
     * The policy's lists, changed by {@code -o MACs=} and {@code -o HostKeyAlgorithms=} as
     * ssh_config spells them (a list, or +, -, ^ before names); only names of the policy are
     * accepted. (Ciphers, from {@code -c} or {@code -o Ciphers=}, are set below, as scp takes them.)
     */
    private static AlgorithmPolicy.Algorithms algorithms(ConnectOptions options) throws FerryException {
        try {
            return AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.MODERN).with("ferry", null, null,
                    options.option("MACs").orElse(null), options.option("HostKeyAlgorithms").orElse(null));
        } catch (IllegalArgumentException e) {
            throw new FerryException(e.getMessage());
        }
    }

    private static boolean isSntrup761(String kex) {
        BuiltinDHFactories dh = BuiltinDHFactories.fromFactoryName(kex);
        return dh != null && Sntrup761Ahead.uses(dh);
    }

    /**
     * {@code -c} or {@code -o Ciphers=}: a list of the policy's ciphers in the order given, or as
     * ssh_config spells a change to the default ({@code +}, {@code -}, {@code ^} before names).
     */
    private static List<NamedFactory<Cipher>> ciphers(String list) throws FerryException {
        String s = list.strip();
        if (!s.isEmpty() && "+-^".indexOf(s.charAt(0)) >= 0) {
            try {
                return new ArrayList<>(AlgorithmList.parse("Ciphers", "ferry", s,
                        AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.MODERN).ciphers(), AlgorithmPolicy.CIPHERS));
            } catch (IllegalArgumentException e) {
                throw new FerryException(e.getMessage());
            }
        }
        List<NamedFactory<Cipher>> chosen = new ArrayList<>();
        for (String name : s.split(",")) {
            BuiltinCiphers cipher = BuiltinCiphers.fromFactoryName(name.strip());
            if (cipher == null || !AlgorithmPolicy.CIPHERS.contains(cipher)) {
                throw new FerryException("Unknown cipher type '" + name.strip() + "' (ferry offers "
                        + NamedResource.getNames(AlgorithmPolicy.CIPHERS) + ")");
            }
            chosen.add(cipher);
        }
        return chosen;
    }

    /**
     * The host, port and user a remote operand resolves to, and how to verify and log in to it;
     * {@code bindAddress} the local address to connect from ({@code -o BindAddress=}, as ssh's).
     */
    public record Target(String host, int port, String user, Optional<String> jump, List<Path> identities,
            HostKeyPolicy hostKeys, Optional<String> bindAddress) {
        public String display() {
            return user + "@" + (host.contains(":") ? "[" + host + "]" : host);
        }
    }

    /** Resolves {@code remote} against flags, -o options and ssh_config, without connecting. */
    @Override
    public Target resolve(Operand.Remote remote) throws FerryException {
        HostSettings.Resolved r = hosts.resolve(remote);
        HostConfigEntry entry = r.entry();
        List<Path> identities = new ArrayList<>(options.identities());
        options.option("IdentityFile").map(HostSettings::expandHome).ifPresent(identities::add);
        if (entry != null && entry.getIdentities() != null) {
            entry.getIdentities().stream().map(HostSettings::expandHome).forEach(identities::add);
        }
        if (identities.isEmpty()) {
            for (String name : DEFAULT_IDENTITIES) {
                identities.add(HostSettings.home().resolve(".ssh").resolve(name));
            }
        }
        return new Target(r.host(), r.port(), r.user(), r.jump(), identities, hostKeyPolicy(r),
                r.setting("BindAddress").map(String::strip).filter(a -> !a.isEmpty()));
    }

    private HostKeyPolicy hostKeyPolicy(HostSettings.Resolved entry) {
        // Asked through the interaction, not System.console(): a control master asks on the
        // terminal of the run it connects for.
        boolean interactive = interaction.asks() && !options.batchMode();
        StrictHostKeyChecking strict = entry.setting("StrictHostKeyChecking").map(StrictHostKeyChecking::parse)
                .orElse(interactive ? StrictHostKeyChecking.ASK : StrictHostKeyChecking.YES);
        List<Path> files = new ArrayList<>();
        entry.setting("UserKnownHostsFile").ifPresentOrElse(
                v -> Arrays.stream(v.strip().split("\\s+")).map(HostSettings::expandHome).forEach(files::add),
                () -> files.add(HostSettings.home().resolve(".ssh").resolve("known_hosts")));
        entry.setting("GlobalKnownHostsFile").ifPresentOrElse(
                v -> Arrays.stream(v.strip().split("\\s+")).filter(f -> !f.equals("/dev/null"))
                        .map(HostSettings::expandHome).forEach(files::add),
                () -> files.add(Path.of("/etc/ssh/ssh_known_hosts")));
        HostKeyPolicy.Builder policy = HostKeyPolicy.builder()
                .strictHostKeyChecking(strict)
                .knownHostsFiles(files)
                .warnings(interaction::warn)
                .pinnedFingerprints(options.hostKeys());
        entry.setting("HostKeyAlias").ifPresent(policy::hostKeyAlias);
        if (interactive) {
            policy.prompter(question -> interaction.confirm(question).orElse(false));
        }
        return policy.build();
    }

    /**
     * Connects and authenticates.
     *
     * @throws FerryException with scp's sentence for the failure (connection refused, host key,
     *                        permission denied)
     */
    @Override
    public ClientSession connect(Target requested) throws FerryException {
        Prepared p = prepare(requested);
        Target target = p.target();
        // A server that chose sntrup761x25519 last time will again: its key pair is made now, beside
        // the connect and the version exchange, instead of after the server's KEXINIT.
        if (offersSntrup761 && kexChoices.last(target.host(), target.port()).filter(Connector::isSntrup761).isPresent()) {
            sntrup761.start();
        }
        FerryHostKeyVerifier targetVerifier = p.targetVerifier();
        FerryHostKeyVerifier hopVerifier = p.hopVerifier();
        // The same objects for every connection to this target (the --streams connections run
        // side by side), so whichever connection MINA asks, the answer is the same.
        synchronized (this) {
            client.setServerKeyVerifier((ServerKeyVerifier) (session, remote, key) ->
                    isTarget(session.getConnectAddress(), target) ? targetVerifier.verifyServerKey(session, remote, key)
                            : hopVerifier.verifyServerKey(session, remote, key));
            client.setKeyIdentityProvider(session -> p.keys());
            client.setAgentFactory(p.agent());
            client.setUserInteraction(p.passwords());
            CoreModuleProperties.PREFERRED_AUTHS.set(client, preferredAuths());
        }

        HostConfigEntry entry = new HostConfigEntry("", target.host(), target.port(), target.user(),
                target.jump().orElse(null));
        entry.setIdentities(List.of());
        long timeout = options.connectTimeout().toMillis();
        ClientSession session;
        try {
            session = client.connect(entry, null, localAddress(target)).verify(timeout, TimeUnit.MILLISECONDS)
                    .getSession();
        } catch (IOException e) {
            throw hostKeyRefusal(targetVerifier, hopVerifier, e)
                    .orElseGet(() -> new ConnectionFailedException(connectFailure(target, e), e));
        }
        try {
            session.auth().verify(timeout, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            closeQuietly(session);
            // MINA's connect completes before the key exchange; a refused host key shows up here.
            throw hostKeyRefusal(targetVerifier, hopVerifier, e).orElseGet(() -> new ConnectionFailedException(
                    target.display() + ": Permission denied (" + preferredAuths() + ").", e));
        }
        kexChoices.record(target.host(), target.port(), session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS));
        WindowSizing.apply(session, transport);
        return session;
    }

    /** The round trip to the server of {@code session} as measured when it connected (zero if it was not). */
    public static Duration roundTrip(ClientSession session) {
        Duration rtt = session.getAttribute(WindowSizing.ROUND_TRIP);
        return rtt == null ? Duration.ZERO : rtt;
    }

    /** What connecting to one target needs, made once: keys are loaded (and passphrases asked) only once. */
    private record Prepared(Target target, List<KeyPair> keys, FerryHostKeyVerifier targetVerifier,
            FerryHostKeyVerifier hopVerifier, SshAgentFactory agent, UserInteraction passwords) {
    }

    private final Map<Target, Prepared> prepared = new HashMap<>();

    /** Password attempts made on one session. */
    private static final AttributeKey<Integer> PASSWORD_ATTEMPTS = new AttributeKey<>();

    private synchronized Prepared prepare(Target requested) throws FerryException {
        Prepared p = prepared.get(requested);
        if (p != null) {
            return p;
        }
        Target target = restrictAddressFamily(requested);
        // Jump hosts are checked under their own names with the same files and strictness, but
        // neither the target's alias nor its pinned key applies to them.
        HostKeyPolicy hopPolicy = target.hostKeys().newBuilder().hostKeyAlias(null).pinnedFingerprints(List.of())
                .build();
        // Keys in the ssh-agent are tried too, unless IdentitiesOnly=yes asks for the files alone.
        String agentSocket = System.getenv("SSH_AUTH_SOCK");
        boolean identitiesOnly = options.option("IdentitiesOnly").map("yes"::equalsIgnoreCase).orElse(false);
        SshAgentFactory agent = agentSocket != null && !agentSocket.isBlank() && !identitiesOnly
                ? UnixSocketAgent.factory(Path.of(agentSocket)) : null;
        p = new Prepared(target, loadIdentities(target.identities()), new FerryHostKeyVerifier(target.hostKeys()),
                new FerryHostKeyVerifier(hopPolicy), agent, passwords(target));
        prepared.put(requested, p);
        return p;
    }

    /** The verifiers' sentence when a host key was refused (MINA's own message says less). */
    private static Optional<ConnectionFailedException> hostKeyRefusal(FerryHostKeyVerifier target, FerryHostKeyVerifier hop,
            IOException cause) {
        return target.lastRefusal().or(hop::lastRefusal)
                .map(refusal -> new ConnectionFailedException(refusal + "\nHost key verification failed.", cause));
    }

    /**
     * {@code -4} / {@code -6}: connect to an address of that family, while the host key is still
     * looked up under the name the user gave (as an alias unless one is set already).
     */
    private Target restrictAddressFamily(Target target) throws FerryException {
        if (!options.ipv4Only() && !options.ipv6Only()) {
            return target;
        }
        InetAddress chosen = null;
        try {
            for (InetAddress a : InetAddress.getAllByName(target.host())) {
                if (options.ipv4Only() ? a instanceof Inet4Address : a instanceof Inet6Address) {
                    chosen = a;
                    break;
                }
            }
        } catch (UnknownHostException e) {
            throw new ConnectionFailedException("ssh: Could not resolve hostname " + target.host()
                    + ": Name or service not known", e);
        }
        if (chosen == null) {
            throw new ConnectionFailedException("ssh: Could not resolve hostname " + target.host() + ": no "
                    + (options.ipv4Only() ? "IPv4" : "IPv6") + " address");
        }
        HostKeyPolicy keys = target.hostKeys().hostKeyAlias().isPresent() ? target.hostKeys()
                : target.hostKeys().newBuilder().hostKeyAlias(KnownHosts.hostName(target.host(), target.port())).build();
        return new Target(chosen.getHostAddress(), target.port(), target.user(), target.jump(), target.identities(),
                keys, target.bindAddress());
    }

    private static boolean isTarget(SocketAddress address, Target target) {
        if (address instanceof SshdSocketAddress sshd) {
            return sshd.getHostName().equalsIgnoreCase(target.host()) && sshd.getPort() == target.port();
        }
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString().equalsIgnoreCase(target.host()) && inet.getPort() == target.port();
        }
        return true;
    }

    private String preferredAuths() {
        List<String> methods = new ArrayList<>();
        if (!options.option("PubkeyAuthentication").map("no"::equalsIgnoreCase).orElse(false)) {
            methods.add("publickey");
        }
        if (!options.option("PasswordAuthentication").map("no"::equalsIgnoreCase).orElse(false)) {
            methods.add("password");
        }
        return String.join(",", methods);
    }

    /** Where to connect from: {@code BindAddress}'s address (any port), or null for the system's choice. */
    private static InetSocketAddress localAddress(Target target) throws ConnectionFailedException {
        if (target.bindAddress().isEmpty()) {
            return null;
        }
        String address = target.bindAddress().get();
        try {
            return new InetSocketAddress(InetAddress.getByName(address), 0);
        } catch (UnknownHostException e) {
            throw new ConnectionFailedException("ssh: BindAddress " + address + ": Name or service not known", e);
        }
    }

    private static String connectFailure(Target target, Exception e) {
        String where = "ssh: connect to host " + target.host() + " port " + target.port() + ": ";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                // as ssh says it: the address is not this machine's, or its port range is used up
                return "ssh: bind " + target.bindAddress().orElse("") + ": "
                        + (t.getMessage() == null ? "Cannot assign requested address" : t.getMessage());
            }
            if (t instanceof ConnectException) {
                return where + "Connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "ssh: Could not resolve hostname " + target.host() + ": Name or service not known";
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return where + message;
    }

    /** Loads the identity files that exist; an encrypted one asks for its passphrase (not in batch mode). */
    private List<KeyPair> loadIdentities(List<Path> files) throws FerryException {
        List<KeyPair> keys = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                if (options.identities().contains(file)) {
                    interaction.warn("Warning: Identity file " + file + " not accessible: No such file or directory.");
                }
                continue;
            }
            FilePasswordProvider passphrase = options.batchMode() ? FilePasswordProvider.EMPTY
                    : (session, resource, retry) -> interaction.passphrase(file).map(String::new).orElse(null);
            try (InputStream in = Files.newInputStream(file)) {
                Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null,
                        NamedResource.ofName(file.toString()), in, passphrase);
                if (loaded != null) {
                    loaded.forEach(keys::add);
                }
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                interaction.warn("Warning: cannot use identity " + file + ": " + e.getMessage());
            }
        }
        return keys;
    }

    /**
     * Password authentication: from {@code --password-file}, else {@code $FERRY_PASSWORD}, else the
     * terminal (not in batch mode). A password is never taken from the command line.
     */
    private UserInteraction passwords(Target target) throws FerryException {
        Optional<String> fixed = Optional.empty();
        if (options.passwordFile().isPresent()) {
            Path file = options.passwordFile().get();
            try {
                fixed = Optional.of(Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse(""));
            } catch (IOException e) {
                throw new FerryException(file + ": cannot read the password file");
            }
        } else if (System.getenv("FERRY_PASSWORD") != null) {
            fixed = Optional.of(System.getenv("FERRY_PASSWORD"));
        }
        Optional<String> given = fixed;
        boolean batch = options.batchMode();
        return new UserInteraction() {
            /** The password typed for an earlier connection to this target (--streams opens several). */
            private volatile String typed;

            @Override
            public boolean isInteractionAllowed(ClientSession session) {
                return true;
            }

            @Override
            public String resolveAuthPasswordAttempt(ClientSession session) {
                Integer previous = session.getAttribute(PASSWORD_ATTEMPTS);
                int attempt = previous == null ? 1 : previous + 1;
                session.setAttribute(PASSWORD_ATTEMPTS, attempt);
                if (given.isPresent()) {
                    return attempt == 1 ? given.get() : null; // a wrong fixed password is not retried
                }
                if (attempt == 1 && typed != null) {
                    return typed;
                }
                if (batch || attempt > 3) {
                    return null;
                }
                typed = interaction.password(target.display()).map(String::new).orElse(null);
                return typed;
            }

            @Override
            public String[] interactive(ClientSession session, String name, String instruction, String lang,
                    String[] prompt, boolean[] echo) {
                return null;
            }

            @Override
            public String getUpdatedPassword(ClientSession session, String prompt, String lang) {
                return null;
            }
        };
    }

    private static void closeQuietly(ClientSession session) {
        try {
            session.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /** A session of this run's own: the lease closes it. */
    @Override
    public Lease open(Target target) throws FerryException {
        return Lease.closing(connect(target));
    }

    /** The transport profile this connector applies (for {@code -v}). */
    public TransportProfile transport() {
        return transport;
    }

    @Override
    public void close() throws IOException {
        client.stop();
    }
}
