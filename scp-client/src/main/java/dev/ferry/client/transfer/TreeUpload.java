package dev.ferry.client.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.common.SftpConstants;

import dev.ferry.client.sftp.Attrs;
import dev.ferry.client.sftp.Reply;
import dev.ferry.client.sftp.Requests;
import dev.ferry.client.sftp.SftpPipe;
import dev.ferry.client.sftp.Status;
import dev.ferry.fs.FileStamp;
import dev.ferry.fs.TemporaryName;

/**
 * A tree's upload over one {@link SftpPipe} with the steps of many files in flight at once: the
 * directories are created in one batch (parents first), then every file's stat, open, writes,
 * attributes, close and rename go out without waiting for the previous file's replies. A file
 * costs its bytes, not its round trips (OpenSSH's sftp and scp wait for each step of each file).
 *
 * <p>Threads: the calling thread sends everything and reads the local files; replies are handled
 * on MINA's I/O thread, which never sends (a send may wait for the channel's window, which only
 * that thread can open): what a reply makes due (a rename, a removal) is queued for the caller.
 *
 * <p>Order: a server answers the requests of one channel in order (OpenSSH's sftp-server and
 * MINA's subsystem both handle them one at a time), which the batch of directories relies on
 * (a child's MKDIR after its parent's); a file's rename is sent only once its close was answered.
 */
final class TreeUpload {

    /**
     * One file to send and where it lands.
     *
     * @param known the caller has looked at {@code dst} already (ferry sync's listing) and found no
     *              directory there: with -p, whose mode is the source's, the file's LSTAT (one of its
     *              six requests) is then not sent
     */
    record Item(Path source, String dst, boolean known) {
        Item(Path source, String dst) {
            this(source, dst, false);
        }
    }

    /**
     * Files open at once at most (between their OPEN and their CLOSE's reply), unless the server
     * announces a lower limit: each holds a slot for about two round trips (open, then close), so
     * at 50 ms 256 slots carry some 2,500 files a second.
     */
    static final int MAX_OPEN = 256;

    /**
     * Written bytes kept unacknowledged: at least this, and more on a long path (one round trip at
     * {@link #UNACKED_RATE}). Not the whole window: OpenSSH's sshd, handed its whole 2 MiB window
     * at once, spent its time growing and moving its channel buffer (perf: memmove, mmap and page
     * faults in sshd); a cold ferry cp -r of 1000 files of 64 KiB took 3.6-4.3 s so, 2.7-2.8 s
     * with 512 KiB unacknowledged; ferryd is indifferent (1.6-2.0 s either way).
     */
    static final long UNACKED_FLOOR = 512 * 1024;
    /** The rate the unacknowledged bytes should sustain over the connection's round trip. */
    static final long UNACKED_RATE = 1_500_000_000L;

    /** Bytes read from local files per send (several WRITE requests in one channel write). */
    private static final int BATCH = 1 << 20;

    private final SftpPipe pipe;
    private final String server;
    private final TransferOptions options;
    private final TransferListener listener;
    private final int writeSize;
    private final boolean posixRename;
    private final List<String> failures = new ArrayList<>(); // guarded by this
    private int lost; // guarded by this: files failed once the channel was gone (SftpCopier.fail says why)
    /** The directories {@link #makeDirectories} created (not found existing): their files are all new. */
    private final Set<String> madeHere = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Buffer> due = new ArrayDeque<>(); // guarded by this: requests replies made due
    private int inFlight; // guarded by this: files opened and not finished
    private int removing; // guarded by this: failed files' partial copies whose REMOVE is unanswered
    private int openHandles; // guarded by this: files opened and not yet closed
    private final int maxOpen;
    private long unacked; // guarded by this: bytes written and not yet acknowledged
    private final long unackedLimit;

    /**
     * {@code listener} is called from two threads: it must be thread-safe. {@code roundTrip} is
     * the connection's, as measured at connect time (it sizes the bytes kept unacknowledged).
     */
    TreeUpload(SftpPipe pipe, String server, TransferOptions options, TransferListener listener, int writeSize,
            Duration roundTrip, int maxOpen) {
        this.maxOpen = maxOpen;
        this.pipe = pipe;
        this.server = server;
        this.options = options;
        this.listener = listener;
        this.writeSize = writeSize;
        this.posixRename = pipe.extensions().contains(Requests.POSIX_RENAME);
        this.unackedLimit = Math.max(UNACKED_FLOOR, roundTrip.toNanos() * UNACKED_RATE / 1_000_000_000L);
    }

