package dev.ferry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerrydProcess;

/**
 * The short form of {@code scripts/bench-load}, run by {@code mvn verify}: 40 sessions from 10
 * addresses (4 each, within the 10 unauthenticated connections ferryd allows an address) copy
 * 256 KiB up and down twice and verify it, while 200 connections that never authenticate come from
 * 10 other addresses (20 each: 10 are let in to wait for their grace time, the rest refused) for 12 s
 * at least, so that the grace time runs out under it; all addresses together may have 60 connections
 * authenticating (--max-startups), as many as the flood's 100. ferryd runs as its own process with a 3 s login grace time and
 * a 256 MiB heap.
 */
class LoadTest {

    /** ferryd's grace time to log in, which bounds how long a flood connection is held. */
    private static final int GRACE_SECONDS = 3;
    private static final LoadPlan SHORT = new LoadPlan(40, 10, 2, 256 << 10, 200, 10, 8, 12);
    /**
     * The flood's 100 connections (10 from each of 10 addresses) fill it, so that the sessions' logins
     * find it full; and when the sessions' 40 are authenticating at once, the flood's addresses still
     * have 6 each, more than a session's address with 4: the sessions displace the flood, never one another.
     */
    private static final int MAX_STARTUPS = 100;
    /** JVM, code, a 256 MiB heap that the serial collector fills before it collects, and MINA's buffers. */
    private static final long RSS_BOUND_MIB = 480;

    @Test
    void fortySessionsCopyAndVerifyWhileTwoHundredConnectionsFloodTheListener(@TempDir Path dir) throws Exception {
        KeyPair key = LoadBenchmark.prepare(dir, SHORT);
        LoadRun.Result r;
        Map<String, Integer> logged;
        try (FerrydProcess ferryd = FerrydProcess.start(dir, List.of("-XX:+UseSerialGC", "-Xmx256m"), "--config",
                dir.resolve("users.yaml").toString(), "--state-dir", dir.resolve("state").toString(), "--listen",
                "127.0.0.1:0", "--log-format", "json", "--login-grace-time", GRACE_SECONDS + "s",
                "--max-startups", String.valueOf(MAX_STARTUPS))) {
            r = new LoadRun(ferryd.port(), ferryd.pid(), LoadBenchmark.fingerprint(ferryd), key, SHORT).run();
            System.out.println(String.join("\n", LoadBenchmark.summary(r, ferryd.stderr())));
            logged = LoadBenchmark.events(ferryd.stderr());
        }
        assertEquals(List.of(), r.errors());
        assertEquals(SHORT.sessions(), r.sessionsOk());
        assertEquals(SHORT.sessions() * SHORT.rounds(), r.verified(), "every file came back identical");
        assertEquals(List.of(), r.floodFailures());
        assertEquals(List.of(), r.probes().stream().map(LoadRun.Probe::error).filter(e -> !e.isEmpty()).toList(),
                "the probe logged in before the sessions, beside them and under the flood");
        assertTrue(r.probes().stream().anyMatch(p -> p.phase() == LoadRun.Phase.FLOOD), "the probe ran under the flood");

        // every flood connection was refused, or closed by ferryd once its grace time was over; none held longer
        LoadBenchmark.FloodCounts flood = LoadBenchmark.FloodCounts.of(r);
        assertTrue(flood.attempts() >= SHORT.flood(), flood.describe());
        assertTrue(flood.refused() > 0, "10 connections an address are admitted, the rest refused: " + flood.describe());
        assertTrue(flood.closedByServer() > 0, "the flood lasted longer than the grace time: " + flood.describe());
        // the grace time, the second MINA's timeout check may take, and the wait in the listen queue on a
        // busy machine; the flood lasts 12 s, so a connection held for good would be older than this at the stop
        double bound = GRACE_SECONDS + 5;
        assertTrue(flood.heldMaxS() < bound, "held at most " + bound + " s: " + flood.describe());
        assertTrue(flood.openAtStopMaxS() < bound, "none open longer than " + bound + " s: " + flood.describe());

        // the global bound took the flood's connections (10 an address) for the sessions' (4 at most)
        assertTrue(logged.keySet().stream().anyMatch(k -> k.contains("(" + MAX_STARTUPS + "), dropped for one")), logged.toString());

        assertTrue(r.peakRssKib() >> 10 < RSS_BOUND_MIB, "ferryd's peak RSS " + (r.peakRssKib() >> 10) + " MiB");
        assertTrue(r.lateLoginMs() >= 0, "ferryd serves a new login after the run: " + r.lateLoginError());
    }
}
