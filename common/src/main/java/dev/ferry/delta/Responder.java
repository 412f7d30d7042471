package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

import dev.ferry.cdc.ChunkDigest;
import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.CopyChunks;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.DetailRequest;
import dev.ferry.delta.protocol.Failure;
import dev.ferry.delta.protocol.FileEnd;
import dev.ferry.delta.protocol.GroupBatch;
import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.ListRequest;
import dev.ferry.delta.protocol.Literal;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.OpenDownload;
import dev.ferry.delta.protocol.OpenUpload;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.Result;
import dev.ferry.delta.protocol.Retry;
import dev.ferry.delta.protocol.SignatureBatch;
import dev.ferry.delta.protocol.SignatureEnd;
import dev.ferry.delta.protocol.SignatureRequest;
import dev.ferry.delta.protocol.SignatureStop;
import dev.ferry.fs.SpaceAccount;
import dev.ferry.fs.TemporaryFiles;

/**
 * The answering side of a session (ferryd's): takes requests in the order they come and answers
 * each in the same order, however many the peer sends ahead. Uploads are files this side receives
 * (each opened file waits in line for its instructions), downloads files it sends (each waits for
 * the peer's verdict). A request refused before any data moved gets a {@code Failure} and the
 * session goes on; anything else that goes wrong ends it, and every temporary file is removed.
 */
public final class Responder {

    /** Turns a peer's path into a file this side may touch (the user's root, for ferryd). */
    @FunctionalInterface
    public interface Resolver {
        Path resolve(String path) throws IOException;

        /**
         * The directory {@code resolved} (which exists) as a listing walks it: the walk reads each
         * directory through the one above it and never follows a link, so a file system that checks
         * every path it is given (ferryd's confined root: a realpath per look-up) may hand over the
         * real directory once it has checked this one.
         */
        default Path listable(Path resolved) throws IOException {
            return resolved;
        }

        /**
         * The directory a file uploaded to {@code resolved} is written in, opened once for all its
         * steps ({@link Landing}): by default its parent as it is; a file system that checks every
         * path (ferryd's confined root) may hand over the real directory once it has checked that
         * it lies inside and may be written.
         */
        default Path landing(Path resolved) throws IOException {
            return resolved.toAbsolutePath().getParent();
        }

        /**
         * How a listing of {@code listed} (what {@link #listable} gave) shows its links: as they are by
         * default; a file system that shows its users a part of the disk shows each target as seen
         * from inside that part, and leaves out the links that lead out of it.
         */
        default Listing.LinkView links(Path listed) {
            return Listing.LinkView.AS_IS;
        }

        /** Told of the space uploads take (ferryd's quota of the user), before they take it. */
        default SpaceAccount space() {
            return SpaceAccount.UNLIMITED;
        }
    }

    /** Told as each transfer ends. */
    @FunctionalInterface
    public interface Log {
        /**
         * @param direction "upload" (this side received) or "download"
         * @param error     null when it went well
         */
        void transfer(String direction, String path, long bytes, long startNanos, String error);
    }

    private record Upload(OpenUpload request, FileChunking chunking, Incoming incoming, long startNanos) {
    }

    private record Download(OpenDownload request, Outgoing.Sent sent, long startNanos) {
    }

    private final MessageReader in;
    private final MessageWriter out;
    private final ChunkerParams session;
    private final boolean zstd;
    private final Resolver resolver;
    private final Log log;
    private final TemporaryFiles temps;
    private final Estimates estimates = new Estimates();
    private final Deque<Upload> uploads = new ArrayDeque<>();
    private final Deque<Download> downloads = new ArrayDeque<>();
    private Upload current; // the upload whose instructions are coming, from its first to its FileEnd
    private Upload stoppable; // the last upload opened STOPPABLE, until its first instruction

    /**
     * @param session the chunk shape the peer asked for ({@code ChunkingSpec}); each request scales it
     */
    public Responder(MessageReader in, MessageWriter out, ChunkerParams session, boolean zstd, Resolver resolver,
            Log log) {
        this(in, out, session, zstd, resolver, log, TemporaryFiles.NONE);
    }

    /** As above, with each upload's temporary file told to {@code temps} (ferryd's journal of them). */
    public Responder(MessageReader in, MessageWriter out, ChunkerParams session, boolean zstd, Resolver resolver,
            Log log, TemporaryFiles temps) {
        this.temps = temps;
        this.in = in;
        this.out = out;
        this.session = session;
        this.zstd = zstd;
        this.resolver = resolver;
        this.log = log;
    }

