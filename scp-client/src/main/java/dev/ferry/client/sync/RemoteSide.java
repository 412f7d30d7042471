package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import dev.ferry.client.sftp.Reply;
import dev.ferry.client.sftp.Requests;
import dev.ferry.client.sftp.SftpPipe;
import dev.ferry.client.sftp.Status;
import dev.ferry.client.transfer.RemoteTree;
import dev.ferry.delta.protocol.ListEntry;
import dev.ferry.fs.TemporaryName;

/**
 * The server's files, changed over SFTP (which every SSH server has) and listed in one request
 * where the server can (ferryd's delta subsystem), else over SFTP with every directory's requests
 * in flight at once ({@link RemoteTree}).
 * A listing is checked before it is used: names that could climb out of the directory, or entries
 * under something that is not a listed directory (a link, say), are refused, since a download
 * writes each entry under the local directory by its listed path.
 */
final class RemoteSide implements Side {

    /** Lists a tree in one request; null when the server cannot. */
    @FunctionalInterface
    interface TreeLister {
        List<ListEntry> list(String path) throws IOException;
    }

    private final SftpClient sftp;
    private final String server;
    private final String base;
    private final TreeLister lister;

    /** @param server how the server is named in messages */
    RemoteSide(SftpClient sftp, String server, String base, TreeLister lister) {
        this.sftp = sftp;
        this.server = server;
        this.base = base;
        this.lister = lister;
    }

    @Override
    public Optional<Entry> stat(String path) throws IOException {
        return entry(path, false);
    }

    @Override
    public Optional<Entry> statThrough(String path) throws IOException {
        return entry(path, true);
    }

