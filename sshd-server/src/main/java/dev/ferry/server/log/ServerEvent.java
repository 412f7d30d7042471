package dev.ferry.server.log;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Everything ferryd reports. Each record is one log line; {@link #kind()} names it in both formats.
 */
public sealed interface ServerEvent {

    /** An address as {@code host:port} ({@code [v6]:port}), without {@code InetSocketAddress}'s leading slash. */
    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** Seconds rounded to milliseconds, as logged. */
    static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1000.0;
    }

    /** The short name that starts a text line and fills the {@code event} field of a JSON line. */
    String kind();

    /** The server is listening. */
    record Listening(String address, String hostKeyFingerprint) implements ServerEvent {
        public String kind() {
            return "listening";
        }
    }

    /** A connection ended: who it was (empty when never authenticated), how long it lasted, and why. */
    record ConnectionClosed(String remote, String user, double seconds, String reason) implements ServerEvent {
        public String kind() {
            return "connection-closed";
        }
    }

    /** A connection was refused before the SSH handshake (ban or too many unauthenticated connections). */
    record ConnectionRefused(String remote, String reason) implements ServerEvent {
        public String kind() {
            return "connection-refused";
        }
    }

    /**
     * A connection on a listener behind a load balancer was refused: it came from an address not
     * allowed to send a PROXY header, or its header was missing or malformed ({@code reason}).
     *
     * @param remote the socket's peer (the balancer, or whoever connected directly)
     */
    record ProxyHeaderRefused(String remote, String reason) implements ServerEvent {
        public String kind() {
            return "proxy-header-refused";
        }
    }

    record AuthSucceeded(String user, String remote, String method, String detail) implements ServerEvent {
        public String kind() {
            return "auth-ok";
        }
    }

    /**
     * A login was refused because the user store (the database) could not be asked; connections
     * already logged in go on.
     */
    record UserStoreUnavailable(String user, String remote, String reason) implements ServerEvent {
        public String kind() {
            return "user-store-unavailable";
        }
    }

    record AuthFailed(String user, String remote, String method, String detail) implements ServerEvent {
        public String kind() {
            return "auth-failed";
        }
    }

    /**
     * The algorithm negotiation failed: what the client ({@code software}, its identification line)
     * offered in the first list with nothing in common ({@code list}), and what would admit it.
     */
    record NegotiationFailed(String remote, String software, String list, String offered, String hint)
            implements ServerEvent {
        public String kind() {
            return "negotiation-failed";
        }
    }

    /** A source address was banned: the score of its offences within the window, the ban's length. */
    record Banned(String address, int score, long banSeconds) implements ServerEvent {
        public String kind() {
            return "banned";
        }
    }

    /** A ban another node made, read from the shared bans: in force here too from now on. */
    record BanLearned(String address, long banSeconds) implements ServerEvent {
        public String kind() {
            return "ban-learned";
        }
    }

    /**
     * The shared bans could not be read or written (logged once per outage): this node bans alone,
     * by the offences it sees, and shares its bans once the store is back ({@code ban-store-available}).
     */
    record BanStoreUnavailable(String reason) implements ServerEvent {
        public String kind() {
            return "ban-store-unavailable";
        }
    }

    /** The shared bans can be read again after an outage. */
    record BanStoreAvailable() implements ServerEvent {
        public String kind() {
            return "ban-store-available";
        }
    }

    /**
     * A file transfer finished.
     *
     * @param protocol  {@code sftp} or {@code scp}
     * @param direction {@code upload} (client to server) or {@code download}
     * @param path      the path as the user sees it, inside their root
     * @param error     empty on success, else what went wrong
     */
    record Transfer(String user, String remote, String protocol, String direction, String path, long bytes,
            double seconds, String error) implements ServerEvent {
        public String kind() {
            return "transfer";
        }
    }

    /**
     * What a connection negotiated, logged once it is authenticated: the key exchange and cipher,
     * the channel window and packet size this server offers, and what the kernel granted the socket.
     */
    record Transport(String remote, String kex, String cipher, String mac, String compression, long window,
            long packet, String socket) implements ServerEvent {
        public String kind() {
            return "transport";
        }
    }

    /**
     * A channel that received data closed: how much the client sent and in how many window
     * adjustments the server let it, over a window of {@code window} bytes.
     */
    record ChannelWindow(String user, String remote, long bytesReceived, long windowAdjusts, long window)
            implements ServerEvent {
        public String kind() {
            return "channel-window";
        }
    }

    /**
     * A channel was refused because {@code limit} were already open on its connection (OpenSSH's
     * MaxSessions); the connection goes on.
     */
    record ChannelRefused(String user, String remote, String type, int limit) implements ServerEvent {
        public String kind() {
            return "channel-refused";
        }
    }

    /**
     * A request was refused or failed as malformed: a channel request (a shell, a terminal, the
     * environment, forwarding), a global request, an SFTP packet or request, an SCP protocol line.
     * Logged for the first {@link RefusalLog#LOGGED_PER_CONNECTION} of a connection only; the rest
     * are counted in one {@link RefusalsUnlogged} when the connection closes.
     *
     * @param protocol {@code ssh} (the connection and its channels), {@code sftp} or {@code scp}
     * @param request  what was asked, clipped to {@link RefusalLog#MAX_TEXT} characters
     * @param reason   why it was refused, as the client was told where it could be
     */
    record RequestRefused(String user, String remote, String protocol, String request, String reason)
            implements ServerEvent {
        public String kind() {
            return "request-refused";
        }
    }

    /** How many refusals of a connection were past its logged ones (see {@link RequestRefused}). */
    record RefusalsUnlogged(String user, String remote, long count) implements ServerEvent {
        public String kind() {
            return "refusals-unlogged";
        }
    }

    /** An exec request for anything but scp was refused. */
    record ExecRefused(String user, String remote, String command) implements ServerEvent {
        public String kind() {
            return "exec-refused";
        }
    }

    /**
     * At start: a temporary file that an upload had made when ferryd stopped without cleaning up
     * (killed, or the machine went down) was found through the journal of uploads in flight and removed.
     */
    record LeftoverRemoved(String path) implements ServerEvent {
        public String kind() {
            return "leftover-removed";
        }
    }

    /**
     * At start: a journal entry that was not removed, and why: it lies outside every user's root,
     * has not the shape of a Ferry temporary name, is not a regular file, or could not be deleted.
     */
    record LeftoverKept(String path, String reason) implements ServerEvent {
        public String kind() {
            return "leftover-kept";
        }
    }

    /**
     * An upload was refused or stopped because it would take {@code user} past a quota
     * ({@code limit}: {@code bytes} or {@code files}); what was partial is removed, the old file kept.
     *
     * @param protocol {@code sftp}, {@code scp} or {@code delta}
     * @param used     what the user had when refused (bytes or files, as {@code limit})
     * @param quota    the quota in that unit
     */
    record QuotaExceeded(String user, String remote, String protocol, String path, String limit, long used,
            long quota) implements ServerEvent {
        public String kind() {
            return "quota-exceeded";
        }
    }

    /** A login was refused because {@code user} already has {@code limit} connections (their maxSessions). */
    record UserSessionsExceeded(String user, String remote, int limit) implements ServerEvent {
        public String kind() {
            return "user-sessions-exceeded";
        }
    }

    /**
     * The event hook's command failed for an event: it exited with an error, ran past its timeout
     * (then killed), or could not be started.
     *
     * @param event what the hook was told ({@code upload}, {@code download}, {@code delete}, {@code rename})
     */
    record HookFailed(String command, String event, String path, String reason) implements ServerEvent {
        public String kind() {
            return "hook-failed";
        }
    }

    /**
     * The configuration was read again (SIGHUP): what changed, and what changes only at the next
     * start (listen addresses, host keys, metrics listener) and so was not applied.
     */
    record Reloaded(String changed, String needsRestart) implements ServerEvent {
        public String kind() {
            return "reloaded";
        }
    }

    /** A reload (SIGHUP) found the configuration or users file invalid; the running one is kept. */
    record ReloadFailed(String reason) implements ServerEvent {
        public String kind() {
            return "reload-failed";
        }
    }

    /**
     * The server stopped accepting connections (SIGTERM) and waits up to {@code graceSeconds} for
     * {@code transfers} transfers in progress before closing every connection.
     */
    record Stopping(int transfers, long graceSeconds) implements ServerEvent {
        public String kind() {
            return "stopping";
        }
    }

    /** The server closed: {@code interrupted} transfers were still running at the end of the grace period. */
    record Stopped(int interrupted) implements ServerEvent {
        public String kind() {
            return "stopped";
        }
    }
}
