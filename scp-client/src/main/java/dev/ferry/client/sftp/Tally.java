package dev.ferry.client.sftp;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.AttributeRepository.AttributeKey;

import dev.ferry.transport.WindowCredit;

/** Bytes received over a session's channels and the window adjustments sent for them (ferry cp -v). */
public final class Tally {

    /** Where the channels of a session add up what they received and the adjustments it took. */
    public static final AttributeKey<Tally> KEY = new AttributeKey<>();

    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong adjusts = new AtomicLong();
    private final AtomicLong window = new AtomicLong();

    void add(WindowCredit credit) {
        bytes.addAndGet(credit.receivedBytes());
        adjusts.addAndGet(credit.adjusts());
        window.accumulateAndGet(credit.window(), Math::max);
    }

    public long bytes() {
        return bytes.get();
    }

    public long adjusts() {
        return adjusts.get();
    }

    /** The largest window a counted channel had. */
    public long window() {
        return window.get();
    }
}
