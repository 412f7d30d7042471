package dev.ferry.client.transfer;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.common.SftpConstants;

import dev.ferry.client.sftp.Attrs;
import dev.ferry.client.sftp.Reply;
import dev.ferry.client.sftp.Requests;
import dev.ferry.client.sftp.SftpPipe;
import dev.ferry.client.sftp.Status;

/**
 * A remote tree listed over one {@link SftpPipe} with every directory's requests in flight at once:
 * a directory's OPENDIR goes out as soon as its parent's listing names it, so a tree of any shape
 * costs about as many round trips as it is deep, not as it has directories (MINA's client lists
 * one directory after another, four round trips each). Symbolic links are followed, as scp -r
 * follows them (a STAT says what they point to), or kept as links, as ferry sync keeps them (a
 * READLINK says what they hold).
 *
 * <p>Threads as in {@link TreeUpload}: replies are parsed on MINA's I/O thread and queue the
 * requests they make due; the calling thread sends them.
 */
public final class RemoteTree {

    /** A file or directory found, with its attributes. */
    public record Entry(String path, Attributes attrs) {
    }

    /** A symbolic link found (when links are kept), with its own attributes and what it holds. */
    public record Link(String path, Attributes attrs, String target) {
    }

    private final SftpPipe pipe;
    private final String server;
    private final List<Entry> dirs = new ArrayList<>(); // guarded by this
    private final List<Entry> files = new ArrayList<>(); // guarded by this
    private final List<Link> links = new ArrayList<>(); // guarded by this
    private final List<String> failures = new ArrayList<>(); // guarded by this
    private final ArrayDeque<Buffer> due = new ArrayDeque<>(); // guarded by this
    private int outstanding; // guarded by this: directories and links not yet fully answered

    private final boolean followLinks;

    private RemoteTree(SftpPipe pipe, String server, boolean followLinks) {
        this.pipe = pipe;
        this.server = server;
        this.followLinks = followLinks;
    }

    /**
     * What a listing found: directories parents first, files, links (when kept), and one sentence
     * per failure.
     */
    public record Listing(List<Entry> dirs, List<Entry> files, List<Link> links, List<String> failures) {
    }

    /** Lists everything under {@code root} (a directory whose attributes are {@code rootAttrs}), following links. */
    static Listing list(SftpPipe pipe, String server, String root, Attributes rootAttrs) throws IOException {
        return list(new RemoteTree(pipe, server, true), root, rootAttrs);
    }

    /** Lists everything under {@code root}, links kept as links and never followed. */
    public static Listing listKeepingLinks(SftpPipe pipe, String server, String root, Attributes rootAttrs)
            throws IOException {
        return list(new RemoteTree(pipe, server, false), root, rootAttrs);
    }

    private static Listing list(RemoteTree tree, String root, Attributes rootAttrs) throws IOException {
        synchronized (tree) {
            tree.dirs.add(new Entry(root, rootAttrs));
            tree.openDir(root);
        }
        tree.run();
        synchronized (tree) {
            List<Entry> d = new ArrayList<>(tree.dirs);
            d.sort(Comparator.comparing(Entry::path)); // a parent sorts before its children
            List<Entry> f = new ArrayList<>(tree.files);
            f.sort(Comparator.comparing(Entry::path));
            List<Link> l = new ArrayList<>(tree.links);
            l.sort(Comparator.comparing(Link::path));
            return new Listing(d, f, l, List.copyOf(tree.failures));
        }
    }

    private void run() throws IOException {
        while (true) {
            List<Buffer> now;
            synchronized (this) {
                while (due.isEmpty() && outstanding > 0) {
                    pipe.awaitReplies(this);
                }
                if (due.isEmpty()) {
                    return;
                }
                now = new ArrayList<>(due);
                due.clear();
            }
            for (Buffer b : now) {
                pipe.send(b); // never holding the lock: TreeUpload.sendDue says why
            }
        }
    }

    /** Holding the lock. */
    private void queue(Buffer request) {
        due.add(request);
        notifyAll();
    }

    /** Holding the lock: one more directory to list. */
    private void openDir(String dir) throws IOException {
        outstanding++;
        int id = pipe.nextId();
        pipe.expect(id, new Opened(dir));
        Buffer b = new ByteArrayBuffer(64 + dir.length() * 3);
        Requests.opendir(b, id, dir);
        queue(b);
    }

    private synchronized void done(String failure) {
        if (failure != null) {
            failures.add(failure);
        }
        outstanding--;
        notifyAll();
    }

