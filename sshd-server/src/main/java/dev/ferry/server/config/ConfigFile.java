package dev.ferry.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import dev.ferry.config.TimeFormat;
import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.Network;
import dev.ferry.server.hook.Hook;
import dev.ferry.server.log.LogFormat;
import dev.ferry.server.scp.ShellWords;
import dev.ferry.transport.IpQos;
import dev.ferry.transport.TransportProfile;

/**
 * {@code ferryd.yaml}, ferryd's own settings (the users are in the users file). Every key is
 * optional; what a key leaves out keeps its default. Relative paths are relative to the file's
 * directory. The shape is the one {@code ferryd --print-config} prints:
 *
 * <pre>
 * listen: [0.0.0.0:2222, "[::]:2222"]
 * hostKeys: [host_ed25519_key]
 * algorithms: {profile: modern, ciphers: "-aes128-ctr"}
 * limits: {maxAuthTries: 6, loginGraceTime: 30s, idleTimeout: 15m, maxSessions: 10,
 *          maxStartups: 512, perSourceMaxStartups: 10}
 * bans: {threshold: 30, window: 10m, time: 1m, maxTime: 30m, exempt: [10.0.0.0/8]}
 * log: {format: json, file: /var/log/ferry/ferryd.log}
 * metrics: 127.0.0.1:9339
 * transport: {window: 64M, receiveBudget: 512M, ipqos: af21}
 * users: {file: users.yaml}              # or {database: "jdbc:postgresql://db/ferry?user=ferry"}
 * hook: {command: /usr/local/bin/on-upload, events: [upload], timeout: 30s}
 * proxyProtocol: {from: [10.0.0.5/32]}   # PROXY headers from these balancers only
 * sftp: {inPlace: false}
 * stopGracePeriod: 30s
 * </pre>
 *
 * A mistake is one sentence naming the file, the line and the key: an unknown key is refused by
 * name (with those known beside it), a value by what it should have been.
 */
public final class ConfigFile {

    /** The name ferryd looks for in its state directory. */
    public static final String NAME = "ferryd.yaml";

    private ConfigFile() {
    }

