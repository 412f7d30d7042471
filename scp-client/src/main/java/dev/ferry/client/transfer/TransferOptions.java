package dev.ferry.client.transfer;

/**
 * How files are copied.
 *
 * @param recursive {@code -r}: copy directories and what is in them
 * @param preserve  {@code -p}: keep modification times and permission bits
 * @param atomic    write to a temporary name beside the target and rename it into place when
 *                  complete (the default; {@code --inplace} turns it off)
 * @param resume    continue from a partial file left by an interrupted copy, once its content is
 *                  checked (by SHA-256) to be an exact prefix of the source; partial files are kept
 *                  when a copy fails
 */
public record TransferOptions(boolean recursive, boolean preserve, boolean atomic, boolean resume) {

    public static final TransferOptions DEFAULT = new TransferOptions(false, false, true, false);

    public TransferOptions {
        if (resume && !atomic) {
            throw new IllegalArgumentException("--resume needs the partial file that --inplace does without");
        }
    }

    public TransferOptions withRecursive(boolean on) {
        return new TransferOptions(on, preserve, atomic, resume);
    }

    public TransferOptions withPreserve(boolean on) {
        return new TransferOptions(recursive, on, atomic, resume);
    }

    public TransferOptions withAtomic(boolean on) {
        return new TransferOptions(recursive, preserve, on, resume);
    }
}
