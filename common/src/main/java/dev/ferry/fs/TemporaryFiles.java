package dev.ferry.fs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Told of each temporary file a writer makes beside its target: before the file exists, and once
 * it is gone again (renamed into place or deleted). ferryd keeps a journal of them, so that a
 * server killed half way through an upload finds and removes what it left at its next start
 * without walking its users' trees; everyone else needs nothing ({@link #NONE}).
 */
public interface TemporaryFiles {

    /** Keeps no record: a writer killed before it cleans up leaves its hidden temporary file. */
    TemporaryFiles NONE = new TemporaryFiles() {
    };

    /**
     * {@code temp} is about to be created. Called before the file exists, so that a crash right
     * after leaves a record; an exception stops the write before anything reaches the disk.
     */
    default void creating(Path temp) throws IOException {
    }

    /** {@code temp} is gone: renamed over its target, or deleted. Never throws. */
    default void gone(Path temp) {
    }
}
