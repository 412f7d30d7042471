package dev.ferry.client.transfer;

import java.nio.file.Path;
import java.util.List;

import dev.ferry.client.FerryException;

/**
 * Copies over one session with one protocol ({@link SftpCopier}, {@link ScpCopier}). A file that
 * fails is recorded in {@link #errors()} and the copy goes on, as scp does; a failure that stops
 * the whole copy is thrown.
 */
public interface Copier {

    /** Local sources to {@code target} on the server (into it, when it is a directory). */
    void upload(List<Path> sources, String target) throws FerryException;

    /** Remote sources (globs allowed) to the local {@code target}. */
    void download(List<String> sources, Path target) throws FerryException;

    /** One sentence per file that failed, in order (not those the lost connection took: see below). */
    List<String> errors();

    /**
     * Whether the connection was lost during the copy: the files that failed for that are not in
     * {@link #errors()}, each would say the same; the caller says it once.
     */
    boolean connectionLost();
}
