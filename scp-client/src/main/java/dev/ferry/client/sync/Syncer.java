package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.client.FerryException;
import dev.ferry.client.connect.ConnectionFailedException;
import dev.ferry.client.delta.DeltaChannel;
import dev.ferry.client.transfer.Hashing;
import dev.ferry.client.transfer.SftpCopier;
import dev.ferry.client.transfer.TransferListener;
import dev.ferry.client.transfer.TransferOptions;
import dev.ferry.delta.Downloads;
import dev.ferry.delta.Outcome;
import dev.ferry.delta.Uploads;

/**
 * One {@code ferry sync} between this machine and one server, in one direction: lists both sides,
 * sends each file that differs (rsync's quick check: size and modification second, or SHA-256 with
 * --checksum), makes symbolic links again as links (rsync -a: never followed below the named
 * top), then deletes what the source does not have when asked. Changed files go as chunk
 * deltas over {@code ferry-delta} when the server has it, in one pipelined batch, otherwise whole
 * over SFTP, which is said once. A failed file is reported and the sync goes on.
 */
public final class Syncer {

    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

    private final ClientSession session;
    private boolean lost;
    private final SftpClient sftp;
    private final String server;
    private final boolean upload;
    private final SyncOptions options;
    private final SyncListener listener;
    private final Side source;
    private final Side target;
    private final ChunkerParams params = ChunkerParams.DEFAULT;
    private final List<Change> batch = new ArrayList<>();
    /** Links made or found with another time: their source's modification time, set at the end. */
    private final Map<String, Long> linkTimes = new LinkedHashMap<>();
    private DeltaChannel delta;
    private SftpCopier whole;
    /** Each whole file's end as the copier told it (target as the copier names it): its error, if any. */
    private final Map<String, Optional<Throwable>> wholeDone = new ConcurrentHashMap<>();
    private boolean deltaMissing;
    private long wireSentBefore;
    private long wireReceivedBefore;

    private int files;
    private int sent;
    private int skipped;
    private int deleted;
    private int failed;
    private long fileBytes;
    private long literalBytes;
    private long matchedBytes;
    private long wholeSent;
    private long wholeReceived;

    /**
     * @param upload true: local source, remote target; false: the other way
     */
    public Syncer(ClientSession session, SftpClient sftp, String server, boolean upload, SyncOptions options,
            SyncListener listener) {
        this(session, sftp, server, upload, options, listener, Path.of(""));
    }

    /** @param localBase the directory relative local paths are in ({@code ""}: this process's own) */
    public Syncer(ClientSession session, SftpClient sftp, String server, boolean upload, SyncOptions options,
            SyncListener listener, Path localBase) {
        this(session, sftp, server, upload, options, listener, localBase, null);
    }

    /** @param ahead the local walk started before connecting ({@link WalkAhead}), or null */
    public Syncer(ClientSession session, SftpClient sftp, String server, boolean upload, SyncOptions options,
            SyncListener listener, Path localBase, WalkAhead ahead) {
        this.session = session;
        this.sftp = sftp;
        this.server = server;
        this.upload = upload;
        this.options = options;
        this.listener = listener;
        Side local = new LocalSide(localBase, ahead);
        Side remote = new RemoteSide(sftp, server, "", path -> {
            DeltaChannel channel = deltaChannel();
            return channel == null ? null : channel.list(path);
        });
        this.source = upload ? local : remote;
        this.target = upload ? remote : local;
    }

    /**
     * Starts the walk of the local directory a recursive sync of {@code from} to {@code to} will walk
     * (the source when uploading, the target directory when downloading), to run while the session
     * is set up; null when there is none to walk.
     */
    public static WalkAhead walkAhead(Path localBase, boolean upload, String from, String to, SyncOptions options) {
        if (!options.recursive()) {
            return null;
        }
        String local = upload ? from : treeTarget(from, to);
        Path dir = local.isEmpty() ? localBase : localBase.resolve(local);
        return Files.isDirectory(dir) ? WalkAhead.start(localBase, local) : null;
    }

