package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.FileEnd;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.OpenDownload;
import dev.ferry.delta.protocol.Result;
import dev.ferry.delta.protocol.Retry;
import dev.ferry.delta.protocol.SignatureStop;

/**
 * Brings a batch of files from the peer, pipelined: each request goes out with the signature of the
 * local old copy, ahead of the instructions for earlier files, so a tree of small files costs no
 * round trip per file. A large file in {@link DeltaMode#AUTO} is asked for alone, so that the peer
 * can stop its signature when sending it whole is faster. See {@link Uploads} for the bounds that
 * keep either side from blocking the other.
 */
public final class Downloads {

    /**
     * One file to fetch.
     *
     * @param size  the size of the peer's file, as its listing says
     * @param label how the file is named to the {@link Outcome.Listener}
     */
    public record Job(String remote, Path local, long size, DeltaMode mode, String label) {
    }

    private final MessageReader in;
    private final MessageWriter out;
    private final ChunkerParams session;
    private final boolean zstd;
    private final FileDigest digest;
    private final boolean fsync;

    private static final class Pending {
        final Job job;
        final FileChunking chunking;
        final boolean mayStop;
        final boolean grouped;
        final boolean whole;
        final long estimate;
        Incoming incoming;
        boolean instructed;
        boolean stopCrossed; // the peer judged the file whole, after its signature had ended

        Pending(Job job, FileChunking chunking, boolean mayStop, boolean grouped, boolean whole, long estimate) {
            this.job = job;
            this.chunking = chunking;
            this.mayStop = mayStop;
            this.grouped = grouped;
            this.whole = whole;
            this.estimate = estimate;
        }
    }

    /**
     * @param session the session's chunk shape (its {@code ChunkingSpec}); each file's chunk size
     *                and digest length are chosen from it ({@link FileChunking})
     */
    public Downloads(MessageReader in, MessageWriter out, ChunkerParams session, boolean zstd) {
        this(in, out, session, zstd, FileDigest.DEFAULT);
    }

    /** As above, every file verified with {@code digest}, which each request asks the peer for. */
    public Downloads(MessageReader in, MessageWriter out, ChunkerParams session, boolean zstd, FileDigest digest) {
        this(in, out, session, zstd, digest, false);
    }

    /** As above; with {@code fsync} every file is synced to disk here, not only large ones. */
    public Downloads(MessageReader in, MessageWriter out, ChunkerParams session, boolean zstd, FileDigest digest,
            boolean fsync) {
        this.fsync = fsync;
        this.in = in;
        this.out = out;
        this.session = session;
        this.zstd = zstd;
        this.digest = Objects.requireNonNull(digest, "digest");
    }

