package dev.ferry.server.auth;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/**
 * Each user's connections logged in at once, held to their {@link UserLimits#maxSessions()}: the
 * login one past the limit is refused, as SFTPGo refuses it, but with an SSH disconnect that says
 * why ({@code too many sessions for alice (limit 2)}), which OpenSSH's client prints; an
 * authentication failure would tell the user only "Permission denied".
 *
 * <p>The check comes once the credentials were accepted: who the user is is known only then. The
 * refusal is therefore no offence of the address (the {@link Defender} stopped counting the
 * connection when it authenticated), and logged as {@code user-sessions-exceeded}. Every login is
 * counted, limited or not, so that a limit set by a reload of the users file counts the
 * connections already open; the limit itself is read from the user's account at each login. A
 * limit lowered below what a user has open closes nothing: their next login waits for fewer.
 */
public final class UserSessions implements SessionListener, ChannelListener {

    /** Set on a session counted against its user; removed, and the count lowered, when it closes. */
    private static final AttributeKey<String> COUNTED = new AttributeKey<>();
    /** Set on a session refused, until its disconnect goes out: why. */
    private static final AttributeKey<String> REFUSED = new AttributeKey<>();

    private final Function<String, UserLimits> limits;
    private final EventSink events;
    private final Map<String, Integer> open = new HashMap<>();

    /** @param limits the current limits of a user, by name */
    public UserSessions(Function<String, UserLimits> limits, EventSink events) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event != Event.Authenticated) {
            return;
        }
        String user = session.getUsername();
        int max = limits.apply(user).maxSessions();
        synchronized (open) {
            int now = open.getOrDefault(user, 0);
            if (max == 0 || now < max) {
                open.put(user, now + 1);
                session.setAttribute(COUNTED, user);
                return;
            }
        }
        events.accept(new ServerEvent.UserSessionsExceeded(user, ServerEvent.address(ClientAddress.of(session)), max));
        // Not from here: MINA signals the login while it holds the session's encoder, the success
        // message encoded but not yet sent, so a disconnect sent now would reach the client before
        // it, out of sequence ("Bad packet length"). Another thread's waits for the encoder.
        String reason = "too many sessions for " + user + " (limit " + max + ")";
        session.setAttribute(REFUSED, reason);
        session.getFactoryManager().getScheduledExecutorService().execute(() -> {
            try {
                session.disconnect(SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, reason);
            } catch (IOException e) {
                session.close(true);
            }
        });
    }

    /**
     * Why {@code session}'s login was refused, while its disconnect is on its way; null for a
     * session not refused. The connection service refuses the channels such a session opens with
     * this reason (a client opens one at once, within the round trip the disconnect takes).
     */
    public static String refusal(Session session) {
        return session.getAttribute(REFUSED);
    }

    /** A channel of a refused login that got past the connection service's check fails. */
    @Override
    public void channelInitialized(Channel channel) {
        String refused = refusal(channel.getSession());
        if (refused != null) {
            throw new IllegalStateException(refused);
        }
    }

    @Override
    public void sessionClosed(Session session) {
        String user = session.removeAttribute(COUNTED);
        if (user != null) {
            synchronized (open) {
                open.computeIfPresent(user, (u, n) -> n > 1 ? n - 1 : null);
            }
        }
    }

    /** How many connections {@code user} has logged in now. */
    public int of(String user) {
        synchronized (open) {
            return open.getOrDefault(user, 0);
        }
    }
}