    /**
     * Uploads {@code items} (their directories made already, see {@link #makeDirectories}); the
     * sentences of what failed are then in {@link #failures()}.
     */
    void upload(List<Item> items) throws IOException {
        // A file's state exists from its OPEN until its end (the reply handlers hold it then), not
        // for the whole tree: 100,000 files of state up front (500 bytes each) did not fit a 48 MiB heap.
        Uploads uploads = new Uploads(items);
        int opened = 0;
        for (int i = 0; i < items.size(); i++) {
            opened = openAhead(uploads, opened);
            Upload u = uploads.get(i);
            opened = awaitOpened(u, uploads, opened);
            uploads.release(i);
            if (u.handle == null) {
                continue; // refused at open: finished already
            }
            if (u.error == null) {
                try {
                    sendData(u);
                } catch (IOException e) {
                    u.fail(e);
                }
            }
            sendClose(u);
        }
        while (true) {
            sendDue();
            synchronized (this) {
                // The partial copies of failed files are gone before this returns: the channel is
                // closed next, and a server may drop requests it has not handled by then (ferryd
                // left a .ferry-part of the tree's last failed file behind).
                if (inFlight == 0 && removing == 0 && due.isEmpty()) {
                    return;
                }
                if (due.isEmpty()) {
                    waitForReplies();
                }
            }
        }
    }

    /** The files' states, each made when first needed and let go once the sending loop is past it. */
    private final class Uploads {
        private final List<Item> items;
        private final Upload[] made;

        Uploads(List<Item> items) {
            this.items = items;
            this.made = new Upload[items.size()];
        }

        int size() {
            return items.size();
        }

        Upload get(int i) {
            if (made[i] == null) {
                made[i] = new Upload(items.get(i));
            }
            return made[i];
        }

        void release(int i) {
            made[i] = null;
        }
    }

    /** The sentences of the failures so far, but for those of a lost channel. */
    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    /** Files that failed because the channel was gone. */
    synchronized int lost() {
        return lost;
    }

    // ---- directories --------------------------------------------------------------------------