    private Optional<Entry> entry(String path, boolean through) throws IOException {
        try {
            String p = resolve(path);
            SftpClient.Attributes a = through ? sftp.stat(p) : sftp.lstat(p);
            if (a.isOther()) {
                return Optional.empty();
            }
            return Optional.of(entry(path, a, a.isSymbolicLink() ? sftp.readLink(p) : null));
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Tree walk(String path) throws IOException {
        SortedMap<String, Entry> all = new TreeMap<>();
        String top = resolve(path);
        List<ListEntry> listed = lister.list(top);
        if (listed != null) {
            for (ListEntry e : listed) {
                all.put(e.path(), new Entry(e.path(), e.directory(), e.size(), e.mtimeMillis(), e.mode(), e.link()));
            }
            checkTree(all);
            return new Tree(all);
        }
        // Over SFTP with every directory's requests in flight at once (one directory after another
        // cost about four round trips each: a minute for 275 directories at 50 ms).
        try (SftpPipe pipe = SftpPipe.open(sftp.getClientSession(), timeout())) {
            RemoteTree.Listing listing = RemoteTree.listKeepingLinks(pipe, server, top, new SftpClient.Attributes());
            if (!listing.failures().isEmpty()) {
                throw new IOException(listing.failures().get(0).replaceFirst("^ferry: ", ""));
            }
            for (RemoteTree.Entry d : listing.dirs()) {
                if (!d.path().equals(top)) {
                    String rel = below(top, d.path());
                    all.put(rel, entry(rel, d.attrs(), null));
                }
            }
            for (RemoteTree.Entry f : listing.files()) {
                String rel = below(top, f.path());
                all.put(rel, entry(rel, f.attrs(), null));
            }
            for (RemoteTree.Link l : listing.links()) {
                String rel = below(top, l.path());
                all.put(rel, entry(rel, l.attrs(), l.target()));
            }
        }
        checkTree(all);
        return new Tree(all);
    }

    /**
     * One request per path, all sent at once on a channel of Ferry's own; each path whose status
     * is not OK is put in {@code failed} with the server's words.
     */
    private void exchange(List<String> paths, SftpPipe.PathRequest request, Map<String, String> failed)
            throws IOException {
        try (SftpPipe pipe = SftpPipe.open(sftp.getClientSession(), timeout())) {
            Reply.Received[] replies = pipe.exchange(paths, request);
            for (int i = 0; i < paths.size(); i++) {
                Reply.Received r = replies[i];
                Status status = r.type() == SftpConstants.SSH_FXP_STATUS ? Status.of(r.body()) : null;
                if (status == null) {
                    failed.put(paths.get(i), "the server answered with message type " + r.type());
                } else if (!status.ok()) {
                    failed.put(paths.get(i), status.exception().getMessage());
                }
            }
        }
    }

    /** {@code path}, listed under {@code top}, relative to it. */
    private static String below(String top, String path) throws IOException {
        if (top.isEmpty() || top.equals(".")) {
            return path;
        }
        String prefix = top.endsWith("/") ? top : top + "/";
        if (!path.startsWith(prefix)) {
            throw new IOException("the server listed " + path + " outside " + top);
        }
        return path.substring(prefix.length());
    }

    private Duration timeout() {
        return SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.getRequired(sftp.getClientSession());
    }

    /**
     * Refuses a listing that puts an entry under anything but a listed directory: a download makes
     * each entry under the local directory by its path, so "a" listed as a link to /etc and then
     * "a/passwd" as a file would write through the link it had just made.
     */
    static void checkTree(SortedMap<String, Entry> tree) throws IOException {
        for (String path : tree.keySet()) {
            int slash = path.lastIndexOf('/');
            if (slash < 0) {
                continue;
            }
            String parent = path.substring(0, slash);
            Entry p = tree.get(parent);
            if (p == null || !p.directory() || p.symbolicLink()) {
                throw new IOException("the server's listing puts " + path + " under " + parent
                        + (p == null ? ", which it did not list" : ", which is not a directory"));
            }
        }
    }

    @Override
    public void mkdir(String path) throws IOException {
        sftp.mkdir(resolve(path));
    }

    /**
     * All in one batch on a channel of Ferry's own (the server handles them in order, so parents
     * first is enough); one directory goes on the session's channel.
     */
    @Override
    public Map<String, String> mkdirs(List<String> paths) throws IOException {
        Map<String, String> failed = new LinkedHashMap<>();
        if (paths.size() <= 1) {
            for (String p : paths) {
                try {
                    mkdir(p);
                } catch (SftpException e) {
                    failed.put(p, e.getMessage());
                }
            }
            return failed;
        }
        exchange(paths, (batch, id, p) -> Requests.mkdir(batch, id, resolve(p)), failed);
        return failed;
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        String link = resolve(path);
        int slash = link.lastIndexOf('/');
        String temporary = link.substring(0, slash + 1) + TemporaryName.of(link.substring(slash + 1), ".ferry-link-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
        sftp.symLink(temporary, target);
        try {
            OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
            if (posix != null && posix.isSupported()) {
                posix.posixRename(temporary, link); // replaces a file or link there in one step
            } else {
                if (stat(path).isPresent()) {
                    sftp.remove(link); // SFTP v3's rename refuses an existing name
                }
                sftp.rename(temporary, link);
            }
        } catch (IOException | RuntimeException e) {
            try {
                sftp.remove(temporary);
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
            throw e;
        }
    }

    @Override
    public Map<String, String> setDirectories(Map<String, Entry> dirs) throws IOException {
        Map<String, String> failed = new LinkedHashMap<>();
        if (dirs.isEmpty()) {
            return failed;
        }
        List<String> paths = new ArrayList<>(dirs.keySet());
        exchange(paths, (batch, id, p) -> {
            Entry e = dirs.get(p);
            long seconds = Math.floorDiv(e.mtimeMillis(), 1000);
            Requests.setstat(batch, id, resolve(p), e.mode(), new long[] {seconds, seconds});
        }, failed);
        return failed;
    }

    /**
     * One batch of lsetstat@openssh.com requests (a link's own time; SETSTAT would set its
     * target's). A server that does not announce the extension keeps its links' times, as rsync
     * does on a system without lutimes.
     */
    @Override
    public Map<String, String> setLinkTimes(Map<String, Long> links) throws IOException {
        Map<String, String> failed = new LinkedHashMap<>();
        if (links.isEmpty() || !sftp.getServerExtensions().containsKey(Requests.LSETSTAT)) {
            return failed;
        }
        exchange(new ArrayList<>(links.keySet()), (batch, id, p) -> {
            long seconds = Math.floorDiv(links.get(p), 1000);
            Requests.lsetstatTimes(batch, id, resolve(p), new long[] {seconds, seconds});
        }, failed);
        return failed;
    }

    @Override
    public void delete(Entry entry) throws IOException {
        if (entry.directory()) {
            sftp.rmdir(resolve(entry.path()));
        } else {
            sftp.remove(resolve(entry.path()));
        }
    }

    @Override
    public InputStream read(String path) throws IOException {
        return sftp.read(resolve(path));
    }

    @Override
    public String resolve(String path) {
        String p = Side.join(base, path);
        return p.isEmpty() ? "." : p;
    }

    private static Entry entry(String path, SftpClient.Attributes a, String link) {
        long mtime = a.getModifyTime() == null ? 0 : a.getModifyTime().toMillis();
        return new Entry(path, a.isDirectory() && link == null, link == null ? a.getSize() : 0, mtime,
                a.getPermissions() & 07777, link);
    }
}
