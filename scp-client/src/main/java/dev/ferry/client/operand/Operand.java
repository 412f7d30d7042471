package dev.ferry.client.operand;

import java.util.Objects;
import java.util.OptionalInt;

/** One source or target of a copy. */
public sealed interface Operand {

    /** The path as the user wrote it (remote paths are relative to the login directory unless absolute). */
    String path();

    /** A file or directory on this machine. */
    record Local(String path) implements Operand {
        public Local {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A file or directory on a server.
     *
     * @param user empty when the operand names none (the configured or current user is used)
     * @param host a host name, an address, or a Host alias from ssh_config; IPv6 without brackets
     * @param port only from an {@code scp://} URI; otherwise -P, ssh_config or 22 decide
     * @param path empty means the login directory, as with {@code host:}
     */
    record Remote(String user, String host, OptionalInt port, String path) implements Operand {
        public Remote {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(port, "port");
            Objects.requireNonNull(path, "path");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("empty host name");
            }
        }

        /** The same server, another path. */
        public Remote withPath(String newPath) {
            return new Remote(user, host, port, newPath);
        }

        /** {@code [user@]host} as shown in messages, with brackets around an IPv6 address. */
        public String server() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return user.isEmpty() ? h : user + "@" + h;
        }

        @Override
        public String toString() {
            return server() + ":" + path;
        }
    }
}
