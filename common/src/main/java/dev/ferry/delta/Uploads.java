package dev.ferry.delta;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.fs.FileStamp;
import dev.ferry.fs.SourceChangedException;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.OpenUpload;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.Result;
import dev.ferry.delta.protocol.Retry;
import dev.ferry.delta.protocol.SignatureRequest;

/**
 * Sends a batch of files to the peer, pipelined: requests go out ahead of the answers to earlier
 * ones, so a tree of small files costs no round trip per file. Whole files (new, tiny, or asked for)
 * go out at once, with no signature to wait for; for the others the signatures of up to
 * {@link #MAX_AHEAD} files are on their way while earlier diffs are sent. A large file goes alone:
 * in {@link DeltaMode#AUTO} its signature can be stopped ({@link WholeOrDelta}), and one of many
 * chunks is signed in two levels, groups first and the detail the sender asks for after them.
 *
 * <p>The peer answers every request in the order it was sent: an opened file with its signature,
 * a finished one with its result. Keeping the expected answers in the same order is how each one
 * is matched to its file. What is unread at either end stays well under any SSH window (a few
 * hundred kilobytes of signatures), so neither side can block the other for good.
 */
public final class Uploads {

    /**
     * One file to send.
     *
     * @param oldSize the size of the peer's copy, -1 when it has none (the listing says so)
     * @param label   how the file is named to the {@link Outcome.Listener}
     */
    public record Job(Path local, String remote, long size, long oldSize, DeltaMode mode, String label) {
    }

    /** Files smaller than this go whole in auto mode: a signature could not save a packet. */
    public static final long SMALL_FILE = 1024;

    /** Files from this size on are judged, alone, while their signature arrives. */
    public static final long LARGE_FILE = WholeOrDelta.SAMPLE_BYTES;

    /**
     * Old chunks from which a signature has two levels: 16 MiB and more at the sizes
     * {@link FileChunking} chooses (which give a file of S bytes about 4 sqrt(S) chunks).
     */
    static final long GROUPED_CHUNKS = 16_384;

    /** Signatures asked for and not yet read, at most. */
    static final int MAX_AHEAD = 64;

    /** Bytes of signatures asked for and not yet read, at most (estimated from the old sizes). */
    static final long MAX_SIGNATURE_BYTES = 512 * 1024;

    /** Answers handled between two flushes at most, when the peer has more queued. */
    static final int FLUSH_EVERY = 8;

    /** Answers outstanding at most: results are small, but the peer keeps an open file for each. */
    static final int MAX_ANSWERS = 1024;

    private final MessageReader in;
    private final MessageWriter out;
    private final ChunkerParams session;
    private final boolean zstd;
    private final Estimates estimates;
    private final FileDigest digest;
    private final boolean fsync;

    /** What the peer answers next: the signature of an opened file, or the result of a finished one. */
    private record Answer(Pending file, boolean signature) {
    }

    /** A file on its way. */
    private static final class Pending {
        final Job job;
        final SignatureRequest request;
        final FileChunking chunking;
        boolean retried;
        int mode;
        long mtimeMillis;
        FileStamp stamp; // as the request went out: what tells a change while it is read
        Outgoing.Sent sent;

        Pending(Job job, SignatureRequest request, FileChunking chunking) {
            this.job = job;
            this.request = request;
            this.chunking = chunking;
        }

        long signatureEstimate() {
            return Signature.estimateBytes(job.oldSize(), chunking.params(), chunking.digestLength());
        }
    }

    /**
     * @param session the session's chunk shape (its {@code ChunkingSpec}); each file's chunk size
     *                and digest length are chosen from it ({@link FileChunking})
     */
    public Uploads(MessageReader in, MessageWriter out, ChunkerParams session, boolean zstd, Estimates estimates) {
        this(in, out, session, zstd, estimates, FileDigest.DEFAULT);
    }

