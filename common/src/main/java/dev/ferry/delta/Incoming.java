package dev.ferry.delta;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.fs.AccountedChannel;
import dev.ferry.fs.QuotaExceededException;
import dev.ferry.fs.SpaceAccount;
import dev.ferry.fs.TemporaryFiles;
import dev.ferry.fs.TemporaryName;
import dev.ferry.delta.protocol.DetailRequest;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.FileEnd;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.ProtocolException;

/**
 * One file coming in, at the side that holds the old copy: the signature is sent when it is
 * opened, then the instructions are applied as they come to a temporary file beside the target,
 * which is renamed into place once its size and digest are right. Whatever goes wrong, the old file
 * is untouched and the temporary file removed ({@link #close()}).
 */
public final class Incoming implements Closeable {

    /**
     * How it ended.
     *
     * @param verified false: the digest did not match; the target is unchanged
     * @param stopped  the sender stopped the signature early (it judged the file better sent whole)
     */
    public record Received(boolean verified, long size, long literalBytes, long matchedBytes, long writeNanos,
            boolean stopped) {
    }

    private final Path target;
    private final Landing landing;
    private final String name;
    private final String temp;
    private final Patch patch;
    private final boolean stopped;
    private final MessageWriter out;
    private final TemporaryFiles temps;
    private final SpaceAccount space;
    private GroupDetail detail; // a two-level signature's fine level, until the sender's first instruction
    private boolean moved;
    private boolean gone; // the temporary file is renamed or deleted, and temps told so

    private Incoming(Path target, Landing landing, String temp, Patch patch, boolean stopped, MessageWriter out,
            GroupDetail detail, TemporaryFiles temps, SpaceAccount space) {
        this.temps = temps;
        this.space = space;
        this.target = target;
        this.landing = landing;
        this.name = target.getFileName().toString();
        this.temp = temp;
        this.patch = patch;
        this.stopped = stopped;
        this.out = out;
        this.detail = detail;
    }

    /**
     * Makes the temporary file and sends the signature. A regular file at {@code target} is the old
     * copy; a symbolic link there is replaced, not followed.
     *
     * @param useOld    send the signature of the old copy (false: the file comes whole)
     * @param answer    send a signature message at all (an empty one when there is no old copy);
     *                  false for an upload opened without one, which the sender does not wait for
     * @param chunking  how the old copy is cut, as the request named it
     * @throws DeltaRefused before anything was sent: a directory at the target, a directory that
     *                      cannot be written
     */
    public static Incoming open(Path target, boolean useOld, boolean answer, FileChunking chunking, boolean zstd,
            MessageWriter out, Signature.StopCheck stop) throws IOException {
        return open(target, useOld, answer, chunking, zstd, out, stop, false, null, FileDigest.DEFAULT, false);
    }

    /**
     * As above; with {@code grouped} the signature of a large old file has two levels (the sender
     * may then ask for the detail before its first instruction); with {@code request} (a client's
     * {@code OpenDownload}) written just before the signature: a refusal is then a local error, and
     * nothing reaches the peer; the new file is verified with {@code digest}, the request's.
     */
    public static Incoming open(Path target, boolean useOld, boolean answer, FileChunking chunking, boolean zstd,
            MessageWriter out, Signature.StopCheck stop, boolean grouped, DeltaMessage request, FileDigest digest,
            boolean syncAlways) throws IOException {
        return open(target, null, useOld, answer, chunking, zstd, out, stop, grouped, request, digest, syncAlways,
                TemporaryFiles.NONE, SpaceAccount.UNLIMITED, 0);
    }

