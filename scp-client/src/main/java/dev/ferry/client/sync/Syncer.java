package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.client.FerryException;
import dev.ferry.client.delta.DeltaChannel;
import dev.ferry.client.transfer.Hashing;
import dev.ferry.client.transfer.SftpCopier;
import dev.ferry.client.transfer.TransferListener;
import dev.ferry.client.transfer.TransferOptions;
import dev.ferry.delta.DeltaReceiver;
import dev.ferry.delta.DeltaSender;

/**
 * One {@code ferry sync} between this machine and one server, in one direction: lists both sides,
 * sends each file that differs (rsync's quick check: size and modification second, or SHA-256 with
 * --checksum), then deletes what the source does not have when asked. Changed files go as chunk
 * deltas over {@code ferry-delta} when the server has it, otherwise whole over SFTP, which is said
 * once. A failed file is reported and the sync goes on.
 */
public final class Syncer {

    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

    private final ClientSession session;
    private final SftpClient sftp;
    private final String server;
    private final boolean upload;
    private final SyncOptions options;
    private final SyncListener listener;
    private final Side source;
    private final Side target;
    private final ChunkerParams params = ChunkerParams.DEFAULT;
    private DeltaChannel delta;
    private SftpCopier whole;
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
        this.session = session;
        this.sftp = sftp;
        this.server = server;
        this.upload = upload;
        this.options = options;
        this.listener = listener;
        Side local = new LocalSide(Path.of(""));
        Side remote = new RemoteSide(sftp, "");
        this.source = upload ? local : remote;
        this.target = upload ? remote : local;
    }

    /** Syncs {@code from} (on the source side) to {@code to} (on the target side). */
    public SyncSummary run(String from, String to) throws FerryException {
        long start = System.nanoTime();
        try {
            Entry root = source.stat(from).orElseThrow(() -> new FerryException("ferry: " + source.resolve(from)
                    + ": no such file or directory"));
            if (root.directory()) {
                if (!options.recursive()) {
                    listener.note("skipping directory " + from + " (use -r)");
                } else {
                    syncTree(from, from.endsWith("/") ? to : Side.join(to, baseName(from)));
                }
            } else {
                Optional<Entry> there = target.stat(to);
                String dst = to.endsWith("/") || there.map(Entry::directory).orElse(false)
                        ? Side.join(to, baseName(from)) : to;
                syncFile(from, dst, root, dst.equals(to) ? there : target.stat(dst));
            }
        } catch (IOException e) {
            throw new FerryException("ferry: " + server + ": " + (e.getMessage() == null ? "connection lost"
                    : e.getMessage()), e);
        } finally {
            closeDelta();
        }
        return new SyncSummary(files, sent, skipped, deleted, failed, fileBytes, literalBytes, matchedBytes,
                wholeSent + wireSentBefore, wholeReceived + wireReceivedBefore, (System.nanoTime() - start) / 1e9);
    }

    private void syncTree(String from, String to) throws IOException {
        SortedMap<String, Entry> have = source.walk(from);
        Optional<Entry> top = target.stat(to);
        if (top.isPresent() && !top.get().directory()) {
            throw new IOException(target.resolve(to) + " exists and is not a directory");
        }
        SortedMap<String, Entry> old = top.isPresent() ? target.walk(to) : new TreeMap<>();
        if (top.isEmpty() && !options.dryRun()) {
            target.mkdir(to);
        }
        for (Map.Entry<String, Entry> e : have.entrySet()) {
            String rel = e.getKey();
            Entry entry = e.getValue();
            String dst = Side.join(to, rel);
            if (entry.directory()) {
                Entry existing = old.get(rel);
                if (existing != null && !existing.directory() && !options.dryRun()) {
                    target.delete(existing); // a file where a directory belongs
                }
                if (!options.dryRun() && (existing == null || !existing.directory())) {
                    target.mkdir(dst);
                }
            } else {
                syncFile(Side.join(from, rel), dst, entry, Optional.ofNullable(old.get(rel)));
            }
        }
        if (options.delete()) {
            List<String> extra = new ArrayList<>(old.keySet());
            extra.removeAll(have.keySet());
            extra.sort((a, b) -> b.compareTo(a)); // children before their directories
            for (String rel : extra) {
                Entry gone = old.get(rel);
                if (!options.dryRun()) {
                    target.delete(new Entry(Side.join(to, rel), gone.directory(), gone.size(), gone.mtimeMillis(),
                            gone.mode()));
                }
                deleted++;
                listener.deleted(Side.join(to, rel), options.dryRun());
            }
        }
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
            send(from, to, src, old);
        } catch (IOException | FerryException e) {
            failed++;
            listener.failed(to, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
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

    private void send(String from, String to, Entry src, Optional<Entry> old) throws IOException, FerryException {
        // Small files and new files go whole (the receiver sends no signature: ferryd decides so for
        // uploads from the size it is told), the others as deltas; all on the delta channel, which
        // costs fewer round trips per file than SFTP, except whole uploads asked for with --mode whole.
        boolean whole = options.mode() == SyncOptions.Mode.WHOLE
                || (options.mode() == SyncOptions.Mode.AUTO && (old.isEmpty() || src.size() < DeltaReceiver.SMALL_FILE));
        DeltaChannel channel = deltaChannel();
        if (channel != null && !(upload && options.mode() == SyncOptions.Mode.WHOLE)) {
            if (upload) {
                DeltaSender.Sent s = channel.upload(((LocalSide) source).file(from), target.resolve(to));
                done(to, whole ? "whole" : "delta", s.size(), s.literalBytes(), s.matchedBytes());
            } else {
                DeltaReceiver.Received r = channel.download(source.resolve(from), ((LocalSide) target).file(to),
                        whole);
                done(to, whole ? "whole" : "delta", r.size(), r.literalBytes(), r.matchedBytes());
            }
            return;
        }
        // Whole over SFTP: atomic (a partial name renamed into place), times and mode kept.
        SftpCopier copier = wholeCopier();
        int errorsBefore = copier.errors().size();
        if (upload) {
            copier.upload(List.of(((LocalSide) source).file(from)), target.resolve(to));
            wholeSent += src.size();
        } else {
            copier.download(List.of(source.resolve(from)), ((LocalSide) target).file(to));
            wholeReceived += src.size();
        }
        List<String> errors = copier.errors();
        if (errors.size() > errorsBefore) {
            throw new IOException(String.join("; ", errors.subList(errorsBefore, errors.size()))
                    .replaceFirst("^ferry: ", ""));
        }
        done(to, "whole", src.size(), src.size(), 0);
    }

    /** One copier for the run: making one asks the server for its SFTP limits, a round trip. */
    private SftpCopier wholeCopier() throws IOException {
        if (whole == null) {
            whole = new SftpCopier(sftp, server, new TransferOptions(false, true, true, false), TransferListener.NONE);
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
        if (deltaMissing || (upload && options.mode() == SyncOptions.Mode.WHOLE)) {
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

    private static String baseName(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }
}
