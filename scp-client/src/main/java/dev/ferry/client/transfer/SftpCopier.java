package dev.ferry.client.transfer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHLimitsExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;
import org.apache.sshd.sftp.client.impl.SftpInputStreamAsync;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.Connector;
import dev.ferry.client.sftp.Download;
import dev.ferry.client.sftp.SftpPipe;
import dev.ferry.fs.FileStamp;
import dev.ferry.fs.SourceChangedException;
import dev.ferry.fs.TemporaryName;
import dev.ferry.scp.AtomicScpFileOpener;
import dev.ferry.transport.InlineCompletions;

/**
 * Copies files and trees over one SFTP session, as OpenSSH's scp does in its default (SFTP) mode.
 *
 * <p>Each file moves through MINA's asynchronous streams, which keep as many read or write
 * requests in flight as the channel window holds, with requests as large as the server's
 * {@code limits@openssh.com} allows (at most 255 KiB; 32 KiB when the server does not say).
 * A failure on one file is reported and the copy goes on with the next, as scp does; the copy as a
 * whole then fails.
 */
public final class SftpCopier implements Copier {

    /** The largest request: an OpenSSH peer refuses SFTP messages over 256 KiB, headers included. */
    static final int MAX_REQUEST = 256 * 1024 - 1024;
    /** The request size every SFTP server must accept. */
    static final int DEFAULT_REQUEST = 32 * 1024;
    /** Partial files carry this suffix until they are renamed into place. */
    public static final String PARTIAL_SUFFIX = TemporaryName.PARTIAL; // one name: ferryd knows it too

    private final SftpClient sftp;
    private final Throttle throttle;
    /** The server's largest write; {@link #writeSize} may be smaller for MINA's writer (fitPacket says why). */
    private final int maxWrite;
    /** Files a tree may keep open at once: Ferry's bound, or the server's (limits@openssh.com) if lower. */
    private final int maxOpenHandles;
    private final ParallelRanges.Streams streams;
    private final int streamCount;
    private final TransferOptions options;
    private final TransferListener listener;
    private final String server;
    private final int readSize;
    private final int writeSize;
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    /** Files that failed because the connection was gone by then (see fail). */
    private int lost;
    /** Files found by upload()/download(), copied once every directory exists (see runFiles). */
    private final List<FileJob> files = new ArrayList<>();
    /** Work that must wait for the files: directory times and modes with -p. */
    private final List<FileJob> afterFiles = new ArrayList<>();
    /** A tree's channel, shared by the workers of downloadTrees; null otherwise. */
    private SftpPipe sharedPipe;

    /** @param server how the server is named in messages and reports, e.g. {@code alice@host} */
    public SftpCopier(SftpClient sftp, String server, TransferOptions options, TransferListener listener)
            throws IOException {
        this(sftp, server, options, listener, Throttle.NONE);
    }

    public SftpCopier(SftpClient sftp, String server, TransferOptions options, TransferListener listener,
            Throttle throttle) throws IOException {
        this(sftp, server, options, listener, throttle, null, 1);
    }

    /**
     * @param streams for {@code --streams}: opens the extra connections that carry a large file's
     *                ranges in parallel (null for one stream)
     * @param count   how many ranges a large file is cut into
     */
    public SftpCopier(SftpClient sftp, String server, TransferOptions options, TransferListener listener,
            Throttle throttle, ParallelRanges.Streams streams, int count) throws IOException {
        this.sftp = sftp;
        this.throttle = throttle;
        this.streams = streams;
        this.streamCount = count;
        this.server = server;
        this.options = options;
        this.listener = listener;
        int read = DEFAULT_REQUEST;
        int write = DEFAULT_REQUEST;
        int handles = TreeUpload.MAX_OPEN;
        OpenSSHLimitsExtension limits = sftp.getExtension(OpenSSHLimitsExtension.class);
        if (limits != null && limits.isSupported()) {
            var info = limits.limits();
            read = clamp(info.maxReadLength);
            write = clamp(info.maxWriteLength);
            if (info.maxOpenHandles > 0) {
                handles = (int) Math.min(handles, info.maxOpenHandles);
            }
        }
        this.readSize = read;
        this.maxWrite = write;
        this.maxOpenHandles = Math.max(1, handles);
        this.writeSize = fitPacket(sftp, write);
    }

    /** A worker of downloadTrees: the parent's settings, its own errors, the tree's channel. */
    private SftpCopier(SftpCopier parent, TransferListener listener, SftpPipe pipe) {
        this.sftp = parent.sftp;
        this.throttle = parent.throttle;
        this.streams = null;
        this.streamCount = 1;
        this.server = parent.server;
        this.options = parent.options;
        this.listener = listener;
        this.readSize = parent.readSize;
        this.writeSize = parent.writeSize;
        this.maxWrite = parent.maxWrite;
        this.maxOpenHandles = parent.maxOpenHandles;
        this.sharedPipe = pipe;
    }

    /**
     * A write that fits one SSH packet of the server when its packets are small (OpenSSH's 32 KiB):
     * MINA's writer sends a larger write as a message of its own and waits until each is out before
     * queueing the next, which measured 34 MB/s at 10 ms against scp's 154 (writes of 255 KiB into
     * sshd); writes that fit a packet are queued without waiting. ferryd's 128 KiB packets keep the
     * larger writes, which measure faster there.
     */
    private static int fitPacket(SftpClient sftp, int write) {
        if (!(sftp instanceof AbstractSftpClient client)) {
            return write;
        }
        long packet = client.getChannel().getRemoteWindow().getPacketSize();
        return packet > 0 && packet < 64 * 1024 ? (int) Math.min(write, packet - 512) : write;
    }

