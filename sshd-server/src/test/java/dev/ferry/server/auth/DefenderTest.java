package dev.ferry.server.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ferry.server.log.ServerEvent;

class DefenderTest {

    /** A clock that stands still until told to move. */
    private static final class FakeClock extends Clock {
        private Instant now = Instant.parse("2025-06-01T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private static final Limits LIMITS = Limits.DEFAULT
            .withBan(3, Duration.ofMinutes(1), Duration.ofMinutes(10))
            .withMaxUnauthenticatedPerSource(2);

    private final FakeClock clock = new FakeClock();
    private final List<ServerEvent> events = new ArrayList<>();
    private final Defender defender = new Defender(LIMITS, clock, events::add);
    private final InetSocketAddress attacker = remote("203.0.113.5", 40000);
    private final InetAddress attackerAddress = attacker.getAddress();

    private static InetSocketAddress remote(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    private void failTimes(int times) {
        for (int i = 0; i < times; i++) {
            defender.recordFailure(attacker);
        }
    }

    private void connect(InetSocketAddress from) throws IOException {
        defender.admit(from);
    }

    @Test
    void failuresBelowTheThresholdDoNotBan() {
        failTimes(2);
        assertFalse(defender.isBanned(attackerAddress));
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void reachingTheThresholdBansTheAddressAndSaysSo() {
        failTimes(3);
        assertTrue(defender.isBanned(attackerAddress));
        assertEquals(List.of(new ServerEvent.Banned("203.0.113.5", 3, 600)), events);
    }

    @Test
    void aBanOnlyAffectsItsOwnAddress() {
        failTimes(3);
        assertFalse(defender.isBanned(remote("203.0.113.6", 1).getAddress()));
    }

    @Test
    void theBanExpiresAfterBanDuration() {
        failTimes(3);
        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        assertTrue(defender.isBanned(attackerAddress));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(defender.isBanned(attackerAddress));
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        failTimes(2);
        clock.advance(Duration.ofSeconds(61));
        failTimes(2);
        assertFalse(defender.isBanned(attackerAddress));
        failTimes(1);
        assertTrue(defender.isBanned(attackerAddress));
    }

    @Test
    void aBannedAddressIsRefusedAtConnectionAndTheRefusalIsReported() {
        failTimes(3);
        IOException e = assertThrows(IOException.class, () -> connect(attacker));
        assertTrue(e.getMessage().contains("banned"), e.getMessage());
        ServerEvent last = events.get(events.size() - 1);
        assertEquals(new ServerEvent.ConnectionRefused("203.0.113.5:40000", "banned after repeated failures"), last);
    }

    @Test
    void anAddressIsAcceptedAgainOnceItsBanHasExpired() {
        failTimes(3);
        clock.advance(Duration.ofMinutes(10));
        assertDoesNotThrow(() -> connect(attacker));
    }

    @Test
    void tooManyUnauthenticatedConnectionsFromOneAddressAreRefused() throws IOException {
        connect(attacker);
        connect(remote("203.0.113.5", 40001));
        assertThrows(IOException.class, () -> connect(remote("203.0.113.5", 40002)));
        assertTrue(events.get(0) instanceof ServerEvent.ConnectionRefused r && r.reason().contains("unauthenticated"),
                events.toString());
        assertDoesNotThrow(() -> connect(remote("198.51.100.7", 40000)));
    }

    @Test
    void addressesThatAreNotInternetSocketsAreIgnored() throws IOException {
        defender.recordFailure(null);
        for (int i = 0; i < 5; i++) {
            connect(null);
        }
        assertTrue(events.isEmpty());
    }
}