    /** Syncs {@code from} (on the source side) to {@code to} (on the target side). */
    public SyncSummary run(String from, String to) throws FerryException {
        long start = System.nanoTime();
        try {
            // A named link is synced as a link, as rsync does, unless named with a trailing slash
            // ("link/": the directory it leads to, as the system resolves such a path).
            Optional<Entry> named = from.endsWith("/") ? source.statThrough(from) : source.stat(from);
            Entry root = named.orElseThrow(() -> new FerryException("ferry: " + source.resolve(from)
                    + ": no such file or directory"));
            if (root.directory()) {
                if (!options.recursive()) {
                    listener.note("skipping directory " + from + " (use -r)");
                } else {
                    syncTree(from, treeTarget(from, to), root);
                }
            } else {
                Optional<Entry> there = target.stat(to);
                boolean intoDirectory = to.endsWith("/") || there.map(Entry::directory).orElse(false)
                        || there.map(Entry::symbolicLink).orElse(false)
                                && target.statThrough(to).map(Entry::directory).orElse(false);
                String dst = intoDirectory ? Side.join(to, baseName(from)) : to;
                Optional<Entry> old = dst.equals(to) ? there : target.stat(dst);
                if (root.symbolicLink()) {
                    syncLink(dst, root, old);
                } else {
                    syncFile(from, dst, root, old);
                }
                sendBatch();
            }
            setLinkTimes();
        } catch (LocalSide.LocalFailure e) {
            throw new FerryException("ferry: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            if (!session.isOpen()) { // MINA's words for a closed session (a RuntimeException, some of them)
                throw ConnectionFailedException.lostDuringCopy(server);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new FerryException("ferry: " + server + ": " + (e.getMessage() == null ? "connection lost"
                    : e.getMessage()), e);
        } finally {
            closeDelta();
        }
        return new SyncSummary(files, sent, skipped, deleted, failed, fileBytes, literalBytes, matchedBytes,
                wholeSent + wireSentBefore, wholeReceived + wireReceivedBefore, (System.nanoTime() - start) / 1e9);
    }

    private void syncTree(String from, String to, Entry sourceTop) throws IOException {
        Tree sourceTree = source.walk(from);
        SortedMap<String, Entry> have = sourceTree.entries();
        Optional<Entry> top = target.statThrough(to); // the top the user named: through a link
        if (top.isPresent() && !top.get().directory()) {
            throw new IOException(target.resolve(to) + " exists and is not a directory");
        }
        Tree targetTree = top.isPresent() ? target.walk(to) : new Tree(new TreeMap<>());
        SortedMap<String, Entry> old = targetTree.entries();
        sourceTree.unreadable().forEach((rel, why) -> failed(source.resolve(Side.join(from, rel)), why));
        targetTree.unreadable().forEach((rel, why) -> failed(target.resolve(Side.join(to, rel)), why));
        if (top.isEmpty() && !options.dryRun()) {
            target.mkdir(to);
        }
        // The missing directories are made in one batch, parents first (the walk's sorted order
        // puts each before what it holds), then the links, then the files that differ go in one
        // pipelined batch, then the deletions.
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Entry> e : have.entrySet()) {
            Entry existing = old.get(e.getKey());
            if (e.getValue().directory() && (existing == null || !existing.directory())) {
                String dst = Side.join(to, e.getKey());
                if (existing != null && !options.dryRun()) {
                    target.delete(existing.at(dst)); // a file or link where a directory belongs
                }
                missing.add(dst);
            }
        }
        Map<String, String> notMade = options.dryRun() ? Map.of() : target.mkdirs(missing);
        notMade.forEach((dir, why) -> failed(target.resolve(dir), why));
        for (Map.Entry<String, Entry> e : have.entrySet()) {
            String rel = e.getKey();
            Entry entry = e.getValue();
            String dst = Side.join(to, rel);
            if (entry.directory()) {
                continue;
            } else if (entry.symbolicLink()) {
                syncLink(dst, entry, Optional.ofNullable(old.get(rel)));
            } else {
                syncFile(Side.join(from, rel), dst, entry, Optional.ofNullable(old.get(rel)));
            }
        }
        sendBatch();
        if (options.delete() && !(sourceTree.complete() && targetTree.complete())) {
            // rsync's rule: what a directory that could not be read holds is unknown, so nothing
            // is deleted on the strength of the walk
            listener.note("some directories could not be read: nothing deleted");
        } else if (options.delete()) {
            List<String> extra = new ArrayList<>(old.keySet());
            extra.removeAll(have.keySet());
            extra.sort((a, b) -> b.compareTo(a)); // children before their directories
            for (String rel : extra) {
                Entry gone = old.get(rel);
                if (!options.dryRun()) {
                    target.delete(gone.at(Side.join(to, rel)));
                }
                deleted++;
                listener.deleted(Side.join(to, rel), options.dryRun());
            }
        }
        if (!options.dryRun()) {
            setDirectories(to, sourceTop, top.orElse(null), have, old, notMade.keySet());
        }
    }

