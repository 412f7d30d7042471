package dev.ferry.client.hostkeys;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@code known_hosts} says about a host name and the key it presented.
 *
 * @param status what was found
 * @param file   the file of the line that decided it, or {@code null} for {@link Status#UNKNOWN}
 * @param line   that line's number (1-based), or 0 for {@link Status#UNKNOWN}
 */
public record Lookup(Status status, Path file, int line) {

    /** OpenSSH's host statuses, less the certificate ones Ferry does not use. */
    public enum Status {
        /** The name is listed with exactly this key. */
        MATCH,
        /** The name is listed with another key of the same type: the host key changed (or an attack). */
        MISMATCH,
        /** The name is not listed with any key of this type. */
        UNKNOWN,
        /** The key is marked {@code @revoked}; it must never be accepted, whatever the name. */
        REVOKED
    }

    static final Lookup UNKNOWN = new Lookup(Status.UNKNOWN, null, 0);

    public Lookup {
        Objects.requireNonNull(status, "status");
        if ((status == Status.UNKNOWN) != (file == null)) {
            throw new IllegalArgumentException("a file is given exactly when the status is not UNKNOWN");
        }
    }

    /** {@code file:line}, as OpenSSH names an offending line. */
    public String where() {
        return file == null ? "" : file + ":" + line;
    }
}
