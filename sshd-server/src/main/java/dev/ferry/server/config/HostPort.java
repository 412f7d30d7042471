package dev.ferry.server.config;

/** A listen address: {@code HOST:PORT}, {@code [IPv6]:PORT}, {@code :PORT} or {@code PORT}. */
public record HostPort(String host, int port) {

    public static HostPort parse(String text) {
        String host = "127.0.0.1";
        String port = text;
        if (text.startsWith("[")) {
            int end = text.indexOf("]:");
            if (end < 0) {
                throw new IllegalArgumentException("expected [IPv6]:PORT, got '" + text + "'");
            }
            host = text.substring(1, end);
            port = text.substring(end + 2);
        } else if (text.contains(":")) {
            int colon = text.lastIndexOf(':');
            if (colon > 0) {
                host = text.substring(0, colon);
            }
            port = text.substring(colon + 1);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return new HostPort(host, p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + port + "' is not a port number");
        }
    }

    /** As it is written: {@code host:port}, an IPv6 host in brackets. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