    private static int clamp(long advertised) {
        return advertised <= 0 ? DEFAULT_REQUEST : (int) Math.min(advertised, MAX_REQUEST);
    }

    public int readSize() {
        return readSize;
    }

    public int writeSize() {
        return writeSize;
    }

    @Override
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Things the user should know that did not make the copy fail (a partial file not reused). */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * Records a file's failure. One that comes once the session is closed is the lost connection's,
     * counted, not said: a cut connection fails every file in flight, and one sentence says it
     * ({@link #connectionLost()}), where a tree would print one per file in words of MINA's.
     */
    private void fail(String sentence) {
        if (sftp.getClientSession().isOpen()) {
            errors.add(sentence);
        } else {
            lost++;
        }
    }

    @Override
    public boolean connectionLost() {
        return lost > 0;
    }

    // ---- upload ------------------------------------------------------------------------------

    /**
     * Copies local files (and with -r directories) to {@code target} on the server. As with scp, a
     * target that is an existing directory receives the sources under their own names; otherwise
     * it is the new name of the one source.
     */
    @Override
    public void upload(List<Path> sources, String target) throws FerryException {
        Attributes targetAttrs;
        try {
            targetAttrs = statOrNull(target);
        } catch (IOException e) {
            throw new FerryException(describe(e, server + ":" + target), e);
        }
        boolean intoDir = targetAttrs != null && targetAttrs.isDirectory() || target.isEmpty() || target.endsWith("/");
        if (sources.size() > 1 && !intoDir) {
            throw new FerryException(server + ":" + target + ": not a directory");
        }
        List<String> treeDirs = new ArrayList<>();
        List<TreeUpload.Item> treeFiles = new ArrayList<>();
        for (Path source : sources) {
            String name = source.getFileName() == null ? source.toString() : source.getFileName().toString();
            String dst = intoDir ? RemoteNames.join(target, name) : target;
            try {
                if (Files.isDirectory(source)) {
                    if (!options.recursive()) {
                        fail(source + ": not a regular file (use -r for directories)");
                        continue;
                    }
                    if (pipelinedTrees()) {
                        collectTree(source, dst, treeDirs, treeFiles);
                    } else {
                        uploadTree(source, dst);
                    }
                } else if (!Files.exists(source)) {
                    fail(source + ": No such file or directory");
                } else {
                    files.add(new FileJob(source.toString(), on -> on.uploadFile(source, dst)));
                }
            } catch (IOException e) {
                fail(describe(e, source.toString()));
            }
        }
        if (!treeDirs.isEmpty()) {
            uploadTrees(treeDirs, treeFiles);
        }
        runFiles();
    }

    /**
     * Trees go through {@link TreeUpload} (every step of many files in flight on one channel of
     * Ferry's own) unless a run needs what only the file-by-file path does: resuming, a rate
     * limit, or --streams for its large files.
     */
    private boolean pipelinedTrees() {
        return !options.resume() && throttle == Throttle.NONE && streams == null;
    }

    /** Lists a local tree: its directories parents first, its files, in name order. */
    private void collectTree(Path dir, String dst, List<String> dirs, List<TreeUpload.Item> items) throws IOException {
        dirs.add(dst);
        for (Path child : childrenOf(dir)) {
            String childDst = RemoteNames.join(dst, child.getFileName().toString());
            try {
                if (Files.isDirectory(child)) {
                    collectTree(child, childDst, dirs, items);
                } else if (Files.isRegularFile(child)) {
                    items.add(new TreeUpload.Item(child, childDst));
                }
            } catch (IOException e) {
                fail(describe(e, child.toString()));
            }
        }
        if (options.preserve()) {
            afterFiles.add(new FileJob(dir.toString(), on -> on.sftp.setStat(dst, preservedAttributes(dir))));
        }
    }

    /** A local directory's entries in name order. */
    private static List<Path> childrenOf(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(children::add);
        }
        children.sort(null);
        return children;
    }

    /** The trees' directories in one batch, then their files, all over one channel of Ferry's own. */
    private void uploadTrees(List<String> dirs, List<TreeUpload.Item> items) {
        ClientSession session = sftp.getClientSession();
        Duration timeout = SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.getRequired(session);
        try (SftpPipe pipe = SftpPipe.open(session, timeout)) {
            TreeUpload tree = new TreeUpload(pipe, server, options, synchronizedListener(listener), maxWrite,
                    Connector.roundTrip(session), maxOpenHandles);
            List<String> broken = tree.makeDirectories(dirs);
            List<TreeUpload.Item> todo = new ArrayList<>();
            for (TreeUpload.Item item : items) {
                if (broken.stream().noneMatch(d -> item.dst().startsWith(d + "/"))) {
                    todo.add(item); // the rest lie under a directory that could not be made: said once
                }
            }
            tree.upload(todo);
            errors.addAll(tree.failures()); // the directories' and the files', but for the lost connection's
            lost += tree.lost();
        } catch (IOException e) {
            fail(describe(e, server));
        }
    }

    private void uploadTree(Path dir, String dst) throws IOException {
        Attributes existing = statOrNull(dst);
        if (existing == null) {
            sftp.mkdir(dst);
        } else if (!existing.isDirectory()) {
            fail(server + ":" + dst + ": not a directory");
            return;
        }
        for (Path child : childrenOf(dir)) {
            String childDst = RemoteNames.join(dst, child.getFileName().toString());
            try {
                if (Files.isDirectory(child)) {
                    uploadTree(child, childDst);
                } else if (Files.isRegularFile(child)) {
                    files.add(new FileJob(child.toString(), on -> on.uploadFile(child, childDst)));
                }
            } catch (IOException e) {
                fail(describe(e, child.toString()));
            }
        }
        if (options.preserve()) {
            afterFiles.add(new FileJob(dir.toString(), on -> on.sftp.setStat(dst, preservedAttributes(dir))));
        }
    }

    private void uploadFile(Path source, String dst) throws IOException {
        FileStamp before = FileStamp.of(source); // the size, and what tells a change while it is read
        long size = before.size();
        Attributes old = statOrNull(dst);
        if (old != null && old.isDirectory()) {
            throw new IOException(server + ":" + dst + ": is a directory");
        }
        String partial = options.atomic()
                ? RemoteNames.join(RemoteNames.parent(dst), TemporaryName.of(RemoteNames.baseName(dst), PARTIAL_SUFFIX))
                : dst;
        var transfer = new TransferListener.FileTransfer(source.toString(), server + ":" + dst, size, "sftp");
        listener.started(transfer);
        long start = System.nanoTime();
        long offset = options.resume() ? resumableUploadOffset(source, size, partial) : 0;
        long copied = offset;
        try {
            if (parallel(size) && offset == 0) {
                sftp.write(partial, writeSize, EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate)).close();
                copied = parallelRanges(writeSize).upload(source, partial, size, progressOf(transfer));
            } else {
                try (InputStream in = Files.newInputStream(source);
                        OutputStream out = remoteOutput(partial, offset)) {
                    in.skipNBytes(offset);
                    // a byte past the size says the file grew: no need to read what is appended
                    copied += pump(in, out, transfer, offset, size + 1 - offset);
                }
            }
            // Before the attributes and the rename: a changed file's partial copy never takes the
            // target's place. With --resume it stays, as after any failure: the next run reuses only
            // the prefix whose digest matches the source then (ResumePoint).
            before.verify(source.toString(), copied, FileStamp.after(source));
            Attributes attrs = uploadedAttributes(source, old);
            if (attrs != null) {
                sftp.setStat(partial, attrs);
            }
            if (options.atomic()) {
                renameIntoPlace(partial, dst);
            }
        } catch (IOException | RuntimeException e) {
            if (options.atomic() && !options.resume()) {
                removeQuietly(partial);
            }
            listener.finished(transfer, copied, seconds(start), e);
            throw e;
        }
        listener.finished(transfer, copied, seconds(start), null);
    }

