package dev.ferry.fs;

import java.io.IOException;

/**
 * A source file changed while it was read (see {@link FileStamp}): what was read is no one version
 * of it, so the copy is not kept and the target keeps what it had. Its message is the sentence the
 * user sees, naming the file.
 */
public final class SourceChangedException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What happened, for a report that names the file itself (a sync's "path: reason"). */
    public static final String REASON = "changed while it was being copied; the copy was not kept";

    /** @param what the file as the user named it ({@code dir/f}, {@code alice@host:f}) */
    public SourceChangedException(String what) {
        super(what + ": " + REASON);
    }
}