    /**
     * Each directory that is new or whose permission bits or modification second differ gets its
     * source's, last, as rsync -a does: writing what a directory holds changes its time.
     */
    private void setDirectories(String to, Entry sourceTop, Entry targetTop, SortedMap<String, Entry> have,
            SortedMap<String, Entry> old, Set<String> notMade) throws IOException {
        Map<String, Entry> dirs = new LinkedHashMap<>();
        if (differs(sourceTop, targetTop)) {
            dirs.put(to, sourceTop);
        }
        for (Map.Entry<String, Entry> e : have.entrySet()) {
            String dir = Side.join(to, e.getKey());
            if (e.getValue().directory() && !notMade.contains(dir) && differs(e.getValue(), old.get(e.getKey()))) {
                dirs.put(dir, e.getValue()); // (one that could not be made is reported once)
            }
        }
        target.setDirectories(dirs).forEach((dir, why) -> failed(target.resolve(dir), why));
    }

    private static boolean differs(Entry src, Entry there) {
        return there == null || !there.directory() || (there.mode() & 0777) != (src.mode() & 0777)
                || !there.sameSecond(src);
    }

    private void syncFile(String from, String to, Entry src, Optional<Entry> old) {
        files++;
        try {
            if (old.isPresent() && old.get().directory()) {
                throw new IOException(target.resolve(to) + " is a directory");
            }
            if (old.isPresent() && same(from, to, src, old.get())) {
                skipped++;
                listener.skipped(to, src.size());
                return;
            }
            if (options.dryRun()) {
                sent++;
                listener.sent(to, "dry-run", src.size(), 0, 0);
                return;
            }
            if (old.isPresent() && old.get().symbolicLink()) {
                // A link where the file goes is removed first: neither a delta's old copy nor a
                // download's basis may be read through it.
                target.delete(old.get().at(to));
                old = Optional.empty();
            }
            batch.add(new Change(from, to, src, old));
        } catch (IOException e) {
            failed(to, reason(e));
        }
    }

    /** A symbolic link: made again on the target, pointing where the source's points, unless it already does. */
    private void syncLink(String to, Entry src, Optional<Entry> old) {
        files++;
        try {
            if (old.isPresent() && old.get().directory()) {
                throw new IOException(target.resolve(to) + " is a directory");
            }
            if (old.isPresent() && src.link().equals(old.get().link())) {
                skipped++;
                listener.skipped(to, 0);
                if (!options.dryRun() && !src.sameSecond(old.get())) {
                    linkTimes.put(to, src.mtimeMillis()); // rsync -a: the time alone
                }
                return;
            }
            if (!options.dryRun()) {
                target.symlink(to, src.link());
                linkTimes.put(to, src.mtimeMillis());
            }
            sent++;
            listener.sent(to, options.dryRun() ? "dry-run" : "link", 0, 0, 0);
        } catch (IOException e) {
            failed(to, reason(e));
        }
    }

    /**
     * The links made or found with another time get their source's time, once they all exist
     * (one batch to a server). Setting a link's time changes nothing in its directory, so this
     * may come after the directories' times.
     */
    private void setLinkTimes() throws IOException {
        if (!linkTimes.isEmpty()) {
            target.setLinkTimes(linkTimes).forEach((link, why) -> failed(target.resolve(link), why));
            linkTimes.clear();
        }
    }

