package dev.ferry.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;
import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Limits;

/**
 * ferryd's metrics, scraped over HTTP as Prometheus does, before and after known work by real
 * clients: each test asserts by how much every counter it touches went up, exactly.
 */
class MetricsTest {

    private static final long BUDGET = 48L * 1024 * 1024;
    private static final int PER_SOURCE = 3;

    /** Three connections authenticating from one address at most; bans out of reach of these tests. */
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture(Limits.DEFAULT.withMaxUnauthenticatedPerSource(PER_SOURCE)
            .withBans(BanPolicy.DEFAULT.withThreshold(1000, Duration.ofMinutes(10))))
            .receiveBudget(BUDGET)
            .configure(server -> server.metrics("127.0.0.1", 0));

    private final OpenSsh ssh = new OpenSsh(ferryd);

    /** Each sample of the text format, {@code name{labels}} to its value. */
    static Map<String, Double> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    private static Map<String, Double> scrape() throws IOException, InterruptedException {
        return scrape(ferryd.server().metricsPort());
    }

    /** How much {@code sample} went up from {@code before} to {@code after}. */
    private static double rise(Map<String, Double> before, Map<String, Double> after, String sample) {
        assertTrue(after.containsKey(sample), sample + " is not in " + after.keySet());
        return after.get(sample) - before.getOrDefault(sample, 0.0);
    }

    /**
     * A scrape once {@code n} connections are open (a client may return before the server has seen
     * its connection close, and one test's connections may still be closing when the next starts).
     */
    private static Map<String, Double> withOpen(double n) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Map<String, Double> samples = scrape();
        while (samples.get("ferryd_connections_open") != n && System.nanoTime() < end) {
            Thread.sleep(20);
            samples = scrape();
        }
        assertEquals(n, samples.get("ferryd_connections_open"), "connections open");
        return samples;
    }

    @Test
    void sftpUploadsAndADownloadOfKnownSizesAreCountedExactly() throws Exception {
        Peers.require("sftp");
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("one.bin"), TestData.random(1_000, 11));
        Files.write(local.resolve("two.bin"), TestData.random(20_000, 12));
        Files.write(local.resolve("three.bin"), TestData.random(300_000, 13));
        Files.write(ferryd.rootOf("alice").resolve("served.bin"), TestData.random(45_678, 14));
        Map<String, Double> before = withOpen(0);

        Proc.Result r = ssh.sftp("alice", local, "put one.bin", "put two.bin", "put three.bin", "get served.bin");
        assertEquals(0, r.exit(), r.all());
        Map<String, Double> after = withOpen(0);

        assertEquals(321_000, rise(before, after, "ferryd_transfer_bytes_total{direction=\"upload\"}"));
        assertEquals(45_678, rise(before, after, "ferryd_transfer_bytes_total{direction=\"download\"}"));
        assertEquals(3, rise(before, after,
                "ferryd_transfers_total{direction=\"upload\",outcome=\"success\",protocol=\"sftp\"}"));
        assertEquals(1, rise(before, after,
                "ferryd_transfers_total{direction=\"download\",outcome=\"success\",protocol=\"sftp\"}"));
        assertEquals(0, rise(before, after,
                "ferryd_transfers_total{direction=\"upload\",outcome=\"failure\",protocol=\"sftp\"}"));
        assertEquals(4, rise(before, after, "ferryd_transfer_duration_seconds_count"));
        assertEquals(4, rise(before, after, "ferryd_transfer_duration_seconds_bucket{le=\"+Inf\"}"));
        assertEquals(1, rise(before, after, "ferryd_connections_total"));
        assertEquals(1, rise(before, after, "ferryd_logins_total{method=\"publickey\",outcome=\"success\"}"));
        assertEquals(0, rise(before, after, "ferryd_logins_total{method=\"publickey\",outcome=\"failure\"}"));
    }

    @Test
    void aWrongPasswordIsOneFailedLogin() throws Exception {
        Map<String, Double> before = withOpen(0);
        SshClient client = ferryd.newClient();
        try (ClientSession session = client.connect("bob", new InetSocketAddress("127.0.0.1", ferryd.port()))
                .verify(10, TimeUnit.SECONDS).getSession()) {
            session.addPasswordIdentity("not bob's password");
            assertThrows(Exception.class, () -> session.auth().verify(10, TimeUnit.SECONDS));
            withOpen(1);
        } finally {
            client.stop();
        }
        Map<String, Double> after = withOpen(0);
        assertEquals(1, rise(before, after, "ferryd_logins_total{method=\"password\",outcome=\"failure\"}"));
        assertEquals(0, rise(before, after, "ferryd_logins_total{method=\"password\",outcome=\"success\"}"));
        assertEquals(1, rise(before, after, "ferryd_connections_total"));
    }

    @Test
    void aConnectionOverThePerSourceLimitIsCountedAsRefused() throws Exception {
        Map<String, Double> before = scrape();
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < PER_SOURCE; i++) {
                Socket s = new Socket("127.0.0.1", ferryd.port());
                s.getInputStream().read(); // the server's greeting: it has taken this connection in
                silent.add(s);
            }
            try (Socket refused = new Socket("127.0.0.1", ferryd.port())) {
                refused.setSoTimeout(10_000);
                InputStream in = refused.getInputStream();
                while (in.read() >= 0) {
                    // closed without a greeting; anything read is not one
                }
            }
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
        Map<String, Double> after = scrape();
        assertEquals(1, rise(before, after, "ferryd_connections_refused_total{reason=\"per-source\"}"));
        assertEquals(0, rise(before, after, "ferryd_connections_refused_total{reason=\"banned\"}"));
        assertEquals(PER_SOURCE + 1, rise(before, after, "ferryd_connections_total")); // refused ones too
    }

    @Test
    void theReceiveBudgetIsShownWithItsCapacity() throws Exception {
        Map<String, Double> now = scrape();
        assertEquals(BUDGET, now.get("ferryd_receive_budget_bytes{state=\"capacity\"}"));
        double inUse = now.get("ferryd_receive_budget_bytes{state=\"in_use\"}");
        assertTrue(inUse >= 0 && inUse <= BUDGET, "in use: " + inUse);
    }
}
