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

    /** Default scores; a threshold of 9 (three wrong passwords); bans of 10 min doubling to 40 min. */
    private static final BanPolicy POLICY = BanPolicy.DEFAULT.withThreshold(9, Duration.ofMinutes(1))
            .withBanTimes(Duration.ofMinutes(10), Duration.ofMinutes(40))
            .withExempt(List.of(Network.parse("192.0.2.0/24")));
    private static final Limits LIMITS = Limits.DEFAULT.withBans(POLICY).withMaxUnauthenticatedPerSource(2);

    private final FakeClock clock = new FakeClock();
    private final List<ServerEvent> events = new ArrayList<>();
    private final Defender defender = new Defender(LIMITS, clock, events::add);
    private final InetSocketAddress attacker = remote("203.0.113.5", 40000);
    private final InetAddress attackerAddress = attacker.getAddress();

    private static InetSocketAddress remote(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    private void offend(Offence offence, int times) {
        for (int i = 0; i < times; i++) {
            defender.record(attacker, offence);
        }
    }

    private void connect(InetSocketAddress from) throws IOException {
        defender.admit(from, () -> dropped.add(from));
    }

    /** Connections the defender closed to make room for newer ones. */
    private final List<InetSocketAddress> dropped = new ArrayList<>();

    /** A defender that lets 2 connections an address and 4 in all authenticate at once. */
    private Defender fullAtFour() {
        return new Defender(LIMITS.withMaxUnauthenticated(4), clock, events::add);
    }

    private Defender.Pending connect(Defender d, InetSocketAddress from) throws IOException {
        return d.admit(from, () -> dropped.add(from));
    }

    @Test
    void aFullServerDropsTheOldestConnectionOfTheAddressWithTheMostForANewcomer() throws IOException {
        Defender d = fullAtFour();
        InetSocketAddress first = remote("203.0.113.5", 1);
        connect(d, first);
        connect(d, remote("203.0.113.5", 2));
        connect(d, remote("198.51.100.7", 1));
        connect(d, remote("198.51.100.8", 1));
        assertEquals(4, d.unauthenticated());
        assertTrue(dropped.isEmpty());

        connect(d, remote("198.51.100.9", 1)); // 203.0.113.5 has 2, the newcomer's address would have 1
        assertEquals(List.of(first), dropped, "the oldest of the address with the most");
        assertEquals(4, d.unauthenticated());
        assertTrue(events.stream().anyMatch(e -> e instanceof ServerEvent.ConnectionRefused r
                && r.remote().equals("203.0.113.5:1") && r.reason().contains("dropped")), events.toString());
    }

    @Test
    void aFullServerRefusesANewcomerWhoseAddressWouldHaveAsManyAsTheBusiest() throws IOException {
        Defender d = fullAtFour();
        connect(d, remote("203.0.113.5", 1));
        connect(d, remote("203.0.113.5", 2));
        connect(d, remote("198.51.100.7", 1));
        connect(d, remote("198.51.100.8", 1));
        IOException refused = assertThrows(IOException.class, () -> connect(d, remote("198.51.100.7", 2)));
        assertTrue(refused.getMessage().contains("too many unauthenticated connections (4)"), refused.getMessage());
        assertTrue(dropped.isEmpty(), "a swap between equals makes nothing fairer");
        assertEquals(4, d.unauthenticated());
    }

    @Test
    void aDroppedConnectionIsNotCountedTwiceWhenItCloses() throws IOException {
        Defender d = fullAtFour();
        Defender.Pending oldest = connect(d, remote("203.0.113.5", 1));
        Defender.Pending second = connect(d, remote("203.0.113.5", 2));
        connect(d, remote("198.51.100.7", 1));
        connect(d, remote("198.51.100.8", 1));
        connect(d, remote("198.51.100.9", 1)); // drops the oldest
        d.release(oldest); // its session closes
        assertEquals(4, d.unauthenticated());
        d.release(second); // the other logs in
        assertEquals(3, d.unauthenticated());
        assertDoesNotThrow(() -> connect(d, remote("198.51.100.10", 1)));
        assertEquals(List.of(remote("203.0.113.5", 1)), dropped);
    }

    @Test
    void wrongPasswordsBelowTheThresholdDoNotBan() {
        offend(Offence.WRONG_CREDENTIALS, 2);
        assertFalse(defender.isBanned(attackerAddress));
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void reachingTheThresholdBansTheAddressAndSaysSo() {
        offend(Offence.WRONG_CREDENTIALS, 3);
        assertTrue(defender.isBanned(attackerAddress));
        assertEquals(List.of(new ServerEvent.Banned("203.0.113.5", 9, 600)), events);
    }

    @Test
    void offencesWeighByKind() {
        offend(Offence.NO_GREETING, 1000);
        assertFalse(defender.isBanned(attackerAddress), "health checks and port scans cost nothing");
        offend(Offence.FAILED_KEY_EXCHANGE, 8);
        assertFalse(defender.isBanned(attackerAddress), "a client that cannot negotiate costs little");
        offend(Offence.NO_LOGIN, 1);
        assertTrue(defender.isBanned(attackerAddress), "but it adds up");
    }

    @Test
    void aBanOnlyAffectsItsOwnAddress() {
        offend(Offence.WRONG_CREDENTIALS, 3);
        assertFalse(defender.isBanned(remote("203.0.113.6", 1).getAddress()));
    }

    @Test
    void theBanExpiresAndGrowsOnRepeatUpToTheLongest() {
        Duration[] expected = {Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(40), Duration.ofMinutes(40)};
        for (Duration ban : expected) {
            offend(Offence.WRONG_CREDENTIALS, 3);
            clock.advance(ban.minusSeconds(1));
            assertTrue(defender.isBanned(attackerAddress), "banned for " + ban);
            clock.advance(Duration.ofSeconds(1));
            assertFalse(defender.isBanned(attackerAddress), "free after " + ban);
        }
        assertEquals(List.of(600L, 1200L, 2400L, 2400L), events.stream().map(e -> ((ServerEvent.Banned) e).banSeconds()).toList());
    }

    @Test
    void repeatsAreForgottenAfterALongestBanOfQuiet() {
        offend(Offence.WRONG_CREDENTIALS, 3);
        clock.advance(Duration.ofMinutes(10 + 41));
        offend(Offence.WRONG_CREDENTIALS, 3);
        assertEquals(600L, ((ServerEvent.Banned) events.get(1)).banSeconds(), "a first offender again");
    }

    @Test
    void offencesOlderThanTheWindowDoNotCount() {
        offend(Offence.WRONG_CREDENTIALS, 2);
        clock.advance(Duration.ofSeconds(61));
        offend(Offence.WRONG_CREDENTIALS, 2);
        assertFalse(defender.isBanned(attackerAddress));
        offend(Offence.WRONG_CREDENTIALS, 1);
        assertTrue(defender.isBanned(attackerAddress));
    }

    @Test
    void anExemptAddressIsNeverBannedNorLimited() throws IOException {
        InetSocketAddress balancer = remote("192.0.2.10", 1);
        for (int i = 0; i < 100; i++) {
            defender.record(balancer, Offence.WRONG_CREDENTIALS);
            connect(remote("192.0.2.10", 1000 + i));
        }
        assertFalse(defender.isBanned(balancer.getAddress()));
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void aBanCanBeListedAndLifted() {
        offend(Offence.WRONG_CREDENTIALS, 3);
        List<Defender.Ban> bans = defender.bans();
        assertEquals(1, bans.size());
        assertEquals(attackerAddress, bans.get(0).address());
        assertEquals(clock.instant().plus(Duration.ofMinutes(10)), bans.get(0).until());
        assertTrue(defender.lift(attackerAddress));
        assertFalse(defender.isBanned(attackerAddress));
        assertFalse(defender.lift(attackerAddress), "nothing left to lift");
        offend(Offence.WRONG_CREDENTIALS, 3);
        assertEquals(600L, ((ServerEvent.Banned) events.get(1)).banSeconds(), "a lifted ban is not a repeat");
    }

    @Test
    void anAddressIsAcceptedAgainOnceItsBanHasExpired() {
        offend(Offence.WRONG_CREDENTIALS, 3);
        clock.advance(Duration.ofMinutes(10));
        assertDoesNotThrow(() -> connect(attacker));
        assertFalse(defender.isBanned(attackerAddress));
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
        defender.record(null, Offence.WRONG_CREDENTIALS);
        for (int i = 0; i < 5; i++) {
            connect(null);
        }
        assertTrue(events.isEmpty());
    }

    @Test
    void networksMatchByPrefixAndRefuseNames() {
        Network net = Network.parse("10.1.0.0/17");
        assertTrue(net.contains(remote("10.1.127.255", 1).getAddress()));
        assertFalse(net.contains(remote("10.1.128.0", 1).getAddress()));
        assertFalse(net.contains(remote("::1", 1).getAddress()), "families do not mix");
        assertTrue(Network.parse("::1").contains(remote("::1", 1).getAddress()));
        assertTrue(Network.parse("0.0.0.0/0").contains(remote("8.8.8.8", 1).getAddress()));
        assertThrows(IllegalArgumentException.class, () -> Network.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> Network.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> Network.parse("10.0.0.0/x"));
    }

    @Test
    void addressesThatOffendedOnceLongAgoAreForgotten() {
        for (int i = 0; i < 2000; i++) {
            defender.record(remote("198.18." + (i / 250) + "." + (i % 250), 1), Offence.NO_LOGIN);
        }
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 1024; i++) {
            defender.record(attacker, Offence.NO_GREETING); // scores nothing, but sweeps
            defender.record(remote("198.19.0.1", 1), Offence.NO_LOGIN);
        }
        assertTrue(defender.rememberedAddresses() <= 2, "the old addresses are gone: " + defender.rememberedAddresses());
    }
}
