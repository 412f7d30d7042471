package dev.ferry.server.metrics;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntSupplier;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.transport.ReceiveBudget;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * One server's metrics: counters fed by its events (this is an {@link EventSink}, teed with the
 * log), gauges that read live state when scraped, and the HTTP listener that serves them at
 * {@code /metrics}. Each server has a registry of its own, never Prometheus's default one, so that
 * several servers in one JVM (the tests) count apart.
 */
public final class Metrics implements EventSink, AutoCloseable {

    /** Upper bounds of the transfer duration histogram, in seconds: from a small file to a large one on a slow link. */
    static final double[] DURATION_BUCKETS = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800};

    static final Set<String> METHODS = Set.of("publickey", "password", "keyboard-interactive", "hostbased");
    static final List<String> PROTOCOLS = List.of("sftp", "scp", "delta");
    static final List<String> DIRECTIONS = List.of("upload", "download");
    static final List<String> OUTCOMES = List.of("success", "failure");
    /** Why a connection or login is refused ({@link #refusal}), and {@code other}. */
    static final List<String> REFUSALS = List.of("banned", "per-source", "max-startups", "displaced", "user-sessions",
            "other");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter connections = Counter.builder().name("ferryd_connections_total")
            .help("Connections the server took, those it then refused included (see ferryd_connections_refused_total)")
            .register(registry);
    private final Counter refused = Counter.builder().name("ferryd_connections_refused_total")
            .help("Connections and logins refused, by reason").labelNames("reason").register(registry);
    private final Counter logins = Counter.builder().name("ferryd_logins_total")
            .help("Authentication attempts, by method and outcome (each key a client offers and is refused is one failure)")
            .labelNames("method", "outcome").register(registry);
    private final Counter bans = Counter.builder().name("ferryd_bans_total")
            .help("Source addresses banned after repeated failures").register(registry);
    private final Counter bytes = Counter.builder().name("ferryd_transfer_bytes_total")
            .help("File bytes moved, by direction (upload: client to server), failed transfers' included")
            .labelNames("direction").register(registry);
    private final Counter transfers = Counter.builder().name("ferryd_transfers_total")
            .help("Files transferred, by protocol, direction and outcome").labelNames("protocol", "direction", "outcome")
            .register(registry);
    private final Histogram durations = Histogram.builder().name("ferryd_transfer_duration_seconds")
            .help("How long each file transfer took, failed ones included").classicOnly()
            .classicUpperBounds(DURATION_BUCKETS).register(registry);
    private final Counter quota = Counter.builder().name("ferryd_quota_refusals_total")
            .help("Uploads refused or stopped by a user's quota").register(registry);
    private final Counter hookFailures = Counter.builder().name("ferryd_hook_failures_total")
            .help("Runs of the event hook that failed, timed out, or were dropped").register(registry);
    private HTTPServer http;

    /** Every series of a fixed label set exists from the start, at 0, so that a rate is right from the first scrape. */
    public Metrics() {
        REFUSALS.forEach(refused::initLabelValues);
        for (String outcome : OUTCOMES) {
            logins.initLabelValues("publickey", outcome);
            logins.initLabelValues("password", outcome);
            for (String direction : DIRECTIONS) {
                PROTOCOLS.forEach(protocol -> transfers.initLabelValues(protocol, direction, outcome));
            }
        }
        DIRECTIONS.forEach(bytes::initLabelValues);
    }

    /**
     * Reads the server's live state when scraped: {@code open} connections, and the receive budget's
     * bytes granted and capacity. Also counts each connection through a session listener.
     */
    public SessionListener watch(IntSupplier open, ReceiveBudget budget) {
        GaugeWithCallback.builder().name("ferryd_connections_open").help("Connections open now")
                .callback(cb -> cb.call(open.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("ferryd_receive_budget_bytes")
                .help("Bytes the clients together may have in flight towards the server (capacity) "
                        + "and the part of it granted now (in_use)")
                .labelNames("state").callback(cb -> {
                    cb.call(budget.granted(), "in_use");
                    cb.call(budget.capacity(), "capacity");
                }).register(registry);
        return new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                connections.inc();
            }
        };
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Serves the metrics at {@code http://host:port/metrics}; returns the port bound (useful with 0). */
    public int serve(String host, int port) throws IOException {
        http = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        return http.getPort();
    }

    /** The port the metrics are served on, or -1 before {@link #serve}. */
    public int port() {
        return http == null ? -1 : http.getPort();
    }

    @Override
    public void accept(ServerEvent event) {
        if (event instanceof ServerEvent.ConnectionRefused r) {
            refused.labelValues(refusal(r.reason())).inc();
        } else if (event instanceof ServerEvent.UserSessionsExceeded) {
            refused.labelValues("user-sessions").inc();
        } else if (event instanceof ServerEvent.AuthSucceeded a) {
            logins.labelValues(method(a.method()), "success").inc();
        } else if (event instanceof ServerEvent.AuthFailed a) {
            logins.labelValues(method(a.method()), "failure").inc();
        } else if (event instanceof ServerEvent.Banned) {
            bans.inc();
        } else if (event instanceof ServerEvent.Transfer t) {
            transfer(t);
        } else if (event instanceof ServerEvent.QuotaExceeded) {
            quota.inc();
        } else if (event instanceof ServerEvent.HookFailed) {
            hookFailures.inc();
        }
    }

    private void transfer(ServerEvent.Transfer t) {
        String direction = "upload".equals(t.direction()) ? "upload" : "download";
        boolean ok = t.error() == null || t.error().isEmpty();
        bytes.labelValues(direction).inc(Math.max(0, t.bytes()));
        transfers.labelValues(PROTOCOLS.contains(t.protocol()) ? t.protocol() : "other", direction,
                ok ? "success" : "failure").inc();
        durations.observe(Math.max(0, t.seconds()));
    }

    /** The reason of a refusal as a label from a fixed set (the logged reason has numbers in it). */
    static String refusal(String reason) {
        String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
        if (r.contains("banned")) {
            return "banned";
        } else if (r.contains("dropped for one")) {
            return "displaced";
        } else if (r.contains("from this address")) {
            return r.startsWith("too many unauthenticated connections from") ? "per-source" : "max-startups";
        }
        return "other";
    }

    static String method(String method) {
        return METHODS.contains(method) ? method : "other";
    }

    /** Stops serving the metrics. */
    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
    }
}