    /**
     * Creates {@code dirs}, parents before children, in one batch; an existing directory is kept.
     * Returns the directories that could not be made; their sentences are among {@link #failures()}.
     */
    List<String> makeDirectories(List<String> dirs) throws IOException {
        List<String> broken = new ArrayList<>();
        if (dirs.isEmpty()) {
            return broken;
        }
        Reply.Received[] made = pipe.exchange(dirs, (b, id, d) -> Requests.mkdir(b, id, d));
        List<String> check = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) {
            if (made[i].type() == SftpConstants.SSH_FXP_STATUS && Status.of(made[i].body()).ok()) {
                madeHere.add(dirs.get(i));
            } else {
                check.add(dirs.get(i)); // exists already, or refused: the stat tells which
            }
        }
        if (check.isEmpty()) {
            return broken;
        }
        Reply.Received[] stats = pipe.exchange(check, (b, id, d) -> Requests.lstat(b, id, d));
        for (int i = 0; i < check.size(); i++) {
            String dir = check.get(i);
            Reply.Received s = stats[i];
            if (s.type() == SftpConstants.SSH_FXP_ATTRS && Attrs.read(s.body()).isDirectory()) {
                continue;
            }
            broken.add(dir);
            synchronized (this) {
                failures.add(s.type() == SftpConstants.SSH_FXP_ATTRS ? server + ":" + dir + ": not a directory"
                        : SftpCopier.describe(Status.unexpected(s.type(), s.body(), "attributes"), server + ":" + dir));
            }
        }
        return broken;
    }

    // ---- files --------------------------------------------------------------------------------

    /**
     * Sends LSTAT and OPEN for the files after {@code opened} while the bound allows; returns the
     * new count. The slots are taken under the lock, the local files stated outside it (a reply
     * handler waiting for the lock would hold up every reply behind it).
     */
    private int openAhead(Uploads uploads, int opened) throws IOException {
        int from = opened;
        synchronized (this) {
            while (opened < uploads.size() && openHandles < maxOpen) {
                inFlight++;
                openHandles++;
                opened++;
            }
        }
        if (opened > from) {
            Buffer batch = new ByteArrayBuffer(8 * 1024);
            for (int i = from; i < opened; i++) {
                uploads.get(i).open(batch);
            }
            pipe.send(batch);
        }
        return opened;
    }

    /**
     * Waits until {@code u}'s open and stat are answered, opening more and sending what replies
     * made due meanwhile; returns how many files have been opened.
     */
    private int awaitOpened(Upload u, Uploads uploads, int opened) throws IOException {
        while (!u.answered()) {
            sendDue();
            if (!u.sentOpen) { // the bound was full of files before this one; some may have finished
                opened = openAhead(uploads, opened);
            }
            synchronized (this) {
                if (!u.answered() && due.isEmpty()) {
                    waitForReplies();
                }
            }
        }
        return opened;
    }

    /** Holding the lock: waits for a reply handler's notifyAll, or the pipe's failure. */
    private void waitForReplies() throws IOException {
        pipe.awaitReplies(this);
    }

    /**
     * Sends the requests replies made due. Never holding the lock: a send may wait for the
     * server's window, whose adjustment arrives on the I/O thread, which may be waiting for the lock.
     */
    private void sendDue() throws IOException {
        List<Buffer> now;
        synchronized (this) {
            if (due.isEmpty()) {
                return;
            }
            now = new ArrayList<>(due);
            due.clear();
        }
        for (Buffer b : now) {
            pipe.send(b);
        }
    }

    private void sendData(Upload u) throws IOException {
        long offset = 0;
        byte[] chunk = new byte[(int) Math.min(BATCH, Math.max(u.size, 1))];
        try (FileChannel in = FileChannel.open(u.item.source(), StandardOpenOption.READ)) {
            while (true) {
                int n = readFully(in, chunk);
                if (n <= 0) {
                    break;
                }
                awaitRoom(n);
                Buffer batch = new ByteArrayBuffer(n + (n / writeSize + 1) * 64);
                for (int from = 0; from < n; from += writeSize) {
                    int len = Math.min(writeSize, n - from);
                    int id = pipe.nextId();
                    pipe.expect(id, u.new Written(len));
                    Requests.write(batch, id, u.handle, offset + from, chunk, from, len);
                }
                pipe.send(batch);
                offset += n;
                u.sent = offset;
                listener.progress(u.transfer, offset);
                sendDue();
                if (u.error != null) {
                    return; // the server refused a write: stop sending this file
                }
                if (offset > u.size) {
                    break; // it grew: changed, and what is appended need not be read
                }
            }
        }
        // The failure comes before the close, so the partial copy is removed, never renamed.
        u.stamp.verify(u.item.source().toString(), offset, FileStamp.ofUnix(u.item.source()));
    }

    /** Waits until {@code n} more bytes may be sent without exceeding the unacknowledged bound, and counts them. */
    private void awaitRoom(int n) throws IOException {
        while (true) {
            sendDue();
            synchronized (this) {
                if (unacked == 0 || unacked + n <= unackedLimit) {
                    unacked += n;
                    return;
                }
                waitForReplies();
            }
        }
    }

    private static int readFully(FileChannel in, byte[] into) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(into);
        while (b.hasRemaining()) {
            if (in.read(b) < 0) {
                break;
            }
        }
        return b.position();
    }

    /** The attributes (if any) and the close, in one write. */
    private void sendClose(Upload u) throws IOException {
        Buffer batch = new ByteArrayBuffer(128);
        if (u.error == null) {
            int mode = u.mode();
            long[] times = u.times();
            if (mode >= 0 || times != null) {
                int id = pipe.nextId();
                pipe.expect(id, u.acks);
                Requests.fsetstat(batch, id, u.handle, mode, times);
            }
        }
        int id = pipe.nextId();
        pipe.expect(id, u.new Closed());
        Requests.close(batch, id, u.handle);
        pipe.send(batch);
    }

    /** Queues a request to go out from the calling thread (replies must not send). Holding the lock. */
    private void queue(Buffer request) {
        due.add(request);
        notifyAll();
    }

    /** One file's way through: its replies change it on the I/O thread, the caller reads it under the lock. */
    private final class Upload {
        final Item item;
        final String partial;
        final Acks acks = new Acks();
        // Read once from the local file when its OPEN goes out (see readLocal).
        long size;
        FileStamp stamp; // what tells whether it changed while it was read
        int localMode = -1;
        long[] localTimes; // access and modification, in seconds
        TransferListener.FileTransfer transfer;
        long start;
        boolean sentOpen;
        volatile byte[] handle;
        volatile IOException error;
        volatile boolean statAnswered;
        volatile boolean openAnswered;
        volatile int oldMode = -1; // the replaced file's permissions
        volatile long sent;

        Upload(Item item) {
            this.item = item;
            this.partial = options.atomic()
                    ? RemoteNames.join(RemoteNames.parent(item.dst()),
                            TemporaryName.of(RemoteNames.baseName(item.dst()), SftpCopier.PARTIAL_SUFFIX))
                    : item.dst();
        }

        /** The local file's size, mode, times and identity in one stat, taken as late as possible. */
        private void readLocal() {
            try {
                Map<String, Object> a = Files.readAttributes(item.source(),
                        "unix:mode,lastAccessTime," + FileStamp.UNIX_ATTRIBUTES);
                stamp = FileStamp.ofUnix(a);
                size = stamp.size();
                localMode = (Integer) a.get("mode") & 07777;
                localTimes = new long[] {((FileTime) a.get("lastAccessTime")).to(TimeUnit.SECONDS),
                        ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS)};
            } catch (IOException e) {
                error = e;
            }
        }

        boolean answered() {
            return statAnswered && openAnswered;
        }

        void open(Buffer batch) {
            sentOpen = true;
            start = System.nanoTime();
            readLocal();
            transfer = new TransferListener.FileTransfer(item.source().toString(), server + ":" + item.dst(), size,
                    "sftp");
            listener.started(transfer);
            if (error != null) { // could not even be read locally: nothing to open
                statAnswered = true;
                openAnswered = true;
                finish(error);
                return;
            }
            // The stat says what is there (a directory is refused) and, without -p, the mode to keep;
            // in a directory this run has just made there is nothing to ask about.
            boolean stat = !(item.known() && options.preserve()) && !madeHere.contains(RemoteNames.parent(item.dst()));
            int statId = stat ? pipe.nextId() : -1;
            int openId = pipe.nextId();
            try {
                if (stat) {
                    pipe.expect(statId, new Stat());
                }
                pipe.expect(openId, new Opened());
            } catch (IOException e) {
                statAnswered = true;
                openAnswered = true;
                finish(e);
                return;
            }
            if (stat) {
                Requests.lstat(batch, statId, item.dst());
            } else {
                statAnswered = true;
            }
            Requests.open(batch, openId, partial, SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT
                    | SftpConstants.SSH_FXF_TRUNC);
        }

        void fail(IOException e) {
            if (error == null) {
                error = e;
            }
        }

        /** The permissions to set: as SftpCopier.uploadedAttributes decides; -1 for none. */
        int mode() {
            if (localMode < 0) {
                return -1;
            }
            if (options.preserve()) {
                return localMode;
            }
            if (oldMode >= 0) {
                return oldMode & 07777;
            }
            return (localMode & 0111) != 0 ? localMode & 0755 : -1;
        }

        /** With -p, the source's access and modification times in seconds. */
        long[] times() {
            return options.preserve() ? localTimes : null;
        }

        private boolean released;

        /** Its handle is closed (or was never opened): its place in the bound on open files is free. */
        void releaseHandle() {
            synchronized (TreeUpload.this) {
                if (!released) {
                    released = true;
                    openHandles--;
                    TreeUpload.this.notifyAll();
                }
            }
        }

        /** Ends this file: reported once. Holding the lock or not. */
        void finish(IOException failure) {
            releaseHandle();
            // told before the file stops counting as in flight: upload() returns once none is, and
            // its caller reads what the listener heard (a file told after that went unreported)
            listener.finished(transfer, failure == null ? size : sent, (System.nanoTime() - start) / 1e9, failure);
            synchronized (TreeUpload.this) {
                inFlight--;
                if (failure != null && pipe.failure() != null) {
                    lost++;
                } else if (failure != null) {
                    failures.add(SftpCopier.describe(failure, item.source().toString()));
                }
                TreeUpload.this.notifyAll();
            }
        }

        private void removePartial() {
            if (options.atomic()) {
                Buffer b = new ByteArrayBuffer(64 + partial.length() * 3);
                int id = pipe.nextId();
                try {
                    pipe.expect(id, new Reply() {
                        @Override
                        public void complete(int type, Buffer body) {
                            removed();
                        }

                        @Override
                        public void failed(IOException cause) {
                            removed();
                        }
                    });
                } catch (IOException e) {
                    return;
                }
                Requests.remove(b, id, partial);
                synchronized (TreeUpload.this) {
                    removing++;
                    queue(b);
                }
            }
        }

        private void removed() {
            synchronized (TreeUpload.this) {
                removing--;
                TreeUpload.this.notifyAll();
            }
        }

        private final class Stat implements Reply {
            @Override
            public void complete(int type, Buffer body) {
                if (type == SftpConstants.SSH_FXP_ATTRS) {
                    Attributes old = Attrs.read(body);
                    if (old.isDirectory()) {
                        fail(new IOException(server + ":" + item.dst() + ": is a directory"));
                    } else {
                        oldMode = Attrs.permissions(old);
                    }
                }
                statAnswered = true;
                wake();
            }

            @Override
            public void failed(IOException cause) {
                fail(cause);
                statAnswered = true;
                wake();
            }
        }

        private final class Opened implements Reply {
            @Override
            public void complete(int type, Buffer body) {
                if (type == SftpConstants.SSH_FXP_HANDLE) {
                    handle = body.getBytes();
                    openAnswered = true;
                    wake();
                    return;
                }
                openAnswered = true;
                finish(Status.unexpected(type, body, "a handle"));
            }

            @Override
            public void failed(IOException cause) {
                openAnswered = true;
                finish(cause);
            }
        }

        /** A WRITE's reply: its bytes leave the unacknowledged count; a refusal is the file's failure. */
        private final class Written implements Reply {
            private final int length;

            Written(int length) {
                this.length = length;
            }

            @Override
            public void complete(int type, Buffer body) {
                acked();
                acks.complete(type, body);
            }

            @Override
            public void failed(IOException cause) {
                acked();
                fail(cause);
            }

            private void acked() {
                synchronized (TreeUpload.this) {
                    unacked -= length;
                    TreeUpload.this.notifyAll();
                }
            }
        }

        /** FSETSTAT's and WRITE's replies: the first refusal is the file's failure. */
        private final class Acks implements Reply {
            @Override
            public void complete(int type, Buffer body) {
                if (type != SftpConstants.SSH_FXP_STATUS || !Status.of(body).ok()) {
                    fail(Status.unexpected(type, body, "a status"));
                }
            }

            @Override
            public void failed(IOException cause) {
                fail(cause);
            }
        }

        private final class Closed implements Reply {
            @Override
            public void complete(int type, Buffer body) throws IOException {
                releaseHandle();
                if (type != SftpConstants.SSH_FXP_STATUS || !Status.of(body).ok()) {
                    fail(Status.unexpected(type, body, "a status"));
                }
                if (error != null) {
                    removePartial();
                    finish(error);
                } else if (!options.atomic()) {
                    finish(null);
                } else {
                    Buffer b = new ByteArrayBuffer(128 + (partial.length() + item.dst().length()) * 3);
                    if (!posixRename) { // version 3's rename refuses an existing name: remove it first
                        int removeId = pipe.nextId();
                        pipe.expect(removeId, Reply.IGNORED);
                        Requests.remove(b, removeId, item.dst());
                    }
                    int id = pipe.nextId();
                    pipe.expect(id, new Renamed());
                    if (posixRename) {
                        Requests.posixRename(b, id, partial, item.dst());
                    } else {
                        Requests.rename(b, id, partial, item.dst());
                    }
                    synchronized (TreeUpload.this) {
                        queue(b);
                    }
                }
            }

            @Override
            public void failed(IOException cause) {
                finish(cause);
            }
        }

        private final class Renamed implements Reply {
            @Override
            public void complete(int type, Buffer body) {
                if (type == SftpConstants.SSH_FXP_STATUS && Status.of(body).ok()) {
                    finish(null);
                    return;
                }
                removePartial();
                finish(Status.unexpected(type, body, "a status"));
            }

            @Override
            public void failed(IOException cause) {
                finish(cause);
            }
        }
    }

    private void wake() {
        synchronized (this) {
            notifyAll();
        }
    }
}
