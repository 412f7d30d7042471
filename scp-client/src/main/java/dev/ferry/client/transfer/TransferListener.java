package dev.ferry.client.transfer;

/**
 * Hears about each file copied. The progress bar and the {@code --json} report are two of these.
 * Methods are called on the copying thread, in order, and should return quickly.
 */
public interface TransferListener {

    TransferListener NONE = new TransferListener() {
    };

    /** One file's copy. {@code size} is -1 when unknown. */
    record FileTransfer(String source, String target, long size, String protocol) {
    }

    default void started(FileTransfer transfer) {
    }

    /** {@code bytes} copied so far in this file. */
    default void progress(FileTransfer transfer, long bytes) {
    }

    /** The file is done: {@code error} is null on success. */
    default void finished(FileTransfer transfer, long bytes, double seconds, Throwable error) {
    }

    /** Both listeners, this one first. */
    default TransferListener and(TransferListener other) {
        TransferListener self = this;
        return new TransferListener() {
            @Override
            public void started(FileTransfer t) {
                self.started(t);
                other.started(t);
            }

            @Override
            public void progress(FileTransfer t, long bytes) {
                self.progress(t, bytes);
                other.progress(t, bytes);
            }

            @Override
            public void finished(FileTransfer t, long bytes, double seconds, Throwable error) {
                self.finished(t, bytes, seconds, error);
                other.finished(t, bytes, seconds, error);
            }
        };
    }
}
