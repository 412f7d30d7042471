package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ferry.delta.protocol.Limits;

class PatchTest {

    @Test
    void aSmallFileIsSyncedToDiskOnlyWhenAskedALargeOneAlways() {
        assertFalse(Patch.syncs(0, false));
        assertFalse(Patch.syncs(Limits.SYNC_FROM - 1, false));
        assertTrue(Patch.syncs(Limits.SYNC_FROM, false));
        assertTrue(Patch.syncs(1, true));
        assertTrue(Patch.syncs(Limits.SYNC_FROM * 1024, true));
    }
}
