package dev.ferry.delta;

/**
 * How one file of a batch ended, as {@link Uploads} and {@link Downloads} report it.
 *
 * @param size         bytes of the new file
 * @param literalBytes bytes sent as literals
 * @param matchedBytes bytes the receiver copied from its old file
 * @param whole        no signature was used: the file went whole (asked for, or judged faster)
 */
public record Outcome(long size, long literalBytes, long matchedBytes, boolean whole) {

    /** Told as each file of a batch ends, in the order they end. */
    public interface Listener {

        void done(String label, Outcome outcome);

        /** The file was refused or did not verify; one sentence, and the old copy is unchanged. */
        void failed(String label, String reason);
    }
}