    /** Answers requests until the peer closes the stream. */
    public void run() throws IOException {
        int unflushed = 0;
        try {
            while (true) {
                // Answers go out in batches, but never wait while this side would, and never so long
                // that the peer sits idle while this side works through what it sent ahead.
                if (!in.ready() || unflushed >= Uploads.FLUSH_EVERY) {
                    out.flush();
                    unflushed = 0;
                }
                Optional<DeltaMessage> next = in.read();
                if (next.isEmpty()) {
                    if (current != null || !uploads.isEmpty()) {
                        throw new ProtocolException("the peer closed the stream with "
                                + (uploads.size() + (current == null ? 0 : 1)) + " file(s) still open");
                    }
                    out.flush();
                    return;
                }
                DeltaMessage m = next.get();
                handle(m);
                if (m instanceof OpenUpload || m instanceof FileEnd || m instanceof OpenDownload
                        || m instanceof ListRequest) {
                    unflushed++; // each of these has its answer, counted as Uploads counts them
                }
            }
        } finally {
            if (current != null) {
                uploads.addFirst(current);
            }
            for (Upload u : uploads) {
                try {
                    u.incoming().close();
                } catch (IOException | RuntimeException ignored) {
                    // removing temporary files is all that is left to do
                }
                log.transfer("upload", u.request().path(), 0, u.startNanos(), "the transfer broke off");
            }
        }
    }

    private void handle(DeltaMessage m) throws IOException {
        if (m instanceof OpenUpload up) {
            open(up);
        } else if (m instanceof Literal || m instanceof CopyChunks || m instanceof DetailRequest) {
            instructed(m).incoming().apply(m);
        } else if (m instanceof FileEnd end) {
            Upload u = instructed(m);
            current = null;
            finish(u, end);
        } else if (m instanceof SignatureStop) {
            if (stoppable == null) { // else it crossed the end of the signature: nothing to do
                throw new ProtocolException("got SignatureStop but no stoppable signature is open");
            }
            stoppable = null;
        } else if (m instanceof OpenDownload down) {
            send(down);
        } else if (m instanceof ListRequest request) {
            list(request);
        } else if (m instanceof Result || m instanceof Retry || m instanceof Failure) {
            verdict(m);
        } else {
            throw new ProtocolException("expected a request, got " + m.type());
        }
    }

    /**
     * The file an instruction is for. The peer sends each file's instructions in one run, up to
     * its FileEnd: a whole file's right after its request, the others' in the order they were
     * opened, each once its signature is in.
     */
    private Upload instructed(DeltaMessage m) throws ProtocolException {
        if (current == null) {
            current = uploads.poll();
            if (current == null) {
                throw new ProtocolException("got " + m.type() + " but no file is open");
            }
        }
        if (current == stoppable) {
            stoppable = null;
        }
        return current;
    }

    private void open(OpenUpload up) throws IOException {
        if (current != null) {
            throw new ProtocolException("a file was opened before " + current.request().path() + " ended");
        }
        if (!downloads.isEmpty()) {
            throw new ProtocolException("an upload was opened while downloads await their results");
        }
        long start = System.nanoTime();
        boolean signature = up.signature() != SignatureRequest.NONE;
        FileChunking chunking = chunking(up.chunkAverage(), up.digestLength());
        try {
            Path target = resolver.resolve(up.path());
            Incoming incoming = Incoming.open(target, landing(target), signature, signature, chunking, zstd, out,
                    up.signature().stoppable() ? Signature.StopCheck.reading(in) : Signature.StopCheck.NEVER,
                    up.signature() == SignatureRequest.GROUPED, null, up.fileDigest(), up.fsync(), temps,
                    resolver.space(), up.size());
            Upload u = new Upload(up, chunking, incoming, start);
            if (signature) {
                uploads.add(u);
            } else {
                current = u; // its instructions follow at once
            }
            stoppable = up.signature().stoppable() ? u : null;
        } catch (DeltaRefused refused) { // before any data: the peer hears why, the session goes on
            if (!signature) {
                skipFile(); // its instructions are already on their way
            }
            log.transfer("upload", up.path(), 0, start, refused.getMessage());
            out.write(Failure.of(refused.getMessage()));
        }
    }

    /** Where an upload to {@code target} is written; a refusal in the words a failed write would use. */
    private Path landing(Path target) throws IOException {
        try {
            return target.getFileName() == null ? null : resolver.landing(target);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException
                | java.nio.file.AccessDeniedException e) {
            throw Incoming.refusal(target, e);
        }
    }

    private void finish(Upload u, FileEnd end) throws IOException {
        Incoming.Received r;
        try {
            r = u.incoming().finish(end);
        } finally {
            u.incoming().close();
        }
        String path = u.request().path();
        if (r.verified()) {
            out.write(new Result(true, r.literalBytes(), r.matchedBytes(), r.writeNanos()));
            log.transfer("upload", path, r.size(), u.startNanos(), null);
        } else if (u.request().signature() != SignatureRequest.NONE && u.chunking().canRetry()) {
            out.write(new Retry(ChunkDigest.BYTES));
            log.transfer("upload", path, 0, u.startNanos(),
                    "did not match the client's " + end.kind() + "; it may try again");
        } else {
            out.write(new Result(false, r.literalBytes(), r.matchedBytes(), r.writeNanos()));
            log.transfer("upload", path, 0, u.startNanos(),
                    "did not match the client's " + end.kind() + " after a second pass; the old file is unchanged");
        }
    }

