package dev.ferry.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.FerryServer;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.Passwords;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserLimits;
import dev.ferry.server.fs.FsPolicy;
import dev.ferry.server.log.ServerEvent;

/**
 * Starts ferryd in-process on 127.0.0.1 port 0 (the bound port is read back) for a test class, with
 * these users, each with a root of their own under a temporary directory:
 * <ul>
 * <li>{@code alice}: key, read-write, umask 022</li>
 * <li>{@code bob}: password {@link #BOB_PASSWORD} only</li>
 * <li>{@code reader}: key, read-only</li>
 * <li>{@code strict}: key, umask 077</li>
 * <li>{@code linker}: key, may create links</li>
 * <li>any added with {@link #user(String, UserLimits)}: key, with limits</li>
 * </ul>
 * Beside the roots lies {@link #outside()}, which no user may reach; it holds {@code secret.txt}.
 * Register with {@code @RegisterExtension static final FerrydFixture ferryd = new FerrydFixture();}.
 */
public final class FerrydFixture implements BeforeAllCallback, AfterAllCallback {

    public static final String BOB_PASSWORD = "correct horse battery";
    public static final String SECRET = "outside-secret\n";

    private final Limits limits;
    private long receiveBudget;
    private AlgorithmPolicy.Algorithms algorithms = AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.MODERN);
    private final List<ServerEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, UserLimits> userLimits = new HashMap<>();
    private final Map<ServerEvent, Long> arrivals = Collections.synchronizedMap(new IdentityHashMap<>());
    private Consumer<FerryServer.Builder> more = builder -> {
    };
    private final Map<String, UserLimits> extraUsers = new LinkedHashMap<>();
    private Path base;
    private Path key;
    private Path knownHosts;
    private FerryServer server;
    private int port;

    public FerrydFixture() {
        this(Limits.DEFAULT);
    }

    public FerrydFixture(Limits limits) {
        this.limits = limits;
    }

    /** A server whose clients together may have only {@code bytes} in flight towards it. */
    public FerrydFixture receiveBudget(long bytes) {
        this.receiveBudget = bytes;
        return this;
    }

    /** One more user, {@code name}: key, read-write, umask 022, with {@code limits} (a quota, say). */
    public FerrydFixture user(String name, UserLimits limits) {
        extraUsers.put(name, limits);
        return this;
    }

    /** A server offering {@code algorithms} (default: the modern profile). */
    public FerrydFixture algorithms(AlgorithmPolicy.Algorithms algorithms) {
        this.algorithms = algorithms;
        return this;
    }

    /** Gives {@code user} these quotas, rates and connections at once (default: none). */
    public FerrydFixture userLimits(String user, UserLimits limits) {
        userLimits.put(user, limits);
        return this;
    }

    /** More settings (metrics, a hook...), applied to the builder when the server starts, after the fixture's own. */
    public FerrydFixture configure(Consumer<FerryServer.Builder> settings) {
        this.more = more.andThen(settings);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        base = Files.createTempDirectory("ferry-it-");
        Path outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);

        KeyPair userKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        key = base.resolve("id_ed25519");
        KeyFiles.write(userKey, key, "ferry-test");
        List<PublicKey> keys = List.of(userKey.getPublic());

        KeyPair hostKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        FerryServer.Builder builder = FerryServer.builder();
        if (receiveBudget > 0) {
            builder.receiveBudget(receiveBudget);
        }
        for (Map.Entry<String, UserLimits> u : extraUsers.entrySet()) {
            builder.user(UserAccount.withKeys(u.getKey(), root(u.getKey()), keys, FsPolicy.DEFAULT).withLimits(u.getValue()));
        }
        builder
                .listen("127.0.0.1", 0)
                .hostKey(hostKey)
                .user(limited(UserAccount.withKeys("alice", root("alice"), keys, FsPolicy.DEFAULT)))
                .user(limited(UserAccount.withPassword("bob", root("bob"), Passwords.hash(BOB_PASSWORD.toCharArray()),
                        FsPolicy.DEFAULT)))
                .user(limited(UserAccount.withKeys("reader", root("reader"), keys, new FsPolicy(true, 022, false))))
                .user(limited(UserAccount.withKeys("strict", root("strict"), keys, new FsPolicy(false, 077, false))))
                .user(limited(UserAccount.withKeys("linker", root("linker"), keys, new FsPolicy(false, 022, true))))
                .limits(limits)
                .algorithms(algorithms)
                .events(this::record);
        more.accept(builder);
        server = builder.build();
        port = server.start();
        knownHosts = base.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + KeyFiles.publicKeyLine(hostKey.getPublic(), null)
                + "\n");
    }

    private UserAccount limited(UserAccount user) {
        return user.withLimits(userLimits.getOrDefault(user.name(), UserLimits.NONE));
    }

    private Path root(String user) throws IOException {
        return Files.createDirectories(base.resolve("roots").resolve(user));
    }

    /** A started MINA client that trusts exactly this server's host key (stop it when done). */
    public SshClient newClient() {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts));
        client.start();
        return client;
    }

    /** A session of {@code client}, authenticated as {@code user} with the test key. */
    public ClientSession login(SshClient client, String user) throws IOException {
        ClientSession session = client.connect(user, new InetSocketAddress("127.0.0.1", port))
                .verify(10, TimeUnit.SECONDS).getSession();
        session.addPublicKeyIdentity(KeyFiles.load(key));
        session.auth().verify(10, TimeUnit.SECONDS);
        return session;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
        if (base != null) {
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The server's host key fingerprint, {@code SHA256:...}. */
    public String hostKeyFingerprint() {
        return server.hostKeyFingerprint();
    }

    public int port() {
        return port;
    }

    public FerryServer server() {
        return server;
    }

    /** The real directory behind {@code user}'s {@code /}. */
    public Path rootOf(String user) {
        return base.resolve("roots").resolve(user);
    }

    /** A directory beside the roots that must stay unreachable. */
    public Path outside() {
        return base.resolve("outside");
    }

    /** A scratch directory for the client side of a test, new on each call. */
    public Path newLocalDir() throws IOException {
        return Files.createTempDirectory(base, "local-");
    }

    /** The private key every key user accepts (OpenSSH format, mode 0600). */
    public Path key() {
        return key;
    }

    /** A known_hosts file holding the server's key under {@code [127.0.0.1]:port}. */
    public Path knownHosts() {
        return knownHosts;
    }

    /**
     * {@code ferry cp} options for this server: batch mode, its port, the test key, this
     * fixture's known_hosts and no user config; the operands are the caller's.
     */
    public List<String> ferryOptions() {
        return List.of("-B", "-P", String.valueOf(port()), "-i", key().toString(),
                "-o", "UserKnownHostsFile=" + knownHosts(), "-o", "GlobalKnownHostsFile=/dev/null", "-F", "/dev/null");
    }

    private void record(ServerEvent event) {
        arrivals.put(event, System.nanoTime());
        events.add(event);
    }

    /** When the server reported {@code event} (one of {@link #events()}), on {@link System#nanoTime()}'s clock. */
    public long reportedAt(ServerEvent event) {
        Long at = arrivals.get(event);
        if (at == null) {
            throw new IllegalArgumentException("not an event of this server: " + event);
        }
        return at;
    }

    /** Events the server has reported so far. */
    public List<ServerEvent> events() {
        return new ArrayList<>(events);
    }

    /** Events of one type, in order. */
    public <E extends ServerEvent> List<E> events(Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The last transfer of {@code path} (as the user sees it), if any. */
    public Optional<ServerEvent.Transfer> lastTransfer(String path) {
        List<ServerEvent.Transfer> all = events(ServerEvent.Transfer.class);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).path().equals(path)) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }
}
