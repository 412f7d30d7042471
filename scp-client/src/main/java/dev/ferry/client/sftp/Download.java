package dev.ferry.client.sftp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayDeque;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.common.SftpConstants;

/**
 * One remote file read into a local file through an {@link SftpPipe}: READ requests for the whole
 * window in flight, each reply's payload written at its offset by the thread that receives it, so
 * the data goes from MINA's packet buffer to the file without a stop in the heap. The calling
 * thread only keeps the pipeline full and reports progress.
 *
 * <p>A server may answer a READ with fewer bytes than asked (OpenSSH's sftp-server caps a reply);
 * the rest is asked for again. End of file before the expected size is an error: the file shrank.
 *
 * <p>A whole file's copy ({@link #copy}) also asks for the file's attributes (FSTAT) right behind
 * its last READ: a server answers a channel's requests in order, so they say what the file was once
 * every byte had been read, at no round trip of their own, and the caller can tell whether the
 * file changed while it was read.
 */
public final class Download {

    /** Reports the bytes written so far; may throw to stop the copy (Ctrl-C). */
    @FunctionalInterface
    public interface Progress {
        void at(long bytes) throws IOException;
    }

    /**
     * What a copy took: its bytes, the READ requests sent, and the replies that came back short.
     *
     * @param after the file's attributes once it was read (whole files only; null if not asked
     *              for or refused)
     */
    public record Outcome(long bytes, int requests, int shortReplies, Attributes after) {
    }

    /** How often the waiting thread reports progress when nothing else wakes it. */
    private static final long PROGRESS_MILLIS = 100;

    private final SftpPipe pipe;
    private final String path;
    private final FileChannel out;
    private final long end;
    private final long size; // of the range
    private final int readSize;
    private final int depth;
    /** In flight at most this many for a new batch to go out: a quarter of the depth answered. */
    private final int refillAt;

    // Guarded by this: what the replies change and the sender reads.
    private long next;
    private final ArrayDeque<long[]> again = new ArrayDeque<>(); // {offset, length} of short reads
    private int inflight;
    private int requests;
    private int shortReplies;
    private long written;
    private IOException failure;
    /** Set when the copy ends: replies still under way write nothing more. Read per packet, so not under the lock. */
    private volatile boolean abandoned;
    private byte[] handle;
    /** Whether to ask for the attributes behind the last READ ({@link #copy}). */
    private final boolean stampAtEnd;
    /** The attributes asked for behind the last READ sent so far; guarded by this. */
    private Reply.Waiting stamp;

    private Download(SftpPipe pipe, String path, FileChannel out, long start, long end, int readSize,
            boolean stampAtEnd) {
        this.pipe = pipe;
        this.stampAtEnd = stampAtEnd;
        this.path = path;
        this.out = out;
        this.next = start;
        this.end = end;
        this.size = end - start;
        this.readSize = readSize;
        // As many requests as the window holds: more would only wait in the server's queue.
        this.depth = (int) Math.max(4, Math.min(4096, pipe.window() / readSize + 1));
        this.refillAt = depth - Math.max(1, depth / 4);
    }

    /**
     * Copies the first {@code size} bytes of {@code path} into {@code out} (from position 0) in
     * requests of {@code readSize}.
     */
    public static Outcome copy(SftpPipe pipe, String path, FileChannel out, long size, int readSize, Duration timeout,
            Progress progress) throws IOException {
        return new Download(pipe, path, out, 0, size, readSize, true).run(timeout, progress);
    }