    private void send(OpenDownload down) throws IOException {
        if (current != null || !uploads.isEmpty()) {
            throw new ProtocolException("a download was asked for while uploads are open");
        }
        long start = System.nanoTime();
        FileChunking chunking = chunking(down.chunkAverage(), down.digestLength());
        Path source = resolver.resolve(down.path());
        FileFacts f = null;
        String refused = null;
        try {
            f = FileFacts.of(source);
        } catch (IOException e) { // a link out of the root, say: the confined file system says why
            refused = e.getMessage();
        }
        if (f == null || !f.regularFile()) { // after its signature, which is already on its way
            String why = refused != null ? refused
                    : f != null && f.directory() ? down.path() + " is a directory" : "no such file: " + down.path();
            skipSignature(down);
            log.transfer("download", down.path(), 0, start, why);
            out.write(Failure.of(why));
            return;
        }
        Signature.Cutoff cutoff = down.mayStop()
                ? new WholeOrDelta(source, f.size(), chunking.params(), estimates) : Signature.Cutoff.NEVER;
        Outgoing.Sent sent = Outgoing.send(in, out, source, Diff.stampOf(f), f.mode(), f.mtimeMillis(), chunking, zstd,
                down.fileDigest(), true, down.grouped(), cutoff);
        downloads.add(new Download(down, sent, start));
    }

    private void verdict(DeltaMessage m) throws IOException {
        Download d = downloads.poll();
        if (d == null) {
            throw new ProtocolException("got " + m.type() + " but no file was sent");
        }
        String path = d.request().path();
        if (m instanceof Result r && r.ok()) {
            Outgoing.Sent s = d.sent();
            if (s.firstLiteralNanos() != 0) {
                estimates.networkMoved(s.literalWireBytes(), System.nanoTime() - s.firstLiteralNanos());
            }
            estimates.receiverWrote(s.size(), r.writeNanos());
            log.transfer("download", path, s.size(), d.startNanos(), null);
        } else if (m instanceof Result) {
            log.transfer("download", path, 0, d.startNanos(), "did not match at the client after a second pass");
        } else if (m instanceof Retry) {
            log.transfer("download", path, 0, d.startNanos(), "did not match at the client; it may ask again");
        } else {
            log.transfer("download", path, 0, d.startNanos(), ((Failure) m).reason());
        }
    }

    private void list(ListRequest request) throws IOException {
        if (current != null || !uploads.isEmpty() || !downloads.isEmpty()) {
            throw new ProtocolException("a listing was asked for while files are open");
        }
        Path top = resolver.resolve(request.path());
        FileFacts f;
        try {
            f = FileFacts.of(top);
        } catch (IOException e) { // a link out of the root, say: the confined file system says why
            out.write(Failure.of(e.getMessage() == null ? "cannot list " + request.path() : e.getMessage()));
            return;
        }
        if (f == null || !f.directory()) {
            out.write(Failure.of(f != null ? request.path() + " is not a directory"
                    : "no such directory: " + request.path()));
            return;
        }
        try {
            Path listed = resolver.listable(top);
            Listing.send(listed, out, resolver.links(listed));
        } catch (DeltaRefused refused) { // the peer drops what came before the Failure
            out.write(Failure.of(refused.getMessage()));
        }
    }

    /** A request's chunks: the session's shape around the average it names. */
    private FileChunking chunking(int average, int digestLength) throws ProtocolException {
        try {
            return new FileChunking(session.withAverage(average), digestLength);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("a request asked for chunks the session's shape does not allow: "
                    + e.getMessage());
        }
    }

    /** A refused download: the peer's signature is still coming and is read to the end first. */
    private void skipSignature(OpenDownload down) throws IOException {
        while (true) {
            DeltaMessage m = in.readRequired("the signature");
            if (m instanceof SignatureEnd) {
                return;
            }
            if (!(m instanceof SignatureBatch) && !(m instanceof GroupBatch && down.grouped())) {
                throw new ProtocolException("expected the signature, got " + m.type());
            }
        }
    }

    /** A refused whole upload: its instructions are already coming and are read to the end first. */
    private void skipFile() throws IOException {
        long bytes = 0;
        while (true) {
            DeltaMessage m = in.readRequired("the refused file's data");
            if (m instanceof FileEnd) {
                return;
            }
            if (m instanceof Literal l) {
                bytes += l.rawLength();
                if (bytes > Limits.MAX_FILE_SIZE) {
                    throw new ProtocolException("the refused file exceeds " + Limits.MAX_FILE_SIZE + " bytes");
                }
            } else {
                throw new ProtocolException("expected the refused file's literals, got " + m.type());
            }
        }
    }
}
