package dev.ferry.server.rate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import dev.ferry.server.auth.UserLimits;

/** The token buckets on a fake clock: each wait is the ticker's time passing, nothing sleeps. */
class BandwidthTest {

    private static final long MIB = 1024 * 1024;

    /** A clock that moves only when someone sleeps on it. */
    private static final class FakeTicker implements Ticker {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(long nanos) {
            now += nanos;
        }

        void advanceSeconds(double seconds) {
            now += (long) (seconds * 1e9);
        }

        double seconds(long since) {
            return (now - since) / 1e9;
        }
    }

    private final FakeTicker ticker = new FakeTicker();
    private final Map<String, UserLimits> users = new ConcurrentHashMap<>();
    private final Bandwidth bandwidth = new Bandwidth(u -> users.getOrDefault(u, UserLimits.NONE), ticker);

    private static UserLimits rates(long upload, long download) {
        return new UserLimits(0, 0, upload, download, 0);
    }

    /** Passes {@code total} bytes in SFTP-sized pieces. */
    private static void passInPieces(Bandwidth.Throttle throttle, long total, int piece) throws IOException {
        for (long left = total; left > 0; left -= piece) {
            throttle.pass(Math.min(piece, left));
        }
    }

    @Test
    void aTransferTakesItsSizeOverTheRateLessOneBurst() throws IOException {
        users.put("alice", rates(2 * MIB, 0));
        long start = ticker.nanoTime();
        passInPieces(bandwidth.upload("alice"), 10 * MIB, 32 * 1024);
        // the bucket starts full: an eighth of a second's worth goes at once
        assertEquals((10 * MIB - 2 * MIB / 8) / (2.0 * MIB), ticker.seconds(start), 0.001);
    }

    @Test
    void oneLargeWriteIsHeldToTheRateAsManySmallOnesAre() throws IOException {
        users.put("alice", rates(0, MIB));
        long start = ticker.nanoTime();
        bandwidth.download("alice").pass(4 * MIB);
        assertEquals((4 * MIB - MIB / 8) / (double) MIB, ticker.seconds(start), 0.001);
    }

    @Test
    void aUserWithoutARateNeverWaits() throws IOException {
        users.put("alice", rates(2 * MIB, 0));
        long start = ticker.nanoTime();
        passInPieces(bandwidth.download("alice"), 100 * MIB, 256 * 1024);
        passInPieces(bandwidth.upload("bob"), 100 * MIB, 256 * 1024);
        assertEquals(0, ticker.seconds(start));
    }

    @Test
    void twoTransfersOfOneUserShareTheRate() throws IOException {
        users.put("alice", rates(MIB, 0));
        Bandwidth.Throttle first = bandwidth.upload("alice");
        Bandwidth.Throttle second = bandwidth.upload("alice");
        long start = ticker.nanoTime();
        for (int i = 0; i < 64; i++) { // interleaved, as two channels' threads would take turns
            first.pass(64 * 1024);
            second.pass(64 * 1024);
        }
        assertEquals((8 * MIB - MIB / 8) / (double) MIB, ticker.seconds(start), 0.001);
    }

    @Test
    void usersAndDirectionsHaveBucketsOfTheirOwn() throws IOException {
        users.put("alice", rates(MIB, MIB));
        users.put("bob", rates(MIB, MIB));
        bandwidth.upload("alice").pass(2 * MIB);
        long start = ticker.nanoTime();
        bandwidth.download("alice").pass(MIB / 8);
        bandwidth.upload("bob").pass(MIB / 8);
        assertEquals(0, ticker.seconds(start), "each a full bucket, untouched by alice's upload");
    }

    @Test
    void aPauseSavesNoMoreThanOneBurst() throws IOException {
        users.put("alice", rates(MIB, 0));
        bandwidth.upload("alice").pass(MIB);
        ticker.advanceSeconds(60);
        long start = ticker.nanoTime();
        bandwidth.upload("alice").pass(2 * MIB);
        assertEquals((2 * MIB - MIB / 8) / (double) MIB, ticker.seconds(start), 0.001);
    }

    @Test
    void aChangedRateTakesEffectAtTheNextBytes() throws IOException {
        users.put("alice", rates(MIB, 0));
        Bandwidth.Throttle throttle = bandwidth.upload("alice");
        passInPieces(throttle, 2 * MIB, 32 * 1024);
        users.put("alice", rates(4 * MIB, 0)); // the users file reloaded
        long start = ticker.nanoTime();
        passInPieces(throttle, 8 * MIB, 32 * 1024);
        assertEquals(2.0, ticker.seconds(start), 0.05);
        users.put("alice", UserLimits.NONE);
        start = ticker.nanoTime();
        passInPieces(throttle, 8 * MIB, 32 * 1024);
        assertEquals(0, ticker.seconds(start));
    }

    @Test
    void aThrottledStreamPassesEveryByteOnAtTheRate() throws IOException {
        users.put("alice", rates(0, MIB));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        long start = ticker.nanoTime();
        try (OutputStream out = bandwidth.download("alice").wrap(sink)) {
            out.write(new byte[3 * (int) MIB]);
            out.write(7);
        }
        assertEquals(3 * MIB + 1, sink.size());
        assertTrue(ticker.seconds(start) > 2.8 && ticker.seconds(start) < 2.9, "waited " + ticker.seconds(start));
    }
}
