package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import dev.ferry.delta.protocol.ListEntry;

/**
 * The server's files, changed over SFTP (which every SSH server has) and listed in one request
 * where the server can (ferryd's delta subsystem), else over SFTP, three round trips a directory.
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
        try {
            SftpClient.Attributes a = sftp.lstat(resolve(path));
            if (a.isSymbolicLink() || a.isOther()) {
                return Optional.empty();
            }
            return Optional.of(entry(path, a));
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public SortedMap<String, Entry> walk(String path) throws IOException {
        SortedMap<String, Entry> all = new TreeMap<>();
        List<ListEntry> listed = lister.list(resolve(path));
        if (listed != null) {
            for (ListEntry e : listed) {
                all.put(e.path(), new Entry(e.path(), e.directory(), e.size(), e.mtimeMillis(), e.mode()));
            }
            return all;
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
                SftpClient.Attributes a = d.getAttributes();
                if (a.isSymbolicLink() || a.isOther()) {
                    continue;
                }
                String rel = Side.join(dir, name);
                all.put(rel, entry(rel, a));
                if (a.isDirectory()) {
                    dirs.add(rel);
                }
            }
        }
        return all;
    }

    @Override
    public void mkdir(String path) throws IOException {
        sftp.mkdir(resolve(path));
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

    private static Entry entry(String path, SftpClient.Attributes a) {
        long mtime = a.getModifyTime() == null ? 0 : a.getModifyTime().toMillis();
        return new Entry(path, a.isDirectory(), a.getSize(), mtime, a.getPermissions() & 07777);
    }
}
