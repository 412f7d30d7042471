package dev.ferry.server.cli;

/** A listen address: {@code HOST:PORT}, {@code [IPv6]:PORT}, {@code :PORT} or {@code PORT}. */
record HostPort(String host, int port) {

    static HostPort parse(String text) {
        return parse("--listen", text);
    }

    /** @param flag the option the address came with, named in an error */
    static HostPort parse(String flag, String text) {
        String host = "127.0.0.1";
        String port = text;
        if (text.startsWith("[")) {
            int end = text.indexOf("]:");
            if (end < 0) {
                throw new IllegalArgumentException(flag + ": expected [IPv6]:PORT, got '" + text + "'");
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
            throw new IllegalArgumentException(flag + ": '" + port + "' is not a port number");
        }
    }
}
