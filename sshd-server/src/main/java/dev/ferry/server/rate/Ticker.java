package dev.ferry.server.rate;

import java.util.concurrent.TimeUnit;

/** Time as the buckets see it: a monotonic clock, and a way to wait on it (a fake one in tests). */
interface Ticker {

    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };

    long nanoTime();

    void sleep(long nanos) throws InterruptedException;
}