    /**
     * As above, the file written in {@code directory}: the target's own directory as the file system
     * under it names it ({@link Responder.Resolver#landing}: the real directory behind ferryd's
     * confined one, checked once), or null for the target's parent as it is; {@code temps} told of
     * the temporary file; {@code space} of the bytes and file it takes (a file announced as
     * {@code announced} bytes that would not fit is refused before anything is sent).
     */
    static Incoming open(Path target, Path directory, boolean useOld, boolean answer, FileChunking chunking,
            boolean zstd, MessageWriter out, Signature.StopCheck stop, boolean grouped, DeltaMessage request,
            FileDigest digest, boolean syncAlways, TemporaryFiles temps, SpaceAccount space, long announced)
            throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (target.getFileName() == null || parent == null) {
            throw new DeltaRefused(target + " is a directory");
        }
        String name = target.getFileName().toString();
        Landing landing;
        try {
            landing = Landing.open(directory != null ? directory : parent);
        } catch (NoSuchFileException | NotDirectoryException | AccessDeniedException e) {
            throw refusal(target, e);
        }
        try {
            return open(target, landing, name, useOld, answer, chunking, zstd, out, stop, grouped, request, digest,
                    syncAlways, temps, space, announced);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(landing, e);
            throw e;
        }
    }

    private static Incoming open(Path target, Landing landing, String name, boolean useOld, boolean answer,
            FileChunking chunking, boolean zstd, MessageWriter out, Signature.StopCheck stop, boolean grouped,
            DeltaMessage request, FileDigest digest, boolean syncAlways, TemporaryFiles temps, SpaceAccount space,
            long announced) throws IOException {
        FileFacts there;
        try {
            there = landing.facts(name);
        } catch (IOException e) { // as if nothing were there: making the temporary file says why not
            there = null;
        }
        if (there != null && there.directory()) {
            throw new DeltaRefused(target.getFileName() + " is a directory");
        }
        // The temporary file first: if it cannot be made (read-only, no room), the sender hears so
        // before anything else and the session stays in step.
        String temp = temporaryBeside(name);
        long replacing = there != null && there.regularFile() ? there.size() : -1;
        try { // a refusal the sender hears before anything else, as one for a directory it cannot write
            space.fits(target.toString(), announced, replacing);
            space.creating(target.toString(), replacing);
        } catch (QuotaExceededException e) {
            throw new DeltaRefused(e.getMessage());
        }
        FileChannel written;
        temps.creating(landing.path(temp));
        try {
            written = AccountedChannel.of(landing.create(temp), space, target.toString(), replacing);
        } catch (IOException e) {
            temps.gone(landing.path(temp));
            space.removed(0);
            throw refusal(target, e);
        }
        FileChannel old = null;
        try {
            if (request != null) {
                out.write(request);
            }
            if (useOld && there != null && there.regularFile()) { // a link there is replaced, not read
                old = landing.read(name);
            }
            Signature.Sent sent = answer
                    ? Signature.send(old, chunking.params(), chunking.digestLength(), out, stop, grouped)
                    : new Signature.Sent(Basis.NONE, false);
            if (old != null && sent.basis().count() == 0) {
                old.close(); // nothing of it will be copied
                old = null;
            }
            return new Incoming(target, landing, temp, new Patch(old, sent.basis(), written, new Literals(zstd),
                    digest, syncAlways),
                    sent.stopped(), out, sent.stopped() ? null : sent.detail(), temps, space);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(old, e);
            closeQuietly(written, e);
            try {
                deleteCounted(landing, temp, space);
                temps.gone(landing.path(temp));
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Applies the next instruction ({@code CopyChunks} or {@code Literal}), or answers a
     * {@code DetailRequest}, which may come once, before the first instruction, after a two-level
     * signature.
     */
    public void apply(DeltaMessage instruction) throws IOException {
        if (instruction instanceof DetailRequest request) {
            if (detail == null) {
                throw new ProtocolException("got DetailRequest but no two-level signature awaits one");
            }
            GroupDetail answering = detail;
            detail = null; // once
            answering.answer(request, out);
            return;
        }
        detail = null; // the instructions have begun: no detail is wanted any more
        patch.apply(instruction);
    }

    /**
     * The sender's {@code FileEnd}: if the new file verifies it is synced, given the sender's mode
     * and time and renamed into place; if not, it is removed. The caller answers the sender.
     */
    public Received finish(FileEnd end) throws IOException {
        Patch.Outcome o = patch.end(end);
        patch.close();
        if (o.verified()) {
            landing.setModeAndTime(temp, o.end().mode(), o.end().mtimeMillis());
            FileFacts replaced = space.counts() ? landing.facts(name) : null;
            landing.rename(temp, name);
            moved = true;
            if (replaced != null && replaced.regularFile()) {
                space.removed(replaced.size());
            }
        } else {
            deleteCounted(landing, temp, space);
        }
        gone();
        return new Received(o.verified(), o.size(), o.literalBytes(), o.matchedBytes(), o.writeNanos(), stopped);
    }

    public Path target() {
        return target;
    }

    private void gone() {
        gone = true;
        temps.gone(landing.path(temp));
    }

    /**
     * Why a file cannot be written at {@code target}, in one sentence for the sender: its directory
     * is missing, may not be written (with the file system's reason, if it gives one), or else.
     */
    static DeltaRefused refusal(Path target, IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) {
            return new DeltaRefused("no such directory: " + target.getParent());
        }
        if (e instanceof AccessDeniedException denied) {
            return new DeltaRefused("permission denied: cannot write in " + target.getParent()
                    + (denied.getReason() == null ? "" : " (" + denied.getReason() + ")"));
        }
        return new DeltaRefused("cannot write " + target.getFileName() + ": " + e.getMessage());
    }

    /** Removes the temporary file unless it was renamed into place, and lets the directory go. */
    @Override
    public void close() throws IOException {
        try {
            patch.close();
        } finally {
            try {
                if (!moved && !gone) {
                    deleteCounted(landing, temp, space);
                    gone();
                }
            } finally {
                landing.close();
            }
        }
    }

    /** Removes the temporary file {@code temp}, told to {@code space} with the bytes it held. */
    private static void deleteCounted(Landing landing, String temp, SpaceAccount space) throws IOException {
        FileFacts f = space.counts() ? landing.facts(temp) : null;
        landing.delete(temp);
        if (f != null && f.regularFile()) {
            space.removed(f.size());
        }
    }

    /**
     * A name for the target's directory, hidden, that says what it is: {@code .NAME.ferry-delta-XXXXXXXX}
     * (a long name cut to fit, {@link TemporaryName}).
     */
    static String temporaryBeside(String name) {
        return TemporaryName.random(name, "delta");
    }

    private static void closeQuietly(Closeable c, Throwable cause) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException | RuntimeException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

}