    /**
     * Copies bytes {@code start} to {@code end} (exclusive) of {@code path} to the same offsets of
     * {@code out}; progress counts the bytes of this range.
     */
    public static Outcome copyRange(SftpPipe pipe, String path, FileChannel out, long start, long end, int readSize,
            Duration timeout, Progress progress) throws IOException {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad range " + start + "-" + end);
        }
        return new Download(pipe, path, out, start, end, readSize, false).run(timeout, progress);
    }

    private Outcome run(Duration timeout, Progress progress) throws IOException {
        handle = open(timeout);
        try {
            pump(progress);
            Reply.Waiting asked;
            synchronized (this) {
                asked = stamp;
            }
            Attributes after = null;
            if (asked != null) { // its reply follows the last READ's, which is in
                Reply.Received r = asked.await(timeout);
                after = r.type() == SftpConstants.SSH_FXP_ATTRS ? Attrs.read(r.body()) : null;
            }
            synchronized (this) {
                return new Outcome(written, requests, shortReplies, after);
            }
        } finally {
            abandoned = true;
            closeHandle(handle);
        }
    }

    private byte[] open(Duration timeout) throws IOException {
        int id = pipe.nextId();
        Reply.Waiting reply = new Reply.Waiting();
        pipe.expect(id, reply);
        Buffer request = new ByteArrayBuffer(64 + path.length() * 3);
        Requests.open(request, id, path, SftpConstants.SSH_FXF_READ);
        pipe.send(request);
        Reply.Received r = reply.await(timeout);
        if (r.type() != SftpConstants.SSH_FXP_HANDLE) {
            throw Status.unexpected(r.type(), r.body(), "a handle");
        }
        return r.body().getBytes();
    }

    /**
     * Closes the handle without waiting for the answer: every byte is written by now, and a read
     * handle's close cannot change them. In a tree of small files that wait was a third of each
     * file's round trips. The server answers requests in order, so this worker's next OPEN is
     * handled after this CLOSE and no more handles are open at once than there are workers.
     */
    private void closeHandle(byte[] handle) throws IOException {
        if (pipe.failure() != null) {
            return; // the channel is gone, and the handle with it
        }
        int id = pipe.nextId();
        pipe.expect(id, Reply.IGNORED);
        Buffer request = new ByteArrayBuffer(32 + handle.length);
        Requests.close(request, id, handle);
        pipe.send(request);
    }

    /** Sends requests while there is room, waits for replies to make more; until all bytes are written. */
    private void pump(Progress progress) throws IOException {
        long reported = -1;
        while (true) {
            Buffer batch = null;
            long done;
            synchronized (this) {
                while (failure == null && written < size && !roomToSend()) {
                    try {
                        wait(PROGRESS_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    }
                    if (written != reported) {
                        break; // report progress, then come back
                    }
                }
                if (failure != null) {
                    throw failure;
                }
                done = written;
                if (done < size && roomToSend()) {
                    batch = requests();
                }
            }
            if (batch != null) {
                pipe.send(batch);
            }
            if (done != reported) {
                progress.at(done);
                reported = done;
            }
            if (done == size) {
                return;
            }
        }
    }

    /** Room for a batch: a quarter of the requests answered, a short read to repeat, or the last ones. */
    private boolean roomToSend() {
        boolean more = !again.isEmpty() || next < end;
        return more && (inflight <= refillAt || !again.isEmpty() || inflight == 0);
    }

    /** READ requests for the free room, each with its reply filed; called holding the lock. */
    private Buffer requests() throws IOException {
        Buffer batch = new ByteArrayBuffer((depth - inflight) * 64 + 64);
        while (inflight < depth && (!again.isEmpty() || next < end)) {
            long offset;
            int length;
            long[] retry = again.poll();
            if (retry != null) {
                offset = retry[0];
                length = (int) retry[1];
            } else {
                offset = next;
                length = (int) Math.min(readSize, end - next);
                next += length;
            }
            int id = pipe.nextId();
            pipe.expect(id, new Read(offset, length));
            Requests.read(batch, id, handle, offset, length);
            inflight++;
            requests++;
        }
        if (stampAtEnd && next >= end && again.isEmpty()) { // nothing more to read: behind the last READ
            int id = pipe.nextId();
            stamp = new Reply.Waiting();
            pipe.expect(id, stamp);
            Requests.fstat(batch, id, handle);
        }
        return batch;
    }

    /** The reply to one READ: its payload goes to the file as it arrives. */
    private final class Read implements Reply {
        private final long offset;
        private final int length;
        private long got;

        Read(long offset, int length) {
            this.offset = offset;
            this.length = length;
        }

        @Override
        public void data(byte[] bytes, int off, int len) throws IOException {
            if (got + len > length) {
                throw new IOException("the server sent more data than was asked for");
            }
            if (abandoned) {
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, off, len);
            long at = offset + got;
            while (b.hasRemaining()) {
                at += out.write(b, at);
            }
            got += len;
        }

        @Override
        public void complete(int type, Buffer body) {
            synchronized (Download.this) {
                inflight--;
                if (type == SftpConstants.SSH_FXP_DATA && got > 0) {
                    written += got;
                    if (got < length) {
                        shortReplies++;
                        again.add(new long[] {offset + got, length - got});
                    }
                } else if (failure == null) {
                    failure = type == SftpConstants.SSH_FXP_STATUS && Status.of(body).eof()
                            ? new EOFException(path + ": the file shrank while it was copied")
                            : type == SftpConstants.SSH_FXP_DATA
                                    ? new IOException("the server sent an empty DATA reply")
                                    : Status.unexpected(type, body, "data");
                }
                if (failure != null || written == size || !again.isEmpty()
                        || inflight == refillAt) {
                    Download.this.notifyAll();
                }
            }
        }

        @Override
        public void failed(IOException cause) {
            synchronized (Download.this) {
                if (failure == null) {
                    failure = cause;
                }
                Download.this.notifyAll();
            }
        }
    }
}
