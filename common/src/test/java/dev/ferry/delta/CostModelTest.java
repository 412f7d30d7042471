package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CostModelTest {

    private static final long GIB = 1L << 30;
    private static final double NAN = Double.NaN;

    @Test
    void theFormulaOfTheIssue() {
        // S = 1 GiB, c = 10 %, R = 1 GB/s, W = 0.5 GB/s, N = 0.1 GB/s
        double expected = GIB / 1e9 + 0.9 * GIB / 1e9 + GIB / 0.5e9 + 0.1 * GIB / 0.1e9;
        assertEquals(expected, CostModel.deltaSeconds(GIB, 0.1, 1e9, 0.5e9, 0.1e9), 1e-9);
        assertEquals(GIB / 0.1e9, CostModel.wholeSeconds(GIB, 1e9, 0.5e9, 0.1e9), 1e-9);
        assertEquals(GIB / 0.5e9, CostModel.wholeSeconds(GIB, 1e9, 0.5e9, 10e9), 1e-9, "the disk sets the pace");
    }

    @Test
    void aSlowNetworkWantsADeltaAFastOneTheWholeFile() {
        // a disk at 500 MB/s both ways: delta of an unchanged file costs 3 S / 500 MB/s
        assertFalse(CostModel.wholeIsFaster(GIB, 0.05, 500e6, 500e6, 100e6), "100 MB/s network: delta");
        assertTrue(CostModel.wholeIsFaster(GIB, 0.05, 500e6, 500e6, 1e9), "network as fast as the disk: whole");
        assertTrue(CostModel.wholeIsFaster(GIB, 0, 500e6, 500e6, 200e6), "even unchanged: 5.4 s whole vs 6.4 s delta");
    }

    @Test
    void aFileThatChangedEntirelyGoesWholeWhateverTheSpeeds() {
        assertTrue(CostModel.wholeIsFaster(GIB, 1, 500e6, 500e6, 1e6));
        assertTrue(CostModel.wholeIsFaster(GIB, 1, NAN, NAN, NAN), "nothing measured yet");
    }

    @Test
    void withNothingMeasuredAnythingThatMatchesGoesAsADelta() {
        assertFalse(CostModel.wholeIsFaster(GIB, 0.99, NAN, NAN, NAN));
        assertFalse(CostModel.wholeIsFaster(GIB, 0, 2e9, NAN, NAN), "unknown network counts as slow");
        // an unknown write speed counts as the read speed
        assertEquals(CostModel.deltaSeconds(GIB, 0.5, 1e9, 1e9, 1e8), CostModel.deltaSeconds(GIB, 0.5, 1e9, NAN, 1e8));
    }

    @Test
    void aChangedFractionOutsideZeroToOneIsAMistake() {
        assertThrows(IllegalArgumentException.class, () -> CostModel.wholeIsFaster(GIB, 1.5, 1, 1, 1));
    }

    @Test
    void estimatesMoveHalfwayAndIgnoreTinySamples() {
        Estimates e = new Estimates();
        e.networkMoved(1000, 1_000_000); // too small to say anything
        assertTrue(Double.isNaN(e.network()));
        e.networkMoved(100_000_000, 1_000_000_000L);
        assertEquals(100e6, e.network(), 1);
        e.networkMoved(300_000_000, 1_000_000_000L);
        assertEquals(200e6, e.network(), 1);
    }
}
