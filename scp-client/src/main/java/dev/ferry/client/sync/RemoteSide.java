package dev.ferry.client.sync;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/** The server's files, listed and changed over SFTP (which every SSH server has). */
final class RemoteSide implements Side {

    private final SftpClient sftp;
    private final String base;

    RemoteSide(SftpClient sftp, String base) {
        this.sftp = sftp;
        this.base = base;
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
