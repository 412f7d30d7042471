package dev.ferry.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.ferry.server.log.ServerEvent;
import dev.ferry.transport.ReceiveBudget;

/** The metrics counted from known events, scraped over HTTP as Prometheus would. */
class MetricsTest {

    private static final long MIB = 1024 * 1024;

    /** The samples served at /metrics: {@code name{labels}} to value. */
    static Map<String, Double> scrape(int port) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toMap(
                l -> l.substring(0, l.lastIndexOf(' ')), l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))));
    }

    @Test
    void countersHistogramAndGaugesFollowTheEvents() throws Exception {
        ReceiveBudget budget = new ReceiveBudget(64 * MIB, 2 * MIB);
        budget.open(8 * MIB);
        try (Metrics metrics = new Metrics()) {
            metrics.watch(() -> 3, budget);
            metrics.accept(new ServerEvent.AuthSucceeded("alice", "r", "publickey", "SHA256:x"));
            metrics.accept(new ServerEvent.AuthFailed("bob", "r", "password", "wrong password"));
            metrics.accept(new ServerEvent.AuthFailed("bob", "r", "password", "unknown user"));
            metrics.accept(new ServerEvent.Transfer("alice", "r", "sftp", "upload", "/a", 1000, 0.02, ""));
            metrics.accept(new ServerEvent.Transfer("alice", "r", "scp", "upload", "/b", 500, 2, "disk full"));
            metrics.accept(new ServerEvent.Transfer("alice", "r", "delta", "download", "/c", 300, 0.2, null));
            metrics.accept(new ServerEvent.ConnectionRefused("10.0.0.1:5", "banned after repeated failures"));
            metrics.accept(new ServerEvent.Banned("10.0.0.1", 10, 60));
            metrics.accept(new ServerEvent.QuotaExceeded("alice", "r", "sftp", "/d", "bytes", 10, 10));
            metrics.accept(new ServerEvent.HookFailed("x", "upload", "/a", "exited with status 1"));
            int port = metrics.serve("127.0.0.1", 0);

            Map<String, Double> s = scrape(port);
            assertEquals(3.0, s.get("ferryd_connections_open"));
            assertEquals(1.0, s.get("ferryd_logins_total{method=\"publickey\",outcome=\"success\"}"));
            assertEquals(2.0, s.get("ferryd_logins_total{method=\"password\",outcome=\"failure\"}"));
            assertEquals(0.0, s.get("ferryd_logins_total{method=\"password\",outcome=\"success\"}"));
            assertEquals(1500.0, s.get("ferryd_transfer_bytes_total{direction=\"upload\"}"));
            assertEquals(300.0, s.get("ferryd_transfer_bytes_total{direction=\"download\"}"));
            assertEquals(1.0, s.get("ferryd_transfers_total{direction=\"upload\",outcome=\"success\",protocol=\"sftp\"}"));
            assertEquals(1.0, s.get("ferryd_transfers_total{direction=\"upload\",outcome=\"failure\",protocol=\"scp\"}"));
            assertEquals(1.0,
                    s.get("ferryd_transfers_total{direction=\"download\",outcome=\"success\",protocol=\"delta\"}"));
            assertEquals(3.0, s.get("ferryd_transfer_duration_seconds_count"));
            assertEquals(1.0, s.get("ferryd_transfer_duration_seconds_bucket{le=\"0.05\"}"));
            assertEquals(2.0, s.get("ferryd_transfer_duration_seconds_bucket{le=\"0.5\"}"));
            assertEquals(2.22, s.get("ferryd_transfer_duration_seconds_sum"), 1e-9);
            assertEquals(1.0, s.get("ferryd_connections_refused_total{reason=\"banned\"}"));
            assertEquals(0.0, s.get("ferryd_connections_refused_total{reason=\"per-source\"}"));
            assertEquals(1.0, s.get("ferryd_bans_total"));
            assertEquals(1.0, s.get("ferryd_quota_refusals_total"));
            assertEquals(1.0, s.get("ferryd_hook_failures_total"));
            assertEquals(64.0 * MIB, s.get("ferryd_receive_budget_bytes{state=\"capacity\"}"));
            assertEquals(8.0 * MIB, s.get("ferryd_receive_budget_bytes{state=\"in_use\"}"));

            budget.close(8 * MIB);
            assertEquals(0.0, scrape(port).get("ferryd_receive_budget_bytes{state=\"in_use\"}"));
        }
    }

    @Test
    void theDefendersReasonsMapToAFixedSet() {
        assertEquals("banned", Metrics.refusal("banned after repeated failures"));
        assertEquals("per-source", Metrics.refusal("too many unauthenticated connections from this address"));
        assertEquals("max-startups",
                Metrics.refusal("too many unauthenticated connections (512), the most from this address"));
        assertEquals("displaced", Metrics.refusal(
                "too many unauthenticated connections (512), dropped for one from an address with fewer"));
        assertEquals("other", Metrics.refusal("something new"));
        assertTrue(Metrics.REFUSALS.containsAll(java.util.List.of("banned", "per-source", "max-startups", "displaced")));
        assertEquals("other", Metrics.method("gssapi-with-mic"));
    }
}