    /** As above, every file verified with {@code digest}. */
    public Uploads(MessageReader in, MessageWriter out, ChunkerParams session, boolean zstd, Estimates estimates,
            FileDigest digest) {
        this(in, out, session, zstd, estimates, digest, false);
    }

    /** As above; with {@code fsync} the server syncs every file to disk, not only large ones. */
    public Uploads(MessageReader in, MessageWriter out, ChunkerParams session, boolean zstd, Estimates estimates,
            FileDigest digest, boolean fsync) {
        this.fsync = fsync;
        this.in = in;
        this.out = out;
        this.session = session;
        this.zstd = zstd;
        this.estimates = estimates;
        this.digest = Objects.requireNonNull(digest, "digest");
    }

    /**
     * Sends {@code jobs}, telling {@code listener} as each ends. A file refused or not verified is
     * reported and the batch goes on; an exception means the session is out of step (the channel
     * broke, or a local file could not be read half way), and files not yet reported were not sent.
     */
    public void run(List<Job> jobs, Outcome.Listener listener) throws IOException {
        Deque<Pending> todo = new ArrayDeque<>();
        for (Job job : jobs) {
            FileChunking chunking = FileChunking.choose(session, job.oldSize(), job.size());
            todo.add(new Pending(job, request(job, chunking), chunking));
        }
        Deque<Answer> answers = new ArrayDeque<>(); // in the order the peer will answer
        int ahead = 0;
        long aheadBytes = 0;
        int unflushed = 0;
        while (!todo.isEmpty() || !answers.isEmpty()) {
            while (!todo.isEmpty() && answers.size() < MAX_ANSWERS) {
                Pending p = todo.peek();
                if (p.request.stoppable() && ahead > 0) {
                    break; // alone: nothing may follow its request until its signature has ended
                }
                if (p.request == SignatureRequest.FULL && ahead > 0
                        && (ahead >= MAX_AHEAD || aheadBytes + p.signatureEstimate() > MAX_SIGNATURE_BYTES)) {
                    break;
                }
                todo.poll();
                FileFacts f = FileFacts.of(p.job.local());
                if (f == null) { // gone since the walk: nothing of it was sent
                    listener.failed(p.job.label(), "no such file: " + p.job.local());
                    continue;
                }
                String unreadable = unreadable(p.job.local());
                if (unreadable != null) {
                    // found before its request goes: once the peer has opened the file, a send
                    // that cannot start leaves the session out of step and ends the whole batch
                    listener.failed(p.job.label(), unreadable);
                    continue;
                }
                p.mode = f.mode();
                p.mtimeMillis = f.mtimeMillis();
                p.stamp = Diff.stampOf(f);
                out.write(new OpenUpload(p.job.remote(), p.job.size(), p.mode, p.mtimeMillis,
                        p.chunking.params().avg(), p.chunking.digestLength(), p.request, digest, fsync));
                if (p.request == SignatureRequest.NONE) {
                    p.sent = Outgoing.send(in, out, p.job.local(), p.stamp, p.mode, p.mtimeMillis, p.chunking, zstd,
                            digest, false, false, Signature.Cutoff.NEVER);
                    answers.add(new Answer(p, false));
                } else {
                    answers.add(new Answer(p, true));
                    ahead++;
                    aheadBytes += p.signatureEstimate();
                    if (p.request.stoppable()) {
                        break;
                    }
                }
            }
            // Flushed before this side would wait (an answer already here is read without: each one,
            // a signature or a result, comes whole without anything more from this side), and every
            // few answers, so that the peer works on this side's requests while this side works on
            // its answers: flushing after every file costs a packet each, never flushing until
            // blocked makes the two sides take turns.
            if (!in.ready() || ++unflushed >= FLUSH_EVERY) {
                out.flush();
                unflushed = 0;
            }
            if (answers.isEmpty()) {
                continue;
            }
            Answer next = answers.poll();
            Pending p = next.file();
            if (next.signature()) {
                ahead--;
                aheadBytes -= p.signatureEstimate();
                Signature.Cutoff cutoff = p.request.stoppable() && p.job.mode() == DeltaMode.AUTO
                        ? new WholeOrDelta(p.job.local(), p.job.size(), p.chunking.params(), estimates)
                        : Signature.Cutoff.NEVER;
                try {
                    p.sent = Outgoing.send(in, out, p.job.local(), p.stamp, p.mode, p.mtimeMillis, p.chunking, zstd,
                            digest, true, p.request == SignatureRequest.GROUPED, cutoff);
                } catch (DeltaFailure refused) { // a Failure in place of the signature: nothing was sent
                    listener.failed(p.job.label(), refused.getMessage());
                    continue;
                }
                answers.add(new Answer(p, false));
            } else {
                result(p, in.readRequired("the result for " + p.job.remote()), todo, listener);
            }
        }
        out.flush();
    }

