package dev.ferry.client.connect;

import java.io.IOException;
import java.time.Duration;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.core.CoreModuleProperties;

import dev.ferry.transport.TransportProfile;

/**
 * Sizes the channel window to the path, as TCP autotuning sizes its own: a window needs to hold one
 * round trip of data at the speed the path can carry, and more only costs memory. On loopback a
 * 64 MiB window lets a fast server queue 64 MiB of replies in the client's heap, which the garbage
 * collector then copies again and again; across 50 ms it is what keeps the pipe full.
 */
final class WindowSizing {

    /** The fastest a connection is expected to go: what the window must cover per second of RTT. */
    static final long BYTES_PER_SECOND = 1_500_000_000L;
    /** Never less: covers bursts and a slow first round trip. */
    static final long FLOOR = 8L << 20;

    /** The round trip measured at connect time, kept on the session for what sizes itself later. */
    static final AttributeKey<Duration> ROUND_TRIP = new AttributeKey<>();

    private WindowSizing() {
    }

    /**
     * Measures one round trip (a global request the server must answer, as OpenSSH's keepalive) and
     * sets the session's window for the channels opened after it: floor + RTT x rate, at most the
     * profile's window.
     */
    static Duration apply(ClientSession session, TransportProfile profile) {
        Duration rtt = roundTrip(session);
        long window = Math.min(profile.windowSize(), FLOOR + rtt.toNanos() * BYTES_PER_SECOND / 1_000_000_000L);
        CoreModuleProperties.WINDOW_SIZE.set(session, window);
        session.setAttribute(ROUND_TRIP, rtt);
        return rtt;
    }

    static Duration roundTrip(ClientSession session) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) { // the best of two: each costs a round trip before any data moves
            Buffer request = session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST);
            request.putString("keepalive@openssh.com");
            request.putBoolean(true);
            long start = System.nanoTime();
            try {
                session.request("keepalive@openssh.com", request, Duration.ofSeconds(10));
            } catch (IOException e) {
                return Duration.ofMillis(100); // no answer: assume a long path, keep the big window
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        return Duration.ofNanos(best);
    }
}
