package dev.ferry.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class WindowCreditTest {

    private static final long MIB = TransportProfile.MIB;

    @Test
    void aGibOfDataCostsAnEighthOfAWindowPerAdjustment() {
        WindowCredit credit = new WindowCredit(ReceiveBudget.unlimited(), 64 * MIB);
        long granted = 0;
        for (long done = 0; done < 1024 * MIB; done += 128 * 1024) {
            long grant = credit.release(128 * 1024);
            assertTrue(grant == 0 || grant >= 8 * MIB, "small adjustment of " + grant);
            granted += grant;
        }
        assertEquals(128, credit.adjusts());
        assertEquals(1024 * MIB, granted);
        assertEquals(64 * MIB, credit.outstanding());
    }

    @Test
    void neverGrantsMoreThanWasReleased() {
        Random random = new Random(7);
        ReceiveBudget budget = new ReceiveBudget(16 * MIB, 2 * MIB);
        WindowCredit credit = new WindowCredit(budget, budget.open(8 * MIB));
        long released = 0;
        long granted = 0;
        for (int i = 0; i < 100_000; i++) {
            long len = 1 + random.nextInt(300_000);
            released += len;
            granted += credit.release(len);
            assertTrue(granted <= released, "granted " + granted + " of " + released);
        }
    }

    @Test
    void theFirstChannelsGetWhatIsFreeAndLaterOnesTheFloor() {
        ReceiveBudget budget = new ReceiveBudget(128 * MIB, 2 * MIB);
        assertEquals(64 * MIB, budget.open(64 * MIB));
        assertEquals(64 * MIB, budget.open(64 * MIB));
        assertEquals(2 * MIB, budget.open(64 * MIB));
        assertEquals(3, budget.channels());
    }

    /** Twenty uploads onto a slow disk: what the server holds stays within the budget plus the floors. */
    @Test
    void manyChannelsOnASlowConsumerStayWithinTheBudgetAndNoneStarves() {
        long capacity = 128 * MIB;
        long floor = 2 * MIB;
        ReceiveBudget budget = new ReceiveBudget(capacity, floor);
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            peers.add(new Peer(budget, 64 * MIB));
        }
        long bound = capacity + 20 * floor;
        Random random = new Random(1);
        for (int round = 0; round < 20_000; round++) {
            for (Peer p : peers) {
                p.send(128 * 1024); // the network is fast
            }
            peers.get(random.nextInt(peers.size())).consume(512 * 1024); // the disk serves one at a time
            long held = peers.stream().mapToLong(p -> p.window + p.queued).sum();
            assertEquals(budget.granted(), held);
            assertTrue(held <= bound, "held " + held + " > " + bound);
        }
        for (Peer p : peers) {
            assertTrue(p.consumed > 100 * MIB, "a channel starved: " + p.consumed);
            // After the crowd arrived, no channel is owed more than its share plus what is queued.
            assertTrue(p.window <= Math.max(floor, capacity / 20), "window " + p.window);
        }
    }

    @Test
    void closingGivesTheWindowBackOnce() {
        ReceiveBudget budget = new ReceiveBudget(128 * MIB, 2 * MIB);
        WindowCredit credit = new WindowCredit(budget, budget.open(64 * MIB));
        credit.release(MIB);
        credit.close();
        credit.close();
        assertEquals(0, budget.granted());
        assertEquals(0, budget.channels());
        assertEquals(0, credit.release(MIB));
    }

    @Test
    void aBudgetBelowItsFloorIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReceiveBudget(MIB, 2 * MIB));
        assertThrows(IllegalArgumentException.class, () -> new ReceiveBudget(128 * MIB, 1024));
    }

    /** One sender and its receiving channel: the window the sender may use and the bytes queued. */
    private static final class Peer {
        final WindowCredit credit;
        long window;
        long queued;
        long consumed;

        Peer(ReceiveBudget budget, long wanted) {
            this.window = budget.open(wanted);
            this.credit = new WindowCredit(budget, window);
        }

        void send(long max) {
            long n = Math.min(max, window);
            window -= n;
            queued += n;
        }

        void consume(long max) {
            long n = Math.min(max, queued);
            if (n > 0) {
                queued -= n;
                consumed += n;
                window += credit.release(n);
            }
        }
    }
}