    private boolean same(String from, String to, Entry src, Entry old) throws IOException {
        if (!options.checksum()) {
            return src.looksLike(old);
        }
        if (src.size() != old.size()) {
            return false;
        }
        try (InputStream a = source.read(from); InputStream b = target.read(to)) {
            return Arrays.equals(Hashing.sha256(a, src.size()), Hashing.sha256(b, old.size()));
        }
    }

    /** A file that differs, waiting for the batch. */
    private record Change(String from, String to, Entry src, Optional<Entry> old) {
    }

    /**
     * Sends the batch: over the delta channel, pipelined, when the server has one (a channel that
     * breaks is opened again once for the files not yet done); otherwise file by file over SFTP.
     */
    private void sendBatch() throws IOException {
        List<Change> changes = new ArrayList<>(batch);
        batch.clear();
        for (int attempt = 1; !changes.isEmpty(); attempt++) {
            DeltaChannel channel = deltaChannel();
            if (channel == null) {
                sendWhole(changes);
                return;
            }
            Map<String, Change> byLabel = new LinkedHashMap<>();
            for (Change c : changes) {
                byLabel.put(c.to(), c);
            }
            Outcome.Listener outcomes = new Outcome.Listener() {
                @Override
                public void done(String label, Outcome o) {
                    byLabel.remove(label);
                    Syncer.this.done(label, o.whole() ? "whole" : "delta", o.size(), o.literalBytes(),
                            o.matchedBytes());
                }

                @Override
                public void failed(String label, String reason) {
                    byLabel.remove(label);
                    Syncer.this.failed(label, reason);
                }
            };
            try {
                if (upload) {
                    List<Uploads.Job> jobs = new ArrayList<>();
                    for (Change c : changes) {
                        jobs.add(new Uploads.Job(((LocalSide) source).file(c.from()), target.resolve(c.to()),
                                c.src().size(), c.old().map(Entry::size).orElse(-1L), options.mode(), c.to()));
                    }
                    channel.upload(jobs, options.digest(), options.fsync(), outcomes);
                } else {
                    List<Downloads.Job> jobs = new ArrayList<>();
                    for (Change c : changes) {
                        jobs.add(new Downloads.Job(source.resolve(c.from()), ((LocalSide) target).file(c.to()),
                                c.src().size(), options.mode(), c.to()));
                    }
                    channel.download(jobs, options.digest(), options.fsync(), outcomes);
                }
                return;
            } catch (IOException | RuntimeException e) {
                closeDelta();
                String reason = reason(e);
                if (attempt > 1 || byLabel.isEmpty()) {
                    for (String label : byLabel.keySet()) {
                        failed(label, reason);
                    }
                    return;
                }
                changes = new ArrayList<>(byLabel.values()); // once more, on a fresh channel
            }
        }
    }

    /**
     * Whole over SFTP, all in flight at once as a tree copy goes: atomic (a partial name renamed
     * into place), times and mode kept. Each file's end comes back through the copier's listener.
     */
    private void sendWhole(List<Change> changes) {
        Map<String, Change> byTransfer = new HashMap<>();
        wholeDone.clear();
        try {
            SftpCopier copier = wholeCopier();
            int errorsBefore = copier.errors().size();
            if (upload) {
                List<Map.Entry<Path, String>> pairs = new ArrayList<>();
                for (Change c : changes) {
                    String dst = target.resolve(c.to());
                    pairs.add(Map.entry(((LocalSide) source).file(c.from()), dst));
                    byTransfer.put(server + ":" + dst, c);
                }
                copier.uploadEach(pairs);
            } else {
                List<SftpCopier.Fetch> fetches = new ArrayList<>();
                for (Change c : changes) {
                    Path dst = ((LocalSide) target).file(c.to());
                    fetches.add(new SftpCopier.Fetch(source.resolve(c.from()), attributes(c.src()), dst));
                    byTransfer.put(dst.toString(), c);
                }
                copier.downloadEach(fetches);
            }
            List<String> errors = copier.errors();
            String batchError = errors.size() > errorsBefore
                    ? String.join("; ", errors.subList(errorsBefore, errors.size())).replaceFirst("^ferry: ", "")
                    : "not sent";
            for (Map.Entry<String, Change> e : byTransfer.entrySet()) {
                Change c = e.getValue();
                Optional<Throwable> outcome = wholeDone.get(e.getKey());
                if (outcome == null) {
                    failed(c.to(), batchError); // never started: the channel failed, say
                } else if (outcome.isPresent()) {
                    failed(c.to(), reason((Exception) outcome.get()));
                } else {
                    if (upload) {
                        wholeSent += c.src().size();
                    } else {
                        wholeReceived += c.src().size();
                    }
                    done(c.to(), "whole", c.src().size(), c.src().size(), 0);
                }
            }
        } catch (IOException e) {
            changes.forEach(c -> failed(c.to(), reason(e)));
        }
    }

