package dev.ferry.client.transfer;

/**
 * How files are copied.
 *
 * @param recursive {@code -r}: copy directories and what is in them
 * @param preserve  {@code -p}: keep modification times and permission bits
 * @param atomic    write to a temporary name beside the target and rename it into place when
 *                  complete (the default; {@code --inplace} turns it off)
 */
public record TransferOptions(boolean recursive, boolean preserve, boolean atomic) {

    public static final TransferOptions DEFAULT = new TransferOptions(false, false, true);

    public TransferOptions withRecursive(boolean on) {
        return new TransferOptions(on, preserve, atomic);
    }

    public TransferOptions withPreserve(boolean on) {
        return new TransferOptions(recursive, on, atomic);
    }

    public TransferOptions withAtomic(boolean on) {
        return new TransferOptions(recursive, preserve, on);
    }
}
