package dev.ferry.server.quota;

import java.io.IOException;
import java.util.function.Consumer;

import org.apache.sshd.common.session.Session;

import dev.ferry.fs.QuotaExceededException;
import dev.ferry.fs.SpaceAccount;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/** Logs each refused upload once, as {@code quota-exceeded}, with the protocol that carried it. */
public final class QuotaLog {

    private QuotaLog() {
    }

    /** A check of the space account. */
    private interface Check {
        void run() throws IOException;
    }

    /** Runs a check, logging its refusal. */
    private interface Guard {
        void run(Check check) throws IOException;
    }

    /** Logs the quota refusal in {@code e} or its causes, unless it was logged already. */
    public static void report(Consumer<ServerEvent> events, Session session, String protocol, Throwable e) {
        QuotaExceededException q = QuotaExceededException.in(e);
        if (q != null && q.firstReport()) {
            events.accept(new ServerEvent.QuotaExceeded(q.user(), ServerEvent.address(ClientAddress.of(session)),
                    protocol, q.path(), q.limit(), q.used(), q.quota()));
        }
    }

    /** {@code space}, with each refusal it makes logged (for a protocol whose refusals do not reach its caller whole). */
    public static SpaceAccount reporting(SpaceAccount space, Consumer<ServerEvent> events, Session session,
            String protocol) {
        if (!space.counts()) {
            return space;
        }
        Guard guard = check -> {
            try {
                check.run();
            } catch (QuotaExceededException e) {
                report(events, session, protocol, e);
                throw e;
            }
        };
        return new SpaceAccount() {
            @Override
            public void fits(String path, long bytes, long replacing) throws IOException {
                guard.run(() -> space.fits(path, bytes, replacing));
            }

            @Override
            public void creating(String path, long replacing) throws IOException {
                guard.run(() -> space.creating(path, replacing));
            }

            @Override
            public void growing(String path, long bytes, long allowance) throws IOException {
                guard.run(() -> space.growing(path, bytes, allowance));
            }

            @Override
            public void shrunk(long bytes) {
                space.shrunk(bytes);
            }

            @Override
            public void removed(long bytes) {
                space.removed(bytes);
            }
        };
    }
}
