package dev.ferry.server.sftp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.StandardOpenOption;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ferry.delta.protocol.Limits;

class LargeFilesSyncedTest {

    private static final Set<StandardOpenOption> UPLOAD = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING);

    @Test
    void aWrittenFileIsSyncedFromTheDeltaSubsystemsThresholdOn() {
        assertTrue(LargeFilesSynced.syncs(UPLOAD, Limits.SYNC_FROM));
        assertTrue(LargeFilesSynced.syncs(Set.of(StandardOpenOption.APPEND), 10L * Limits.SYNC_FROM));
        assertFalse(LargeFilesSynced.syncs(UPLOAD, Limits.SYNC_FROM - 1), "a small file is left to the kernel");
        assertFalse(LargeFilesSynced.syncs(UPLOAD, 0));
    }

    @Test
    void aFileOpenedForReadingIsNeverSynced() {
        assertFalse(LargeFilesSynced.syncs(Set.of(StandardOpenOption.READ), 10L * Limits.SYNC_FROM));
    }
}
