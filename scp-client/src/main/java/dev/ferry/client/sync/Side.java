package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One side of a sync, local or remote, with paths relative to a base directory. */
interface Side {

    /** The entry at {@code path}, not following a final symbolic link; empty if there is none. */
    Optional<Entry> stat(String path) throws IOException;

    /** The entry at {@code path}, through a final symbolic link (for a path the user named). */
    Optional<Entry> statThrough(String path) throws IOException;

    /**
     * Everything under directory {@code path}, keyed (and with {@link Entry#path()}) relative to
     * {@code path}, parents before children; links as links.
     */
    Tree walk(String path) throws IOException;

    /** Creates directory {@code path}, which the caller has seen missing (one round trip, no check). */
    void mkdir(String path) throws IOException;

    /**
     * Creates the directories {@code paths}, parents before children, which the caller has seen
     * missing; returns those that could not be made, each with why.
     */
    Map<String, String> mkdirs(List<String> paths) throws IOException;

    /**
     * Makes {@code path} a symbolic link to {@code target}, replacing a file or link there in one
     * step where the side can (the old one stays if this fails).
     */
    void symlink(String path, String target) throws IOException;

    /**
     * Gives each directory its source's permission bits and modification time ({@link Entry#mode()},
     * {@link Entry#mtimeMillis()} of the entry it maps to), as rsync -a does once a directory's
     * contents are written; returns those that could not be set, each with why.
     */
    Map<String, String> setDirectories(Map<String, Entry> dirs) throws IOException;

    /**
     * Gives each symbolic link the modification time given (milliseconds), the link's own and not
     * its target's, as rsync -a does; returns those that could not be set, each with why. A side
     * that cannot set a link's time (an SFTP server without lsetstat@openssh.com) sets none.
     */
    Map<String, String> setLinkTimes(Map<String, Long> links) throws IOException;

    void delete(Entry entry) throws IOException;

    InputStream read(String path) throws IOException;

    /** {@code path} as this side's own path (for the transfer itself and for messages). */
    String resolve(String path);

    static String join(String a, String b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.endsWith("/") ? a + b : a + "/" + b;
    }
}
