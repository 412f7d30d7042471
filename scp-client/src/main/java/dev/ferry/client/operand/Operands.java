package dev.ferry.client.operand;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Reads an operand the way OpenSSH's scp does: {@code [user@]host:path}, {@code [user@][v6addr]:path}
 * or {@code scp://[user@]host[:port][/path]} is remote; anything else is local. A colon after a
 * slash is part of a local file name ({@code ./a:b}), and so is a leading colon.
 */
public final class Operands {

    private Operands() {
    }

    /**
     * @throws IllegalArgumentException with a sentence saying what is wrong
     */
    public static Operand parse(String arg) {
        if (arg.isEmpty()) {
            throw new IllegalArgumentException("empty file name");
        }
        if (arg.regionMatches(true, 0, "scp://", 0, 6)) {
            return uri(arg);
        }
        int colon = remoteColon(arg);
        if (colon < 0) {
            return new Operand.Local(arg);
        }
        String server = arg.substring(0, colon);
        String path = arg.substring(colon + 1);
        String user = "";
        int at = server.lastIndexOf('@');
        if (at >= 0) {
            user = server.substring(0, at);
            server = server.substring(at + 1);
            if (user.isEmpty()) {
                throw new IllegalArgumentException("empty user name in '" + arg + "'");
            }
        }
        if (server.startsWith("[") && server.endsWith("]")) {
            server = server.substring(1, server.length() - 1);
        }
        if (server.isEmpty()) {
            throw new IllegalArgumentException("no host name in '" + arg + "'");
        }
        return new Operand.Remote(user, server, OptionalInt.empty(), path);
    }

    /**
     * The index of the colon that makes {@code arg} remote, or -1: scp's {@code colon()}. Inside
     * {@code [...]} colons belong to an IPv6 address.
     */
    private static int remoteColon(String arg) {
        if (arg.startsWith(":")) {
            return -1;
        }
        boolean bracket = false;
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '@' && i + 1 < arg.length() && arg.charAt(i + 1) == '[') {
                bracket = true;
            } else if (c == '[' && i == 0) {
                bracket = true;
            } else if (c == ']' && bracket && i + 1 < arg.length() && arg.charAt(i + 1) == ':') {
                return i + 1;
            } else if (c == ':' && !bracket) {
                return i;
            } else if (c == '/') {
                return -1;
            }
        }
        return -1;
    }

    private static Operand uri(String arg) {
        URI uri;
        try {
            uri = new URI(arg);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an scp:// URI: '" + arg + "' (" + e.getReason() + ")");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host name in '" + arg + "'");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String user = uri.getRawUserInfo() == null ? "" : decode(uri.getRawUserInfo());
        int semicolon = user.indexOf(';'); // RFC draft: user;fingerprint=... carries connection parameters
        if (semicolon >= 0) {
            user = user.substring(0, semicolon);
        }
        OptionalInt port = uri.getPort() < 0 ? OptionalInt.empty() : OptionalInt.of(uri.getPort());
        // scp://host/path is relative to the login directory; scp://host//abs is absolute.
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        String path = rawPath.startsWith("/") ? decode(rawPath.substring(1)) : decode(rawPath);
        return new Operand.Remote(user, host, port, path);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