    private void result(Pending p, DeltaMessage m, Deque<Pending> todo, Outcome.Listener listener)
            throws IOException {
        if (p.sent.changed() && !(m instanceof Result r && r.ok())) {
            // ended so that the receiver kept its old copy (Diff.end): no second pass, the change is the news
            listener.failed(p.job.label(), SourceChangedException.REASON);
            return;
        }
        if (m instanceof Result r) {
            if (!r.ok()) {
                listener.failed(p.job.label(), p.job.remote() + " did not verify at the receiver after a second pass; "
                        + "its old copy is unchanged");
                return;
            }
            Outgoing.Sent s = p.sent;
            if (s.firstLiteralNanos() != 0) {
                estimates.networkMoved(s.literalWireBytes(), System.nanoTime() - s.firstLiteralNanos());
            }
            estimates.receiverWrote(s.size(), r.writeNanos());
            listener.done(p.job.label(), new Outcome(s.size(), s.literalBytes(), s.matchedBytes(),
                    p.request == SignatureRequest.NONE || s.stopped()));
        } else if (m instanceof Retry && !p.retried && p.chunking.canRetry()) {
            Pending again = new Pending(p.job, SignatureRequest.FULL, p.chunking.fullDigests());
            again.retried = true;
            todo.addFirst(again);
        } else if (m instanceof Failure f) {
            listener.failed(p.job.label(), f.reason());
        } else {
            throw new ProtocolException("expected the result for " + p.job.remote() + ", got " + m.type());
        }
    }

    /** Why {@code file} cannot be opened for reading, in one sentence; null if it can. */
    private static String unreadable(Path file) {
        try (FileChannel ignored = FileChannel.open(file, StandardOpenOption.READ)) {
            return null;
        } catch (AccessDeniedException e) {
            return "Permission denied"; // told beside the file's name, as scp tells it
        } catch (NoSuchFileException e) {
            return "no such file: " + file;
        } catch (IOException e) {
            return file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private static SignatureRequest request(Job job, FileChunking chunking) {
        if (job.mode() == DeltaMode.WHOLE || job.oldSize() < 0
                || (job.mode() == DeltaMode.AUTO && job.size() < SMALL_FILE)) {
            return SignatureRequest.NONE;
        }
        if (groups(job.oldSize(), job.size(), chunking)) {
            return SignatureRequest.GROUPED;
        }
        if (job.mode() == DeltaMode.AUTO && job.size() >= LARGE_FILE) {
            return SignatureRequest.STOPPABLE;
        }
        return SignatureRequest.FULL;
    }

    /**
     * Whether a file's signature should have two levels: when the old copy has at least
     * {@link #GROUPED_CHUNKS} chunks (a one-level signature of over 100 KB), and neither copy has
     * more than both sides may keep in memory for it.
     */
    static boolean groups(long oldSize, long newSize, FileChunking chunking) {
        return oldSize / chunking.params().avg() >= GROUPED_CHUNKS
                && Signature.mayGroup(oldSize, chunking.params()) && Signature.mayGroup(newSize, chunking.params());
    }
}
