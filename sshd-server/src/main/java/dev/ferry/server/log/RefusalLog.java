package dev.ferry.server.log;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import dev.ferry.server.proxy.ClientAddress;

/**
 * Logs what a connection was refused (a shell, forwarding, a malformed SFTP packet, a bad SCP line),
 * bounded per connection: the first {@link #LOGGED_PER_CONNECTION} refusals are one line each, the
 * rest only counted, and the count is one {@link ServerEvent.RefusalsUnlogged} line when the
 * connection closes.
 *
 * <p>Why a bound: each refusal costs the client a few bytes and the server a line; without one, a
 * client looping on a bad request (thousands of SFTP packets a second, each answered with a status)
 * would fill the disk or the journal with lines of its choosing and bury everyone else's. The first
 * lines say what the client tried, the count says how hard it tried. Texts the client chose are
 * clipped to {@link #MAX_TEXT} characters for the same reason (an exec request can be 256 KiB).
 */
public final class RefusalLog implements SessionListener {

    /** Refusals of one connection logged in full. */
    public static final int LOGGED_PER_CONNECTION = 20;
    /** The longest text of a client's kept in a line (a command, a path), in characters. */
    public static final int MAX_TEXT = 256;

    private static final AttributeKey<AtomicLong> REFUSED = new AttributeKey<>();

    private final EventSink events;
    private final int perConnection;

    public RefusalLog(EventSink events) {
        this(events, LOGGED_PER_CONNECTION);
    }

    RefusalLog(EventSink events, int perConnection) {
        if (perConnection < 0) {
            throw new IllegalArgumentException("perConnection < 0");
        }
        this.events = events;
        this.perConnection = perConnection;
    }

    /** Reports that {@code session} was refused {@code request} of {@code protocol} because of {@code reason}. */
    public void refused(Session session, String protocol, String request, String reason) {
        report(session, new ServerEvent.RequestRefused(user(session), ServerEvent.address(ClientAddress.of(session)),
                protocol, clip(request), clip(reason)));
    }

    /** Reports {@code refusal} (any event that answers a client's request with no), counted against its connection. */
    public void report(Session session, ServerEvent refusal) {
        long n = session.computeAttributeIfAbsent(REFUSED, k -> new AtomicLong()).incrementAndGet();
        if (n <= perConnection) {
            events.accept(refusal);
        }
    }

    /** Refusals of {@code session} so far, logged or not. */
    public static long count(Session session) {
        AtomicLong n = session.getAttribute(REFUSED);
        return n == null ? 0 : n.get();
    }

    @Override
    public void sessionClosed(Session session) {
        long unlogged = count(session) - perConnection;
        if (unlogged > 0) {
            events.accept(new ServerEvent.RefusalsUnlogged(user(session),
                    ServerEvent.address(ClientAddress.of(session)), unlogged));
        }
    }

    /** {@code text} cut to {@link #MAX_TEXT} characters, saying how long it was. */
    public static String clip(String text) {
        if (text == null) {
            return "";
        }
        if (text.length() <= MAX_TEXT) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT; // whole characters
        return text.substring(0, end) + "... (" + text.length() + " characters)";
    }

    private static String user(Session session) {
        String user = session.isAuthenticated() ? session.getUsername() : null;
        return user == null ? "" : user;
    }
}
