package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import dev.ferry.delta.protocol.ListEntry;
import dev.ferry.fs.TemporaryName;

/**
 * The server's files, changed over SFTP (which every SSH server has) and listed in one request
 * where the server can (ferryd's delta subsystem), else over SFTP, three round trips a directory.
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
    private final String base;
    private final TreeLister lister;

    RemoteSide(SftpClient sftp, String base, TreeLister lister) {
        this.sftp = sftp;
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
        List<ListEntry> listed = lister.list(resolve(path));
        if (listed != null) {
            for (ListEntry e : listed) {
                all.put(e.path(), new Entry(e.path(), e.directory(), e.size(), e.mtimeMillis(), e.mode(), e.link()));
            }
            checkTree(all);
            return new Tree(all);
        }
        Deque<String> dirs = new ArrayDeque<>();
        dirs.add("");
        while (!dirs.isEmpty()) {
            String dir = dirs.poll();
            for (SftpClient.DirEntry d : sftp.readDir(resolve(Side.join(path, dir)))) {
                String name = d.getFilename();
                if (name.equals(".") || name.equals("..")) {
                    continue;
                }
                if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
                    throw new IOException("the server listed an invalid name in " + resolve(Side.join(path, dir))
                            + ": \"" + name + "\"");
                }
                SftpClient.Attributes a = d.getAttributes();
                if (a.isOther()) {
                    continue;
                }
                String rel = Side.join(dir, name);
                String link = a.isSymbolicLink() ? sftp.readLink(resolve(Side.join(path, rel))) : null;
                all.put(rel, entry(rel, a, link));
                if (a.isDirectory() && link == null) {
                    dirs.add(rel);
                }
            }
        }
        checkTree(all);
        return new Tree(all);
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
