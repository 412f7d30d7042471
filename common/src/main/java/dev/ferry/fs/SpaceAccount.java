package dev.ferry.fs;

import java.io.IOException;

/**
 * Told of the space a writer's files take, before it takes it, so that a server can hold each user
 * to a quota of bytes and regular files ({@link QuotaExceededException} when a change would pass
 * it). Everyone else needs nothing ({@link #UNLIMITED}).
 *
 * <p>{@code replacing} names the size of the regular file a new one will be renamed over (-1:
 * none). That file is counted as freed for the checks: a replacement needs room for the new copy
 * only, not for both while it is written (as SFTPGo counts an overwrite). {@code path} is the name
 * the user sees, for the refusal.
 */
public interface SpaceAccount {

    /** Counts nothing and refuses nothing. */
    SpaceAccount UNLIMITED = new SpaceAccount() {
    };

    /**
     * Refuses a file of {@code bytes} at {@code path} now, when it would not fit (an upload's
     * announced size: an SCP {@code C} line, the delta subsystem's request). Counts nothing.
     */
    default void fits(String path, long bytes, long replacing) throws IOException {
    }

    /** A regular file is about to be created at {@code path}: counted, or refused. */
    default void creating(String path, long replacing) throws IOException {
    }

    /**
     * A file is about to grow by {@code bytes}: counted, or refused when the user's bytes would pass
     * the quota by more than {@code allowance} (the size of the file it will replace, 0 if none).
     */
    default void growing(String path, long bytes, long allowance) throws IOException {
    }

    /** A file shrank by {@code bytes} (or a growth counted ahead did not happen). */
    default void shrunk(long bytes) {
    }

    /** A regular file of {@code bytes} is gone (deleted, or replaced by a rename). */
    default void removed(long bytes) {
    }

    /** Whether this account counts anything (else the caller may skip the stat calls it would need). */
    default boolean counts() {
        return this != UNLIMITED;
    }
}