    /** A remote file opened for writing: from the start (truncated), or at {@code offset} to resume. */
    private OutputStream remoteOutput(String path, long offset) throws IOException {
        if (offset == 0) {
            return sftp.write(path, writeSize, EnumSet.of(OpenMode.Write, OpenMode.Create, OpenMode.Truncate));
        }
        SftpOutputStreamAsync out = new SftpOutputStreamAsync((AbstractSftpClient) sftp, writeSize, path,
                sftp.open(path, EnumSet.of(OpenMode.Write)));
        out.setOffset(offset);
        return out;
    }

    /** How much of an upload a partial file left on the server already holds (0: start over). */
    private long resumableUploadOffset(Path source, long size, String partial) throws IOException {
        Attributes existing = statOrNull(partial);
        if (existing == null || !existing.isRegularFile()) {
            return 0;
        }
        long keep = new ResumePoint(sftp, readSize).verifiedPrefix(existing.getSize(), size, source, partial);
        if (keep == ResumePoint.MISMATCH) {
            warnings.add("ferry: " + server + ":" + partial + " is not a prefix of " + source + "; starting over");
            return 0;
        }
        return keep;
    }

    /**
     * The mode and times a new remote file gets: with -p the source's; without, the old file's mode
     * when one is replaced (as an in-place write would keep it), or the source's execute bits so
     * that scripts stay runnable, and otherwise the server's default.
     */
    private Attributes uploadedAttributes(Path source, Attributes old) throws IOException {
        if (options.preserve()) {
            return preservedAttributes(source);
        }
        if (old != null) {
            return new Attributes().perms(old.getPermissions() & 07777);
        }
        int mode = mode(source);
        return (mode & 0111) != 0 ? new Attributes().perms(mode & 0755) : null;
    }

