package dev.ferry.it.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.it.support.Postgres;
import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Defender;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.Offence;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.postgres.PostgresUsers;

/**
 * Two nodes' defenders sharing their offences and bans through one PostgreSQL (each with its own
 * pool, as two ferryd processes have): an address's offences add up whichever node they hit, a ban
 * made by one is in force on the other, bans expire and grow on repeat across nodes, a lift on one
 * lifts on both, and while the database is down each node bans alone and shares its bans once the
 * database is back. A clock of the test's stands in for both nodes' (synchronised) clocks.
 */
class SharedBansTest {

    /** Default scores (a wrong password 3), threshold 30: ten wrong passwords ban; bans of 1 min doubling to 8. */
    private static final BanPolicy POLICY = BanPolicy.DEFAULT.withBanTimes(Duration.ofMinutes(1), Duration.ofMinutes(8));
    private static final Duration SYNC = Duration.ofMillis(100);

    private static Postgres postgres;
    private static int databases;

    private final TestClock clock = new TestClock();
    private PostgresUsers storeA;
    private PostgresUsers storeB;
    private Node a;
    private Node b;
    private final InetSocketAddress attacker = new InetSocketAddress("203.0.113.9", 40000);

    /** A node's defender and what it logged. */
    private record Node(Defender defender, List<ServerEvent> events) {
        long count(Class<? extends ServerEvent> type) {
            return events.stream().filter(type::isInstance).count();
        }

        boolean bans(InetAddress address) {
            return defender.isBanned(address);
        }
    }

    /** The nodes' clock: both read it, the test moves it; in microseconds, as PostgreSQL keeps times. */
    private static final class TestClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now().truncatedTo(ChronoUnit.MICROS));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
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

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = Postgres.launch();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void twoNodes() throws Exception {
        String url = postgres.newDatabase("bans" + ++databases);
        storeA = PostgresUsers.open(url);
        storeB = PostgresUsers.open(url);
        a = node(storeA);
        b = node(storeB);
    }

    private Node node(PostgresUsers store) {
        List<ServerEvent> events = new CopyOnWriteArrayList<>();
        Defender defender = new Defender(Limits.DEFAULT.withBans(POLICY), clock, events::add);
        defender.share(store.bans(), SYNC);
        return new Node(defender, events);
    }

    @AfterEach
    void stopNodes() {
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                n.defender().stopSharing();
            }
        }
        storeA.close();
        storeB.close();
    }

    private void wrongPasswords(Node node, int times) {
        for (int i = 0; i < times; i++) {
            node.defender().record(attacker, Offence.WRONG_CREDENTIALS);
        }
    }

    @Test
    void wrongPasswordsSplitOverTwoNodesAddUpToOneBanEnforcedByBoth() throws Exception {
        wrongPasswords(a, 5);
        wrongPasswords(b, 4);
        Thread.sleep(5 * SYNC.toMillis());
        assertFalse(a.bans(attacker.getAddress()) || b.bans(attacker.getAddress()), "nine are not enough");

        wrongPasswords(b, 1);
        waitFor(() -> b.bans(attacker.getAddress()) && a.bans(attacker.getAddress()));
        assertEquals(1, b.count(ServerEvent.Banned.class), "the node whose offence reached the threshold bans");
        ServerEvent.Banned banned = (ServerEvent.Banned) b.events().stream().filter(ServerEvent.Banned.class::isInstance)
                .findFirst().orElseThrow();
        assertEquals(List.of("203.0.113.9", 30, 60L), List.of(banned.address(), banned.score(), banned.banSeconds()));
        assertEquals(0, a.count(ServerEvent.Banned.class));
        assertEquals(1, a.count(ServerEvent.BanLearned.class), "the other learns it: " + a.events());
        assertFalse(a.bans(InetAddress.getByName("203.0.113.10")), "another address is not banned");
    }

    @Test
    void twoNodesScoringOneAddressAtOnceMakeOneBan() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[2];
        Node[] nodes = {a, b};
        for (int i = 0; i < 2; i++) {
            Node node = nodes[i];
            threads[i] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                wrongPasswords(node, 10);
            });
            threads[i].start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        waitFor(() -> a.bans(attacker.getAddress()) && b.bans(attacker.getAddress()));
        Thread.sleep(5 * SYNC.toMillis()); // whatever was queued has been judged
        assertEquals(1, a.count(ServerEvent.Banned.class) + b.count(ServerEvent.Banned.class),
                "one ban: " + a.events() + b.events());
    }

    @Test
    void aBanExpiresOnBothNodesAndTheNextLastsTwiceAsLongWhicheverNodeMakesIt() throws Exception {
        wrongPasswords(a, 10);
        waitFor(() -> a.bans(attacker.getAddress()) && b.bans(attacker.getAddress()));
        clock.advance(Duration.ofSeconds(61));
        assertFalse(a.bans(attacker.getAddress()) || b.bans(attacker.getAddress()), "expired on both");

        wrongPasswords(b, 10);
        waitFor(() -> a.bans(attacker.getAddress()) && b.bans(attacker.getAddress()));
        Defender.Ban second = a.defender().ban(attacker.getAddress());
        assertNotNull(second);
        assertEquals(Duration.ofMinutes(2), Duration.between(clock.instant(), second.until()),
                "the second ban, made by the other node, lasts twice the first");
    }

    @Test
    void aBanLiftedOnOneNodeIsLiftedOnTheOther() throws Exception {
        wrongPasswords(a, 10);
        waitFor(() -> a.bans(attacker.getAddress()) && b.bans(attacker.getAddress()));
        assertTrue(b.defender().lift(attacker.getAddress()));
        waitFor(() -> !a.bans(attacker.getAddress()));
        Thread.sleep(5 * SYNC.toMillis());
        assertFalse(b.bans(attacker.getAddress()) || a.bans(attacker.getAddress()), "lifted for good");
    }

    @Test
    void whileTheDatabaseIsDownANodeBansAloneAndSharesTheBanOnceItIsBack() throws Exception {
        postgres.stop();
        try {
            wrongPasswords(a, 3); // scored in the store, which fails: from then on the node judges alone
            waitFor(() -> a.count(ServerEvent.BanStoreUnavailable.class) == 1);
            wrongPasswords(a, 10);
            assertTrue(a.bans(attacker.getAddress()), "banned alone, at once: " + a.events());
            assertEquals(1, a.count(ServerEvent.Banned.class));
            Thread.sleep(5 * SYNC.toMillis());
            assertFalse(b.bans(attacker.getAddress()), "the other node cannot know yet");
        } finally {
            postgres.start();
        }
        waitFor(() -> b.bans(attacker.getAddress()));
        assertEquals(1, a.count(ServerEvent.BanStoreAvailable.class), a.events().toString());
        assertEquals(1, a.count(ServerEvent.BanStoreUnavailable.class), "one line per outage: " + a.events());
        assertEquals(1, b.count(ServerEvent.BanLearned.class));
        assertEquals(a.defender().ban(attacker.getAddress()).until(), b.defender().ban(attacker.getAddress()).until());
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(20);
        }
    }
}