    /**
     * Fetches {@code jobs}, telling {@code listener} as each ends. A file refused (here or by the
     * peer) or not verified is reported and the batch goes on; an exception means the session is out
     * of step, and files not yet reported were not changed.
     */
    public void run(List<Job> jobs, Outcome.Listener listener) throws IOException {
        Deque<Pending> todo = new ArrayDeque<>();
        for (Job job : jobs) {
            todo.add(pending(job, null));
        }
        Deque<Pending> inflight = new ArrayDeque<>();
        long aheadBytes = 0;
        int unflushed = 0;
        try {
            while (!todo.isEmpty() || !inflight.isEmpty()) {
                while (!todo.isEmpty()) {
                    Pending p = todo.peek();
                    // A grouped file is alone: the peer's DetailRequest and this side's answer come
                    // between its signature and its instructions, where nothing else may be.
                    if (!inflight.isEmpty() && (p.mayStop || p.grouped || inflight.peek().grouped
                            || inflight.size() >= Uploads.MAX_AHEAD
                            || aheadBytes + p.estimate > Uploads.MAX_SIGNATURE_BYTES)) {
                        break;
                    }
                    todo.poll();
                    try {
                        p.incoming = Incoming.open(p.job.local(), !p.whole, true, p.chunking, zstd, out,
                                p.mayStop ? Signature.StopCheck.reading(in) : Signature.StopCheck.NEVER, p.grouped,
                                new OpenDownload(p.job.remote(), p.chunking.params().avg(),
                                        p.chunking.digestLength(), p.mayStop, p.grouped, digest), digest, fsync);
                    } catch (DeltaRefused refused) { // nothing was sent
                        listener.failed(p.job.label(), refused.getMessage());
                        continue;
                    }
                    inflight.add(p);
                    aheadBytes += p.estimate;
                    if (p.mayStop || p.grouped) {
                        break;
                    }
                }
                if (!in.ready() || ++unflushed >= Uploads.FLUSH_EVERY) { // as in Uploads
                    out.flush();
                    unflushed = 0;
                }
                Pending head = inflight.peek();
                if (head == null) {
                    continue;
                }
                DeltaMessage m = in.readRequired("the instructions for " + head.job.remote());
                if (m instanceof FileEnd end) {
                    inflight.poll();
                    aheadBytes -= head.estimate;
                    finish(head, end, todo, listener);
                } else if (m instanceof Failure f) { // refused by the peer (no such file), before any data
                    inflight.poll();
                    aheadBytes -= head.estimate;
                    head.incoming.close();
                    listener.failed(head.job.label(), f.reason());
                } else if (m instanceof SignatureStop && head.mayStop && !head.instructed) {
                    head.stopCrossed = true; // it crossed the end of the signature: the file comes whole
                } else {
                    head.instructed = true;
                    head.incoming.apply(m);
                }
            }
            out.flush();
        } finally {
            for (Pending p : inflight) {
                try {
                    p.incoming.close();
                } catch (IOException | RuntimeException ignored) {
                    // the temporary file goes with the session's end anyway
                }
            }
        }
    }

    private void finish(Pending p, FileEnd end, Deque<Pending> todo, Outcome.Listener listener) throws IOException {
        Incoming.Received r;
        try {
            r = p.incoming.finish(end);
        } finally {
            p.incoming.close();
        }
        if (r.verified()) {
            out.write(new Result(true, r.literalBytes(), r.matchedBytes(), r.writeNanos()));
            listener.done(p.job.label(), new Outcome(r.size(), r.literalBytes(), r.matchedBytes(),
                    p.whole || r.stopped() || p.stopCrossed));
        } else if (p.chunking.canRetry() && !p.whole) {
            out.write(new Retry(ChunkDigest.BYTES));
            todo.addFirst(pending(p.job, p.chunking.fullDigests()));
        } else {
            out.write(new Result(false, r.literalBytes(), r.matchedBytes(), r.writeNanos()));
            // Over SSH's integrity checks, what fails to match is, in practice, a file the sender saw
            // change while it read it (Diff.end), or one that changed between the two passes.
            listener.failed(p.job.label(), "changed while it was being copied (it did not match the server's "
                    + end.kind() + (p.whole ? "" : " after a second pass") + "); the copy was not kept");
        }
    }

    /**
     * The first pass at a file ({@code retry} null), or the second after a false match, with the
     * chunks of the first and full digests.
     */
    private Pending pending(Job job, FileChunking retry) throws IOException {
        FileFacts old = FileFacts.of(job.local(), LinkOption.NOFOLLOW_LINKS);
        long oldSize = old != null && old.regularFile() ? old.size() : -1;
        boolean whole = job.mode() == DeltaMode.WHOLE || oldSize < 0
                || (job.mode() == DeltaMode.AUTO && job.size() < Uploads.SMALL_FILE);
        boolean mayStop = retry == null && !whole && job.mode() == DeltaMode.AUTO && job.size() >= Uploads.LARGE_FILE;
        FileChunking chunking = retry != null ? retry : FileChunking.choose(session, oldSize, job.size());
        boolean grouped = retry == null && !whole && Uploads.groups(oldSize, job.size(), chunking);
        long estimate = whole ? 64 : Signature.estimateBytes(oldSize, chunking.params(), chunking.digestLength());
        return new Pending(job, chunking, mayStop, grouped, whole, estimate);
    }
}