    private Attributes preservedAttributes(Path local) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(local);
        FileTime atime = (FileTime) Files.getAttribute(local, "lastAccessTime");
        return new Attributes().perms(mode(local)).modifyTime(mtime).accessTime(atime);
    }

    private void renameIntoPlace(String partial, String dst) throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
            posix.posixRename(partial, dst); // atomic replace, as rename(2)
            return;
        }
        // Plain SFTP v3 rename refuses an existing target: remove it first (not atomic, but safe:
        // the complete new file is already there).
        if (statOrNull(dst) != null) {
            sftp.remove(dst);
        }
        sftp.rename(partial, dst);
    }

    // ---- download ----------------------------------------------------------------------------

    /**
     * Copies files (and with -r directories) from the server to {@code target}. Remote globs are
     * expanded here, as OpenSSH's sftp does; only names the server lists under the requested
     * directory are accepted.
     */
    @Override
    public void download(List<String> sources, Path target) throws FerryException {
        List<String> expanded = new ArrayList<>();
        for (String source : sources) {
            try {
                expanded.addAll(expand(source));
            } catch (IOException e) {
                fail(describe(e, server + ":" + source));
            }
        }
        boolean intoDir = Files.isDirectory(target);
        if (expanded.size() > 1 && !intoDir) {
            throw new FerryException(target + ": not a directory");
        }
        List<RemoteTree.Entry> treeRoots = new ArrayList<>();
        List<Path> treeTargets = new ArrayList<>();
        for (String source : expanded) {
            try {
                Attributes attrs = sftp.stat(source);
                String name = RemoteNames.checkListedName(RemoteNames.baseName(source), source);
                Path dst = intoDir ? target.resolve(name) : target;
                if (attrs.isDirectory()) {
                    if (!options.recursive()) {
                        fail(server + ":" + source + ": not a regular file (use -r for directories)");
                        continue;
                    }
                    if (pipelinedTrees()) {
                        treeRoots.add(new RemoteTree.Entry(source, attrs));
                        treeTargets.add(dst);
                    } else {
                        downloadTree(source, dst);
                    }
                } else {
                    files.add(new FileJob(server + ":" + source, on -> on.downloadFile(source, attrs, dst)));
                }
            } catch (IOException e) {
                fail(describe(e, server + ":" + source));
            }
        }
        if (!treeRoots.isEmpty()) {
            downloadTrees(treeRoots, treeTargets);
        }
        runFiles();
    }

    /**
     * Files fetched at once from the trees, a thread each: a file waits three round trips of its
     * own (open, read, close), so at 50 ms 128 of them carry some 850 files a second (32 measured
     * 9.0 s for 1000 files of 64 KiB from ferryd, 128 measured 5.3 s; at RTT 0 no difference).
     */
    static final int TREE_DOWNLOADS = 128;

    /**
     * Makes a listed tree's directories here, parents first (a non-directory in the way is one
     * sentence, and what lies under it is skipped); returns its files' jobs.
     */
    private List<FileJob> planTree(String root, Path target, RemoteTree.Listing listing) {
        String prefix = root.isEmpty() || root.equals(".") ? "" : root.endsWith("/") ? root : root + "/";
        List<String> broken = new ArrayList<>();
        for (RemoteTree.Entry dir : listing.dirs()) {
            String rel = dir.path().equals(root) ? "" : dir.path().substring(prefix.length());
            if (broken.stream().anyMatch(b -> rel.startsWith(b + "/"))) {
                continue;
            }
            Path local = rel.isEmpty() ? target : target.resolve(rel);
            if (Files.exists(local, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS)) {
                fail(local + ": not a directory");
                broken.add(rel);
                continue;
            }
            try {
                Files.createDirectories(local);
            } catch (IOException e) {
                fail(describe(e, local.toString()));
                broken.add(rel);
                continue;
            }
            if (options.preserve()) {
                Attributes attrs = dir.attrs();
                afterFiles.add(new FileJob(local.toString(), on -> applyLocal(local, attrs)));
            }
        }
        List<FileJob> jobs = new ArrayList<>();
        for (RemoteTree.Entry file : listing.files()) {
            String rel = file.path().substring(prefix.length());
            if (broken.stream().anyMatch(b -> rel.startsWith(b + "/"))) {
                continue;
            }
            Path local = target.resolve(rel);
            String source = file.path();
            Attributes attrs = file.attrs();
            jobs.add(new FileJob(server + ":" + source, on -> on.downloadFile(source, attrs, local)));
        }
        return jobs;
    }

    /**
     * The trees listed ({@link RemoteTree}: every directory's requests in flight at once), then
     * their files {@link #TREE_DOWNLOADS} at a time over the same channel of Ferry's own, each
     * read as {@link Download} reads (replies written to the file as they arrive), so
     * that the round trips of one file overlap with the others' (the 4 channels of
     * {@link #runInParallel} carried one file each).
     */
    private void downloadTrees(List<RemoteTree.Entry> roots, List<Path> targets) {
        onOwnPipe(pipe -> {
            List<FileJob> todo = new ArrayList<>();
            for (int i = 0; i < roots.size(); i++) {
                RemoteTree.Listing listing = RemoteTree.list(pipe, server, roots.get(i).path(), roots.get(i).attrs());
                listing.failures().forEach(this::fail);
                todo.addAll(planTree(roots.get(i).path(), targets.get(i), listing));
            }
            runOnPipe(pipe, todo);
        });
    }

    @FunctionalInterface
    private interface PipeWork {
        void run(SftpPipe pipe) throws IOException, InterruptedException;
    }

    /** Does {@code work} on a channel of Ferry's own, opened for it; what goes wrong is this run's failure. */
    private void onOwnPipe(PipeWork work) {
        ClientSession session = sftp.getClientSession();
        Duration timeout = SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.getRequired(session);
        try (SftpPipe pipe = SftpPipe.open(session, timeout)) {
            work.run(pipe);
        } catch (IOException e) {
            fail(describe(e, server));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(server + ": interrupted");
        }
    }

    /**
     * Runs {@code todo} {@link #TREE_DOWNLOADS} at a time on {@code pipe}, each worker a copier of
     * its own (its errors gathered here after).
     */
    private void runOnPipe(SftpPipe pipe, List<FileJob> todo) throws InterruptedException {
        java.util.concurrent.ConcurrentLinkedQueue<FileJob> queue = new java.util.concurrent.ConcurrentLinkedQueue<>(todo);
        TransferListener shared = synchronizedListener(listener);
        List<SftpCopier> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        // no more files open at once than the server allows (limits@openssh.com)
        for (int i = 0; i < Math.min(Math.min(TREE_DOWNLOADS, maxOpenHandles), todo.size()); i++) {
            SftpCopier worker = new SftpCopier(this, shared, pipe);
            workers.add(worker);
            Thread t = new Thread(() -> {
                FileJob job;
                while ((job = queue.poll()) != null && pipe.failure() == null) {
                    runJob(worker, job);
                }
            }, "ferry-tree-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        for (SftpCopier w : workers) {
            errors.addAll(w.errors);
            warnings.addAll(w.warnings);
            lost += w.lost;
        }
        if (pipe.failure() != null) {
            fail(describe(pipe.failure(), server));
        }
    }

    /** One remote file to fetch, as ferry sync knows it from its listing, and where it lands. */
    public record Fetch(String source, Attributes attrs, Path target) {
    }

    /**
     * Copies each local file to the remote path it is paired with (its directory exists), as a tree
     * is copied: every file in flight at once over one channel, unless the run needs the file-by-file
     * path (see {@link #pipelinedTrees}). Each file's end is told to the listener; the failures'
     * sentences are in {@link #errors()}. For ferry sync's changed files when the server has no
     * delta subsystem: the caller has listed each remote path and found no directory there, so with
     * -p (the sync's) a file is sent without first asking what is at its path.
     */
    public void uploadEach(List<Map.Entry<Path, String>> pairs) {
        if (pipelinedTrees() && pairs.size() > 1) { // one file goes on the session's SFTP channel: no other to open
            List<TreeUpload.Item> items = new ArrayList<>();
            pairs.forEach(p -> items.add(new TreeUpload.Item(p.getKey(), p.getValue(), true)));
            uploadTrees(List.of(), items);
        } else {
            pairs.forEach(p -> files.add(new FileJob(p.getKey().toString(), on -> on.uploadFile(p.getKey(),
                    p.getValue()))));
        }
        runFiles();
    }

    /** The other way: each remote file to its local path (its directory exists), as {@link #uploadEach}. */
    public void downloadEach(List<Fetch> fetches) {
        List<FileJob> todo = new ArrayList<>();
        for (Fetch f : fetches) {
            todo.add(new FileJob(server + ":" + f.source(), on -> on.downloadFile(f.source(), f.attrs(), f.target())));
        }
        if (!pipelinedTrees() || todo.size() <= 1) { // as uploadEach
            files.addAll(todo);
            runFiles();
            return;
        }
        onOwnPipe(pipe -> runOnPipe(pipe, todo));
    }

    private List<String> expand(String source) throws IOException {
        if (!RemoteNames.hasGlob(source)) {
            return List.of(source);
        }
        String dir = RemoteNames.parent(source);
        String pattern = RemoteNames.baseName(source);
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        List<String> matches = new ArrayList<>();
        for (SftpClient.DirEntry entry : sftp.readDir(dir.isEmpty() ? "." : dir)) {
            String name = entry.getFilename();
            if (name.equals(".") || name.equals("..") || (name.startsWith(".") && !pattern.startsWith("."))) {
                continue;
            }
            RemoteNames.checkListedName(name, dir);
            if (matcher.matches(Path.of(name))) {
                matches.add(RemoteNames.join(dir, name));
            }
        }
        if (matches.isEmpty()) {
            throw new NoSuchFileException(server + ":" + Terminal.safe(source) + ": No such file or directory");
        }
        matches.sort(null);
        return matches;
    }

    private void downloadTree(String dir, Path dst) throws IOException {
        if (Files.exists(dst, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)) {
            fail(dst + ": not a directory");
            return;
        }
        Files.createDirectories(dst);
        List<SftpClient.DirEntry> entries = new ArrayList<>();
        sftp.readDir(dir).forEach(entries::add);
        entries.sort((a, b) -> a.getFilename().compareTo(b.getFilename()));
        for (SftpClient.DirEntry entry : entries) {
            String name = entry.getFilename();
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            RemoteNames.checkListedName(name, dir);
            String child = RemoteNames.join(dir, name);
            try {
                Attributes attrs = entry.getAttributes().isSymbolicLink() ? sftp.stat(child) : entry.getAttributes();
                if (attrs.isDirectory()) {
                    downloadTree(child, dst.resolve(name));
                } else if (attrs.isRegularFile()) {
                    Path target = dst.resolve(name);
                    files.add(new FileJob(server + ":" + child, on -> on.downloadFile(child, attrs, target)));
                }
            } catch (IOException e) {
                fail(describe(e, server + ":" + child));
            }
        }
        if (options.preserve()) {
            Attributes dirAttrs = sftp.stat(dir);
            afterFiles.add(new FileJob(dst.toString(), on -> applyLocal(dst, dirAttrs)));
        }
    }

    private void downloadFile(String source, Attributes attrs, Path dst) throws IOException {
        if (Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dst + ": is a directory");
        }
        // A device or a pipe already there (ferry cp host:f /dev/null) is written into, and
        // nothing else is done to it (AtomicScpFileOpener.isDeviceOrPipe says why).
        boolean special = AtomicScpFileOpener.isDeviceOrPipe(dst);
        // Otherwise a partial file beside the target, moved over it when complete: an existing
        // file (or a symlink planted where the file will go) is replaced, never written through.
        boolean atomic = options.atomic() && !special;
        Path partial = atomic
                ? dst.resolveSibling(TemporaryName.of(dst.getFileName().toString(), PARTIAL_SUFFIX))
                : dst;
        long size = attrs.getSize();
        var transfer = new TransferListener.FileTransfer(server + ":" + source, dst.toString(), size, "sftp");
        listener.started(transfer);
        long start = System.nanoTime();
        long offset = options.resume() && !special ? resumableDownloadOffset(source, size, partial) : 0;
        long copied = offset;
        try {
            if (atomic && offset == 0) {
                Files.deleteIfExists(partial);
            }
            Attributes after;
            try {
                if (parallel(size) && offset == 0 && !special) {
                    Files.newOutputStream(partial).close();
                    copied = parallelRanges(readSize).download(source, partial, size, progressOf(transfer));
                    after = sftp.stat(source); // by name, once for all the ranges
                } else if (pipelined(size, offset) && !special) {
                    Download.Outcome o = pipelinedDownload(source, partial, size, transfer);
                    copied = o.bytes();
                    after = o.after(); // asked for behind the last READ: no round trip of its own
                } else {
                    try (InputStream in = remoteInput(source, offset, size);
                            OutputStream out = offset == 0 ? Files.newOutputStream(partial)
                                    : Files.newOutputStream(partial, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                        // a byte past the size says the file grew
                        copied += pump(in, out, transfer, offset,
                                attrs.isRegularFile() ? size + 1 - offset : Long.MAX_VALUE);
                    }
                    after = attrs.isRegularFile() ? statOrNull(source) : null;
                }
            } catch (EOFException shrank) { // a READ met the end before the listed size
                throw attrs.isRegularFile() ? new SourceChangedException(server + ":" + source) : shrank;
            }
            if (attrs.isRegularFile() && changedRemotely(attrs, copied, after)) {
                throw new SourceChangedException(server + ":" + source);
            }
            if (special) {
                // written into; nothing of the source's attributes applies
            } else if (options.preserve()) {
                applyLocal(partial, attrs);
            } else if ((attrs.getPermissions() & 0111) != 0) {
                Files.setPosixFilePermissions(partial, toSet(attrs.getPermissions() & 0755));
            }
            if (atomic) {
                Files.move(partial, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            if (atomic && !options.resume()) {
                Files.deleteIfExists(partial);
            }
            listener.finished(transfer, copied, seconds(start), e);
            throw e;
        }
        listener.finished(transfer, copied, seconds(start), null);
    }

    /**
     * Files from this size on are read through a channel of Ferry's own ({@link SftpPipe}), whose
     * replies go from the packet to the file: opening it costs two round trips more than reusing
     * MINA's channel, which a file this size repays many times over.
     */
    static final long PIPELINED_MIN_SIZE = 4L << 20;

    private boolean pipelined(long size, long offset) {
        return offset == 0 && (sharedPipe != null || size >= PIPELINED_MIN_SIZE) && throttle == Throttle.NONE;
    }

    /**
     * Whether a remote file changed while it was read: the bytes read, or its size and modification
     * time after the read (SFTP's are in seconds), differ from what the listing said before it.
     * ({@link FileStamp} says why size and time tell; a remote file's identity is not in SFTP v3.)
     * Attributes the server did not give count as unchanged.
     */
    static boolean changedRemotely(Attributes before, long copied, Attributes after) {
        if (copied != before.getSize()) {
            return true;
        }
        if (after == null) {
            return false;
        }
        boolean sized = after.getFlags().contains(SftpClient.Attribute.Size);
        boolean timed = before.getModifyTime() != null && after.getModifyTime() != null;
        // in seconds: a listing may give milliseconds (ferry sync's), SFTP v3 gives seconds
        return sized && after.getSize() != before.getSize() || timed
                && before.getModifyTime().to(TimeUnit.SECONDS) != after.getModifyTime().to(TimeUnit.SECONDS);
    }

    private Download.Outcome pipelinedDownload(String source, Path partial, long size,
            TransferListener.FileTransfer transfer) throws IOException {
        ClientSession session = sftp.getClientSession();
        Duration timeout = SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.getRequired(session);
        SftpPipe own = sharedPipe == null ? SftpPipe.open(session, timeout) : null;
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            return Download.copy(own != null ? own : sharedPipe, source, out, size, readSize,
                    CoreModuleProperties.IDLE_TIMEOUT.getRequired(session), bytes -> listener.progress(transfer, bytes));
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    /** Files smaller than this go over one stream even with --streams: setting up costs round trips. */
    static final long PARALLEL_MIN_SIZE = 16L << 20;

    private boolean parallel(long size) {
        return streams != null && streamCount > 1 && size >= PARALLEL_MIN_SIZE;
    }

    private ParallelRanges parallelRanges(int requestSize) {
        return new ParallelRanges(streams, streamCount, requestSize);
    }

    /** Progress from several streams at once, reported in order to the listener. */
    private java.util.function.LongConsumer progressOf(TransferListener.FileTransfer transfer) {
        java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
        return n -> {
            long now = total.addAndGet(n);
            try {
                throttle.account(n);
            } catch (java.io.InterruptedIOException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                listener.progress(transfer, now);
            }
        };
    }

    private InputStream remoteInput(String path, long offset, long size) throws IOException {
        if (offset == 0) {
            return sftp.read(path, readSize);
        }
        return new SftpInputStreamAsync((AbstractSftpClient) sftp, readSize, offset, size, path,
                sftp.open(path, EnumSet.of(OpenMode.Read)));
    }

    /** How much of a download a local partial file already holds (0: start over); an unverified tail is cut. */
    private long resumableDownloadOffset(String source, long size, Path partial) throws IOException {
        if (!Files.isRegularFile(partial, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long have = Files.size(partial);
        long keep = new ResumePoint(sftp, readSize).verifiedPrefix(have, size, partial, source);
        if (keep == ResumePoint.MISMATCH) {
            warnings.add("ferry: " + partial + " is not a prefix of " + server + ":" + source + "; starting over");
            return 0;
        }
        if (keep > 0 && have > keep) {
            try (var channel = Files.newByteChannel(partial, StandardOpenOption.WRITE)) {
                channel.truncate(keep); // the unverified tail is fetched again
            }
        }
        return keep;
    }

    // ---- many files at once ------------------------------------------------------------------

    /** One file's copy, run on whichever copier (channel) is free. */
    private record FileJob(String what, Work work) {
    }

    @FunctionalInterface
    private interface Work {
        void run(SftpCopier on) throws IOException;
    }

    /** Channels (on the same connection) that copy files side by side when there are several. */
    static final int FILE_CHANNELS = 4;

    /**
     * Copies the files found, then does what had to wait for them. One file goes over this
     * channel; several go over {@link #FILE_CHANNELS} channels at once, so that the round trips of
     * one file (open, close, set attributes, rename) overlap with the data of the others instead of
     * stalling between files.
     */
    private void runFiles() {
        List<FileJob> todo = new ArrayList<>(files);
        files.clear();
        if (todo.size() <= 1 || streams != null) {
            for (FileJob job : todo) {
                runJob(this, job);
            }
        } else {
            runInParallel(todo);
        }
        List<FileJob> after = new ArrayList<>(afterFiles);
        afterFiles.clear();
        for (int i = after.size() - 1; i >= 0; i--) { // deepest directories first
            runJob(this, after.get(i));
        }
    }

    private void runJob(SftpCopier on, FileJob job) {
        try {
            job.work().run(on);
        } catch (IOException e) {
            on.fail(describe(e, job.what()));
        }
    }

    private void runInParallel(List<FileJob> todo) {
        java.util.concurrent.ConcurrentLinkedQueue<FileJob> queue = new java.util.concurrent.ConcurrentLinkedQueue<>(todo);
        TransferListener shared = synchronizedListener(listener);
        List<Thread> workers = new ArrayList<>();
        List<SftpCopier> copiers = new java.util.concurrent.CopyOnWriteArrayList<>();
        int count = Math.min(FILE_CHANNELS, todo.size());
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(() -> {
                try (SftpClient channel = SftpClients.open(sftp.getClientSession())) {
                    SftpCopier worker = new SftpCopier(channel, server, options, shared, throttle, null, 1);
                    copiers.add(worker);
                    FileJob job;
                    while ((job = queue.poll()) != null) {
                        runJob(worker, job);
                    }
                } catch (IOException e) {
                    // no channel: leave the files to the others (or to this copier, below)
                }
            }, "ferry-files-" + i);
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        FileJob left;
        while ((left = queue.poll()) != null) {
            runJob(this, left); // if no extra channel could be opened
        }
        for (SftpCopier c : copiers) {
            errors.addAll(c.errors);
            warnings.addAll(c.warnings);
            lost += c.lost;
        }
    }

    /** The listener, called by one thread at a time (progress bars and reports are not thread-safe). */
    static TransferListener synchronizedListener(TransferListener inner) {
        Object lock = new Object();
        return new TransferListener() {
            @Override
            public void started(FileTransfer t) {
                synchronized (lock) {
                    inner.started(t);
                }
            }

            @Override
            public void progress(FileTransfer t, long bytes) {
                synchronized (lock) {
                    inner.progress(t, bytes);
                }
            }

            @Override
            public void finished(FileTransfer t, long bytes, double seconds, Throwable error) {
                synchronized (lock) {
                    inner.finished(t, bytes, seconds, error);
                }
            }
        };
    }

    // ---- remote to remote (-3) -------------------------------------------------------------

    /**
     * Copies files from this copier's server to {@code to}'s, through this machine, as scp -3 does.
     * Names listed by the source are checked as for downloads; files land atomically on the target.
     */
    public void copyTo(SftpCopier to, List<String> sources, String target) throws FerryException {
        List<String> expanded = new ArrayList<>();
        for (String source : sources) {
            try {
                expanded.addAll(expand(source));
            } catch (IOException e) {
                fail(describe(e, server + ":" + source));
            }
        }
        boolean intoDir;
        try {
            Attributes t = to.statOrNull(target);
            intoDir = t != null && t.isDirectory() || target.isEmpty() || target.endsWith("/");
        } catch (IOException e) {
            throw new FerryException(describe(e, to.server + ":" + target), e);
        }
        if (expanded.size() > 1 && !intoDir) {
            throw new FerryException(to.server + ":" + target + ": not a directory");
        }
        for (String source : expanded) {
            try {
                String name = RemoteNames.checkListedName(RemoteNames.baseName(source), source);
                relay(to, source, intoDir ? RemoteNames.join(target, name) : target);
            } catch (IOException e) {
                fail(describe(e, server + ":" + source));
            }
        }
        errors.addAll(to.errors);
        lost += to.lost;
    }

    private void relay(SftpCopier to, String source, String dst) throws IOException {
        Attributes attrs = sftp.stat(source);
        if (attrs.isDirectory()) {
            if (!options.recursive()) {
                fail(server + ":" + source + ": not a regular file (use -r for directories)");
                return;
            }
            if (to.statOrNull(dst) == null) {
                to.sftp.mkdir(dst);
            }
            List<SftpClient.DirEntry> entries = new ArrayList<>();
            sftp.readDir(source).forEach(entries::add);
            entries.sort((a, b) -> a.getFilename().compareTo(b.getFilename()));
            for (SftpClient.DirEntry entry : entries) {
                String name = entry.getFilename();
                if (!name.equals(".") && !name.equals("..")) {
                    RemoteNames.checkListedName(name, source);
                    relay(to, RemoteNames.join(source, name), RemoteNames.join(dst, name));
                }
            }
            return;
        }
        String partial = RemoteNames.join(RemoteNames.parent(dst), TemporaryName.of(RemoteNames.baseName(dst), PARTIAL_SUFFIX));
        var transfer = new TransferListener.FileTransfer(server + ":" + source, to.server + ":" + dst, attrs.getSize(),
                "sftp");
        listener.started(transfer);
        long start = System.nanoTime();
        long copied = 0;
        try {
            try (InputStream in = sftp.read(source, readSize);
                    OutputStream out = to.remoteOutput(partial, 0)) {
                copied = pump(in, out, transfer, 0, Long.MAX_VALUE);
            }
            Attributes kept = new Attributes().perms(attrs.getPermissions() & (options.preserve() ? 0777 : 0755));
            if (options.preserve()) {
                kept.modifyTime(attrs.getModifyTime()).accessTime(attrs.getAccessTime());
            }
            to.sftp.setStat(partial, kept);
            to.renameIntoPlace(partial, dst);
        } catch (IOException | RuntimeException e) {
            to.removeQuietly(partial);
            listener.finished(transfer, copied, seconds(start), e);
            throw e;
        }
        listener.finished(transfer, copied, seconds(start), null);
    }

    private static void applyLocal(Path local, Attributes attrs) throws IOException {
        Files.setPosixFilePermissions(local, toSet(attrs.getPermissions() & 0777));
        FileTime mtime = attrs.getModifyTime();
        FileTime atime = attrs.getAccessTime();
        Files.getFileAttributeView(local, BasicFileAttributeView.class).setTimes(mtime, atime, null);
    }

    // ---- shared ------------------------------------------------------------------------------

    /**
     * Copies to the end of {@code in}, or {@code limit} bytes; progress counts from {@code already}
     * bytes. Returns the bytes copied.
     */
    private long pump(InputStream in, OutputStream out, TransferListener.FileTransfer transfer, long already,
            long limit) throws IOException {
        byte[] buffer = new byte[Math.max(readSize, writeSize)];
        long total = 0;
        int n;
        // This thread writes the requests; bound, it also completes them (InlineCompletions says why).
        try (InlineCompletions.Binding inline = InlineCompletions.bind(sftp.getClientSession().getIoSession())) {
            while (total < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) > 0) {
                inline.refresh();
                out.write(buffer, 0, n);
                total += n;
                throttle.account(n);
                listener.progress(transfer, already + total);
            }
            out.flush();
        }
        return total;
    }

    /** The attributes of {@code path}, or null when it does not exist. */
    private Attributes statOrNull(String path) throws IOException {
        try {
            return sftp.stat(path.isEmpty() ? "." : path);
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return null;
            }
            throw e;
        }
    }

    private void removeQuietly(String path) {
        try {
            sftp.remove(path);
        } catch (IOException ignored) {
            // the partial file may not exist; nothing else to do
        }
    }

    static int mode(Path local) throws IOException {
        return (Integer) Files.getAttribute(local, "unix:mode") & 07777;
    }

    private static Set<PosixFilePermission> toSet(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** One sentence for a failed file, in scp's words where it has them. */
    static String describe(Exception e, String what) {
        if (e instanceof SftpException se) {
            return switch (se.getStatus()) {
                case SftpConstants.SSH_FX_NO_SUCH_FILE -> Terminal.safe(what) + ": No such file or directory";
                case SftpConstants.SSH_FX_PERMISSION_DENIED -> Terminal.safe(what) + ": Permission denied";
                default -> Terminal.safe(what) + ": " + Terminal.safe(String.valueOf(se.getMessage()));
            };
        }
        if (e instanceof NoSuchFileException nsf) {
            return nsf.getMessage() != null && nsf.getMessage().endsWith("No such file or directory")
                    ? nsf.getMessage() : Terminal.safe(what) + ": No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return Terminal.safe(what) + ": Permission denied";
        }
        String message = e.getMessage();
        return Terminal.safe(message == null ? what + ": " + e.getClass().getSimpleName() : message);
    }
}