    /** What the listing said of a remote file, as SFTP attributes (the download's expected size, times, mode). */
    private static SftpClient.Attributes attributes(Entry e) {
        SftpClient.Attributes a = new SftpClient.Attributes();
        a.setSize(e.size());
        a.setPermissions(e.mode());
        a.setModifyTime(FileTime.fromMillis(e.mtimeMillis()));
        a.setAccessTime(FileTime.fromMillis(e.mtimeMillis()));
        return a;
    }

    /**
     * The sentence a failed file is reported with: the exception's message, or at least its kind; a
     * local file's trouble in the words scp uses (the JDK's message is only the path).
     */
    private static String reason(Exception e) {
        if (e instanceof IOException io) {
            return LocalSide.reason(io);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * A file failed; once the session is closed, because the connection was lost: those are counted,
     * not said one by one (in MINA's words), and the caller says it once ({@link #connectionLost()}).
     */
    private void failed(String path, String reason) {
        failed++;
        if (session.isOpen()) {
            listener.failed(path, reason);
        } else {
            lost = true;
        }
    }

    /** Whether the connection was lost during the run (some files then failed unsaid: see failed). */
    public boolean connectionLost() {
        return lost;
    }

    /** One copier for the run: making one asks the server for its SFTP limits, a round trip. */
    private SftpCopier wholeCopier() throws IOException {
        if (whole == null) {
            TransferListener outcomes = new TransferListener() {
                @Override
                public void finished(FileTransfer transfer, long bytes, double seconds, Throwable error) {
                    wholeDone.put(transfer.target(), Optional.ofNullable(error));
                }
            };
            whole = new SftpCopier(sftp, server, new TransferOptions(false, true, true, false), outcomes);
        }
        return whole;
    }

    private void done(String path, String how, long size, long literal, long matched) {
        sent++;
        fileBytes += size;
        literalBytes += literal;
        matchedBytes += matched;
        listener.sent(path, how, size, literal, matched);
    }

    /** The delta channel, opened on first use and again after a transfer broke one; null if the server has none. */
    private DeltaChannel deltaChannel() throws IOException {
        if (deltaMissing) {
            return null;
        }
        if (delta != null && !delta.usable()) {
            closeDelta();
        }
        if (delta == null) {
            Optional<DeltaChannel> opened = DeltaChannel.open(session, params, options.compress(), OPEN_TIMEOUT);
            if (opened.isEmpty()) {
                deltaMissing = true;
                listener.note(server + " has no ferry-delta subsystem (not a ferryd?): sending changed files whole "
                        + "over SFTP");
                return null;
            }
            delta = opened.get();
        }
        return delta;
    }

    private void closeDelta() {
        if (delta != null) {
            wireSentBefore += delta.bytesSent();
            wireReceivedBefore += delta.bytesReceived();
            try {
                delta.close();
            } catch (IOException ignored) {
                // the counts are taken; the session closes it anyway
            }
            delta = null;
        }
    }

    /** Where a tree synced from {@code from} lands: rsync's rule, "src/" its contents, "src" the directory itself. */
    private static String treeTarget(String from, String to) {
        return from.endsWith("/") ? to : Side.join(to, baseName(from));
    }

    private static String baseName(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }
}