    /** {@code base} with what {@code file} sets. */
    public static FerrydConfig.Builder read(Path file, FerrydConfig.Builder base) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + ": not UTF-8 text");
        }
        YamlSection top = YamlSection.parse(file, text);
        Path dir = file.toAbsolutePath().getParent();
        try {
            apply(top, dir, base);
        } catch (IllegalArgumentException e) { // a check of the whole, after each key's own
            throw new IOException(file + ": " + e.getMessage());
        }
        return base;
    }

    private static void apply(YamlSection top, Path dir, FerrydConfig.Builder b) throws IOException {
        Optional<List<String>> listen = top.strings("listen");
        if (listen.isPresent()) {
            List<HostPort> addresses = new ArrayList<>();
            for (String a : listen.get()) {
                addresses.add(parse(top, "listen", () -> HostPort.parse(a)));
            }
            if (addresses.isEmpty()) {
                throw top.invalid("listen", "lists no address");
            }
            b.listen(addresses);
        }
        Optional<List<String>> keys = top.strings("hostKeys");
        if (keys.isPresent()) {
            b.hostKeys(keys.get().stream().map(dir::resolve).toList());
        }
        Optional<YamlSection> alg = top.section("algorithms");
        if (alg.isPresent()) {
            YamlSection a = alg.get();
            FerrydConfig.AlgorithmSettings was = b.algorithms();
            FerrydConfig.AlgorithmSettings now = new FerrydConfig.AlgorithmSettings(
                    a.string("profile").orElse(was.profile()), a.string("kexAlgorithms").orElse(was.kexAlgorithms()),
                    a.string("ciphers").orElse(was.ciphers()), a.string("macs").orElse(was.macs()),
                    a.string("hostKeyAlgorithms").orElse(was.hostKeyAlgorithms()));
            a.finish();
            // The lists are checked here, so that a name outside the policy points at this file.
            parse(top, "algorithms", () -> AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.parse(now.profile()))
                    .with("ferryd.yaml", now.kexAlgorithms(), now.ciphers(), now.macs(), now.hostKeyAlgorithms()));
            b.algorithms(now);
        }
        Limits limits = b.limits();
        Optional<YamlSection> lim = top.section("limits");
        if (lim.isPresent()) {
            YamlSection l = lim.get();
            limits = new Limits(l.integer("maxAuthTries", 1, 100).orElse(limits.maxAuthTries()),
                    time(l, "loginGraceTime").orElse(limits.authTimeout()),
                    time(l, "idleTimeout").orElse(limits.idleTimeout()),
                    l.integer("maxSessions", 1, 1000).orElse(limits.maxSessionsPerConnection()),
                    l.integer("perSourceMaxStartups", 1, 100_000).orElse(limits.maxUnauthenticatedPerSource()),
                    l.integer("maxStartups", 1, 100_000).orElse(limits.maxUnauthenticated()), limits.bans());
            l.finish();
        }
        Optional<YamlSection> bans = top.section("bans");
        if (bans.isPresent()) {
            YamlSection s = bans.get();
            BanPolicy p = limits.bans();
            int threshold = s.integer("threshold", 1, 1_000_000).orElse(p.threshold());
            Duration window = time(s, "window").orElse(p.window());
            Duration first = time(s, "time").orElse(p.firstBan());
            Duration max = time(s, "maxTime").orElse(p.maxBan());
            List<Network> exempt = new ArrayList<>(p.exempt());
            Optional<List<String>> nets = s.strings("exempt");
            if (nets.isPresent()) {
                exempt.clear();
                for (String n : nets.get()) {
                    exempt.add(parse(s, "exempt", () -> Network.parse(n)));
                }
            }
            s.finish();
            BanPolicy policy = parse(s, "maxTime", () -> p.withThreshold(threshold, window).withBanTimes(first, max));
            limits = limits.withBans(policy.withExempt(exempt));
        }
        b.limits(limits);
        Optional<YamlSection> log = top.section("log");
        if (log.isPresent()) {
            YamlSection l = log.get();
            FerrydConfig.LogSettings was = b.log();
            LogFormat format = was.format();
            Optional<String> f = l.string("format");
            if (f.isPresent()) {
                format = parse(l, "format", () -> LogFormat.parse(f.get()));
            }
            Optional<Path> file = was.file();
            Optional<String> path = l.string("file");
            if (path.isPresent()) {
                file = path.get().equals("stderr") ? Optional.empty() : Optional.of(dir.resolve(path.get()));
            }
            l.finish();
            b.log(new FerrydConfig.LogSettings(format, file));
        }
        Optional<String> metrics = top.string("metrics");
        if (metrics.isPresent()) {
            String m = metrics.get().strip();
            b.metrics(m.equals("off") ? Optional.empty() : Optional.of(parse(top, "metrics", () -> HostPort.parse(m))));
        }
        Optional<YamlSection> transport = top.section("transport");
        if (transport.isPresent()) {
            YamlSection t = transport.get();
            FerrydConfig.TransportSettings was = b.transport();
            Optional<Long> window = size(t, "window").or(was::window);
            Optional<Long> budget = size(t, "receiveBudget").or(was::receiveBudget);
            Optional<String> ipqos = t.string("ipqos").or(was::ipqos);
            if (ipqos.isPresent() && ipqos.get().equals("none")) {
                ipqos = Optional.empty();
            }
            if (ipqos.isPresent()) {
                String q = ipqos.get();
                parse(t, "ipqos", () -> IpQos.parse(q));
            }
            t.finish();
            b.transport(new FerrydConfig.TransportSettings(window, budget, ipqos));
        }
        Optional<YamlSection> users = top.section("users");
        if (users.isPresent()) {
            YamlSection u = users.get();
            Optional<String> file = u.string("file");
            Optional<String> database = u.string("database");
            u.finish();
            if (file.isPresent() && database.isPresent()) {
                throw top.invalid("users", "names both a file and a database: one holds the users");
            }
            file.ifPresent(f -> b.usersFile(dir.resolve(f)));
            database.ifPresent(b::usersDatabase);
        }
        Optional<YamlSection> hook = top.section("hook");
        if (hook.isPresent()) {
            YamlSection h = hook.get();
            Optional<List<String>> command = h.strings("command");
            if (command.isEmpty()) {
                throw top.invalid("hook", "has no 'command'");
            }
            List<String> argv = command.get().size() == 1
                    ? parse(h, "command", () -> ShellWords.split(command.get().get(0))) : command.get();
            List<String> events = h.strings("events").orElse(List.of("upload"));
            Set<Hook.Event> kinds = parse(h, "events", () -> Hook.parseEvents(String.join(",", events)));
            Duration timeout = time(h, "timeout").orElse(Hook.DEFAULT_TIMEOUT);
            h.finish();
            b.hook(Optional.of(parse(h, "command", () -> new Hook(argv, kinds, timeout))));
        }
        Optional<YamlSection> proxy = top.section("proxyProtocol");
        if (proxy.isPresent()) {
            YamlSection pp = proxy.get();
            List<Network> balancers = new ArrayList<>();
            for (String n : pp.strings("from").orElse(List.of())) {
                balancers.add(parse(pp, "from", () -> Network.parse(n)));
            }
            pp.finish();
            b.proxyProtocolFrom(balancers);
        }
        Optional<YamlSection> sftp = top.section("sftp");
        if (sftp.isPresent()) {
            YamlSection s = sftp.get();
            s.bool("inPlace").ifPresent(b::sftpInPlace);
            s.finish();
        }
        Optional<Duration> grace = time(top, "stopGracePeriod", true);
        grace.ifPresent(b::stopGracePeriod);
        top.finish();
    }

    /** {@code config} as a ferryd.yaml that reads back as the same configuration. */
    public static String write(FerrydConfig config) {
        try {
            return "# ferryd's effective configuration (defaults, " + NAME + " and flags)\n"
                    + YAML.writeValueAsString(config.toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the configuration as YAML", e);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** A value whose parser throws IllegalArgumentException, reported at the key's line. */
    private static <T> T parse(YamlSection section, String key, Supplier<T> parser)
            throws IOException {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw section.invalid(key, "is wrong: " + Text.shown(String.valueOf(e.getMessage())));
        }
    }

    private static Optional<Duration> time(YamlSection s, String key) throws IOException {
        return time(s, key, false);
    }

    private static Optional<Duration> time(YamlSection s, String key, boolean zeroAllowed) throws IOException {
        Optional<String> text = s.string(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Duration d = TimeFormat.parse(text.get()).orElseThrow(() -> s.invalid(key,
                "must be a time such as 90s, 10m or 1h, not '" + Text.shown(text.get()) + "'"));
        if (d.isZero() && !zeroAllowed) {
            throw s.invalid(key, "must be longer than 0");
        }
        return Optional.of(d);
    }

    private static Optional<Long> size(YamlSection s, String key) throws IOException {
        Optional<String> text = s.string(key);
        if (text.isEmpty() || text.get().strip().toLowerCase(Locale.ROOT).equals("default")) {
            return Optional.empty();
        }
        try {
            return Optional.of(TransportProfile.parseSize(text.get()));
        } catch (IllegalArgumentException e) {
            throw s.invalid(key, "must be a size such as 64M, not '" + Text.shown(text.get()) + "'");
        }
    }
}
