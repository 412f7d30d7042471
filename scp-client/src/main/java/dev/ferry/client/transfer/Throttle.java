package dev.ferry.client.transfer;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/** {@code -l}: holds a copy to an average rate by sleeping when it runs ahead. One per copy. */
public final class Throttle {

    /** No limit. */
    public static final Throttle NONE = new Throttle(0);

    private final long bytesPerSecond;
    private final long start = System.nanoTime();
    private long bytes;

    /** @param bytesPerSecond 0 for no limit */
    public Throttle(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate < 0");
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /** scp's {@code -l}: a limit in Kbit/s. */
    public static Throttle kilobitsPerSecond(long kbits) {
        return kbits <= 0 ? NONE : new Throttle(kbits * 1000 / 8);
    }

    /** Records {@code n} more bytes and sleeps until they are due. */
    public synchronized void account(long n) throws InterruptedIOException {
        if (bytesPerSecond == 0) {
            return;
        }
        bytes += n;
        long dueNanos = bytes * 1_000_000_000L / bytesPerSecond;
        long aheadMillis = (dueNanos - (System.nanoTime() - start)) / 1_000_000;
        if (aheadMillis > 0) {
            try {
                Thread.sleep(aheadMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }
    }

    InputStream wrap(InputStream in) {
        if (bytesPerSecond == 0) {
            return in;
        }
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    account(n);
                }
                return n;
            }
        };
    }

    OutputStream wrap(OutputStream out) {
        if (bytesPerSecond == 0) {
            return out;
        }
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                account(len);
            }
        };
    }
}
