package dev.ferry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerrydProcess;

/**
 * The short form of {@code scripts/bench-load}, run by {@code mvn verify}: 40 sessions from 10
 * addresses (4 each, within the 10 unauthenticated connections ferryd allows an address) copy
 * 256 KiB up and down twice and verify it, while 200 connections that never authenticate come from
 * 10 other addresses (20 each: 10 are let in to wait for their grace time, the rest refused). ferryd runs as its own process with a 3 s login grace time and
 * a 256 MiB heap.
 */
class LoadTest {

    private static final LoadPlan SHORT = new LoadPlan(40, 10, 2, 256 << 10, 200, 10, 8);
    /** ferryd's grace time to log in, which bounds how long a flood connection is held. */
    private static final int GRACE_SECONDS = 3;
    /** JVM, code, a 256 MiB heap that the serial collector fills before it collects, and MINA's buffers. */
    private static final long RSS_BOUND_MIB = 480;

    @Test
    void fortySessionsCopyAndVerifyWhileTwoHundredConnectionsFloodTheListener(@TempDir Path dir) throws Exception {
        KeyPair key = LoadBenchmark.prepare(dir, SHORT);
        LoadRun.Result r;
        try (FerrydProcess ferryd = FerrydProcess.start(dir, List.of("-XX:+UseSerialGC", "-Xmx256m"), "--config",
                dir.resolve("users.yaml").toString(), "--state-dir", dir.resolve("state").toString(), "--listen",
                "127.0.0.1:0", "--log-format", "json", "--login-grace-time", GRACE_SECONDS + "s")) {
            r = new LoadRun(ferryd.port(), ferryd.pid(), LoadBenchmark.fingerprint(ferryd), key, SHORT).run();
            System.out.println(String.join("\n", LoadBenchmark.summary(r, ferryd.stderr())));
        }
        assertEquals(List.of(), r.errors());
        assertEquals(SHORT.sessions(), r.sessionsOk());
        assertEquals(SHORT.sessions() * SHORT.rounds(), r.verified(), "every file came back identical");
        assertEquals(List.of(), r.floodFailures());

        // every flood connection was refused, or closed by ferryd once its grace time was over; none held longer
        LoadBenchmark.FloodCounts flood = LoadBenchmark.FloodCounts.of(r);
        assertTrue(flood.attempts() >= SHORT.flood(), flood.describe());
        assertTrue(flood.refused() > 0, "10 connections an address are admitted, the rest refused: " + flood.describe());
        assertTrue(flood.closedByServer() > 0, "the flood lasted longer than the grace time: " + flood.describe());
        double bound = GRACE_SECONDS + 3;
        assertTrue(flood.heldMaxS() < bound, "held at most " + bound + " s: " + flood.describe());
        assertTrue(flood.openAtStopMaxS() < bound, "none open longer than " + bound + " s: " + flood.describe());

        assertTrue(r.peakRssKib() >> 10 < RSS_BOUND_MIB, "ferryd's peak RSS " + (r.peakRssKib() >> 10) + " MiB");
        assertTrue(r.lateLoginMs() >= 0, "ferryd serves a new login after the run: " + r.lateLoginError());
    }
}