    private String describe(IOException e, String path) {
        return SftpCopier.describe(e, server + ":" + path);
    }

    private final class Opened implements Reply {
        private final String dir;

        Opened(String dir) {
            this.dir = dir;
        }

        @Override
        public void complete(int type, Buffer body) throws IOException {
            if (type != SftpConstants.SSH_FXP_HANDLE) {
                done(describe(Status.unexpected(type, body, "a handle"), dir));
                return;
            }
            readNext(body.getBytes());
        }

        private void readNext(byte[] handle) throws IOException {
            int id = pipe.nextId();
            pipe.expect(id, new Read(handle));
            Buffer b = new ByteArrayBuffer(64 + handle.length);
            Requests.readdir(b, id, handle);
            synchronized (RemoteTree.this) {
                queue(b);
            }
        }

        @Override
        public void failed(IOException cause) {
            done(describe(cause, dir));
        }

        private final class Read implements Reply {
            private final byte[] handle;

            Read(byte[] handle) {
                this.handle = handle;
            }

            @Override
            public void complete(int type, Buffer body) throws IOException {
                if (type == SftpConstants.SSH_FXP_NAME) {
                    names(body);
                    readNext(handle);
                    return;
                }
                int closeId = pipe.nextId();
                pipe.expect(closeId, Reply.IGNORED);
                Buffer b = new ByteArrayBuffer(64 + handle.length);
                Requests.close(b, closeId, handle);
                synchronized (RemoteTree.this) {
                    queue(b);
                }
                boolean eof = type == SftpConstants.SSH_FXP_STATUS && Status.of(body).eof();
                done(eof ? null : describe(Status.unexpected(type, body, "names"), dir));
            }

            @Override
            public void failed(IOException cause) {
                done(describe(cause, dir));
            }

            private void names(Buffer body) throws IOException {
                int count = body.getInt();
                for (int i = 0; i < count; i++) {
                    String name = body.getString();
                    body.getString(); // the long name, as ls -l would print it
                    Attributes attrs = Attrs.read(body);
                    if (name.equals(".") || name.equals("..")) {
                        continue;
                    }
                    String child = RemoteNames.join(dir, name);
                    try {
                        RemoteNames.checkListedName(name, dir);
                    } catch (IOException e) {
                        synchronized (RemoteTree.this) {
                            failures.add(describe(e, child));
                        }
                        continue;
                    }
                    found(child, attrs);
                }
            }
        }
    }

    /** A name listed (or a link's target stated): a directory is listed next, a link stated, a file kept. */
    private void found(String path, Attributes attrs) throws IOException {
        synchronized (this) {
            if (attrs.isSymbolicLink()) {
                outstanding++;
                int id = pipe.nextId();
                Buffer b = new ByteArrayBuffer(64 + path.length() * 3);
                if (followLinks) {
                    pipe.expect(id, new Stated(path));
                    Requests.stat(b, id, path);
                } else {
                    pipe.expect(id, new ReadLink(path, attrs));
                    Requests.readlink(b, id, path);
                }
                queue(b);
            } else if (attrs.isDirectory()) {
                dirs.add(new Entry(path, attrs));
                openDir(path);
            } else if (attrs.isRegularFile()) {
                files.add(new Entry(path, attrs));
            }
        }
    }

    private final class ReadLink implements Reply {
        private final String path;
        private final Attributes attrs;

        ReadLink(String path, Attributes attrs) {
            this.path = path;
            this.attrs = attrs;
        }

        @Override
        public void complete(int type, Buffer body) {
            if (type == SftpConstants.SSH_FXP_NAME && body.getInt() >= 1) {
                String target = body.getString();
                synchronized (RemoteTree.this) {
                    links.add(new Link(path, attrs, target));
                }
                done(null);
            } else {
                done(describe(Status.unexpected(type, body, "a link's target"), path));
            }
        }

        @Override
        public void failed(IOException cause) {
            done(describe(cause, path));
        }
    }

    private final class Stated implements Reply {
        private final String path;

        Stated(String path) {
            this.path = path;
        }

        @Override
        public void complete(int type, Buffer body) throws IOException {
            if (type == SftpConstants.SSH_FXP_ATTRS) {
                found(path, Attrs.read(body));
                done(null);
            } else {
                done(describe(Status.unexpected(type, body, "attributes"), path));
            }
        }

        @Override
        public void failed(IOException cause) {
            done(describe(cause, path));
        }
    }
}
