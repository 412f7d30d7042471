package dev.ferry.server.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

import org.apache.sshd.common.file.root.RootedFileSystem;
import org.apache.sshd.common.file.root.RootedFileSystemProvider;
import org.apache.sshd.common.file.root.RootedPath;

import dev.ferry.fs.AccountedChannel;
import dev.ferry.fs.SpaceAccount;

/**
 * MINA's rooted file system, made safe: every operation first checks that the path it acts on
 * resolves, symlinks followed, to a place inside the user's root, and then applies the user's
 * {@link FsPolicy}.
 *
 * <p>MINA's own provider only checks the path's text, so a symlink planted inside a root (by a local
 * user, an unpacked archive, another service) leads out of it. Here the deepest existing part of
 * the path is resolved with {@code toRealPath()} and must lie under the real root. An operation that
 * acts on a link itself (delete, rename, lstat, readlink) checks the link's directory; one that
 * follows the link (open, list, stat, chmod) checks the link's target, and a dangling link is
 * refused, since following it could create a file wherever it points.
 *
 * <p>Every change to the space the user's files take (a write past a file's end, a truncation, a
 * new file, a delete, a rename over a file, a copy, a hard link) is told first to the user's
 * {@link SpaceAccount}, which refuses what would pass their quota ({@code dev.ferry.server.quota});
 * for a user without a quota it counts nothing and costs no extra system call.
 *
 * <p>The check and the use are separate system calls: someone with a shell on the server can still
 * race a directory for a symlink between them. Java offers no {@code openat(O_NOFOLLOW)} walk to
 * close that window; roots should not be writable by untrusted local users.
 */
public final class ConfinedFileSystemProvider extends RootedFileSystemProvider {

    private static final Set<PosixFilePermission> ALL = PosixFilePermissions.fromString("rwxrwxrwx");

    private final FsPolicy policy;
    private final SpaceAccount space;

    public ConfinedFileSystemProvider(FsPolicy policy) {
        this(policy, SpaceAccount.UNLIMITED);
    }

    /** @param space told of the bytes and regular files the user's changes take or free (their quota) */
    public ConfinedFileSystemProvider(FsPolicy policy, SpaceAccount space) {
        this.policy = policy;
        this.space = space;
    }

    public FsPolicy policy() {
        return policy;
    }

    /** The policy that governs {@code path}, or the default one for a path outside any confined system. */
    public static FsPolicy policyOf(Path path) {
        return path.getFileSystem().provider() instanceof ConfinedFileSystemProvider p ? p.policy : FsPolicy.DEFAULT;
    }

    /** The account of space that governs {@code path}, or none for a path outside any confined system. */
    public static SpaceAccount spaceOf(Path path) {
        return path.getFileSystem().provider() instanceof ConfinedFileSystemProvider p ? p.space
                : SpaceAccount.UNLIMITED;
    }

    /**
     * Where {@code path} lies on the disk: for a path of a confined file system the user's root
     * joined with its text (no link resolved: it names what the path names), any other path as it is.
     */
    public static Path onDisk(Path path) {
        return path.getFileSystem().provider() instanceof ConfinedFileSystemProvider p ? p.unroot(path)
                : path.toAbsolutePath();
    }

    /** Creates the user's view of {@code root}, which must be an existing directory. */
    public RootedFileSystem newFileSystem(Path root) throws IOException {
        return (RootedFileSystem) newFileSystem(root.toRealPath(), Map.of());
    }

    /**
     * The real directory behind {@code dir}, an existing directory of this file system, once
     * checked to lie inside the root (links followed: the check {@link #contain} makes of an
     * existing path). For a walk that reads each directory relative to the one above it without
     * following links ({@code dev.ferry.delta.Listing}), which then needs no check per entry.
     */
    public Path realDirectory(Path dir) throws IOException {
        Path real = unroot(dir).toRealPath();
        if (!real.startsWith(((RootedPath) dir).getFileSystem().getRoot())) {
            throw denied(dir, "it leads outside the user's root");
        }
        return real;
    }

    /**
     * The real directory behind {@code dir} as {@link #realDirectory} gives it, for writing files in
     * it: refused for a read-only user. Steps made relative to it once it is open (openat,
     * renameat) need no check each ({@code dev.ferry.delta.Landing}); new files there get the mode
     * the writer gives them, as they would through this file system's own chmod.
     */
    public Path writableDirectory(Path dir) throws IOException {
        writable(dir);
        return realDirectory(dir);
    }

    /**
     * What the user is shown of a link at {@code link} (a real path inside {@code root}, the real
     * root) that holds {@code target}: a relative target as it is, an absolute one as the root's
     * user names it ("/docs/a" for ROOT/docs/a, which is how MINA writes one), and null for a link
     * whose target, read lexically from where it lies, leads out of the root: its text would tell
     * of the disk outside, and following it is refused anyway.
     */
    public static String linkSeenInside(Path root, Path link, String target) {
        Path t;
        try {
            t = link.getFileSystem().getPath(target);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        Path resolved = (t.isAbsolute() ? t : link.toAbsolutePath().getParent().resolve(t)).normalize();
        if (!resolved.startsWith(root)) {
            return null;
        }
        return t.isAbsolute() ? "/" + root.relativize(resolved) : target;
    }

    // ---- containment -------------------------------------------------------------------------

    /** The places checked during the current request of this thread, when one is open. */
    private static final ThreadLocal<Set<Path>> CHECKED = new ThreadLocal<>();

    /**
     * Opens one request's worth of checks on this thread: until it is closed, a place found inside
     * the root is not resolved again. MINA's SFTP subsystem asks the file system several times for
     * one request (an OPEN checks that the file exists, opens it and reads its attributes; a RENAME
     * checks both names, in one directory): each check walked the path with realpath(3), a readlink
     * per component, and made up a fifth of ferryd's CPU on a tree of small files. Within a request
     * the result cannot go stale by more than it already can between any check and its use (see
     * the class comment); nothing is remembered from one request to the next.
     */
    public static Request oneRequest() {
        Set<Path> outer = CHECKED.get();
        CHECKED.set(new HashSet<>(4));
        return () -> CHECKED.set(outer);
    }

    /** The scope {@link #oneRequest} opens. */
    public interface Request extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Refuses {@code path} unless it resolves inside the root.
     *
     * @param followLast whether the operation follows a symlink in the last component
     */
    private void contain(Path path, boolean followLast) throws IOException {
        Path local = unroot(path);
        Path root = ((RootedPath) path).getFileSystem().getRoot();
        Path probe = followLast ? local : local.getParent();
        if (probe == null || !probe.startsWith(root) || probe.equals(root)) {
            return; // the root itself; unroot() has already refused anything lexically above it
        }
        Set<Path> checked = CHECKED.get();
        if (checked != null && checked.contains(probe)) {
            return;
        }
        resolveInside(path, probe, root);
        if (checked != null) {
            checked.add(probe);
        }
    }

    /** Resolves {@code probe}, or its deepest existing ancestor, and refuses it outside {@code root}. */
    private static void resolveInside(Path path, Path probe, Path root) throws IOException {
        while (probe != null && !Files.exists(probe, LinkOption.NOFOLLOW_LINKS)) {
            probe = probe.getParent(); // names still to be created cannot be links
        }
        if (probe == null) {
            return;
        }
        Path real;
        try {
            real = probe.toRealPath();
        } catch (NoSuchFileException e) {
            throw denied(path, "it is a symbolic link whose target does not exist");
        }
        if (!real.startsWith(root)) {
            throw denied(path, "it leads outside the user's root");
        }
    }

    /**
     * Refuses to remove, move or replace the root itself: an SFTP {@code RMDIR /} of an empty root
     * removed the user's root directory, leaving them nothing to log in to.
     */
    private void notTheRoot(Path path) throws IOException {
        if (unroot(path).equals(((RootedPath) path).getFileSystem().getRoot())) {
            throw denied(path, "it is the user's root");
        }
    }

    private static boolean follows(Object[] options) {
        return !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Whether opening a file with {@code options} follows a link in the last component. The JDK
     * drops O_NOFOLLOW when CREATE_NEW is given, and ignores CREATE_NEW itself when the file is
     * opened only for reading: {@code {CREATE_NEW, NOFOLLOW_LINKS}} then opens a link's target,
     * whose check NOFOLLOW_LINKS alone would skip. (MINA's SFTP OPEN never adds NOFOLLOW_LINKS, but
     * the provider is the one place the root is kept, whoever calls it.)
     */
    private static boolean opensFollowing(Object[] options) {
        return follows(options) || Arrays.asList(options).contains(StandardOpenOption.CREATE_NEW);
    }

    private static AccessDeniedException denied(Path rooted, String why) {
        return new AccessDeniedException(rooted.toString(), null, why);
    }

    private void writable(Path path) throws AccessDeniedException {
        if (policy.readOnly()) {
            throw denied(path, "the user is read-only");
        }
    }

    private void linksAllowed(Path path) throws AccessDeniedException {
        if (!policy.allowLinks()) {
            throw denied(path, "creating links is not allowed for this user");
        }
    }

    // ---- opening files -------------------------------------------------------------------------

    private static boolean writes(Set<? extends OpenOption> options) {
        return options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)
                || options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW)
                || options.contains(StandardOpenOption.TRUNCATE_EXISTING)
                || options.contains(StandardOpenOption.DELETE_ON_CLOSE);
    }

    private static boolean creates(Set<? extends OpenOption> options) {
        return options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW);
    }

    /** The work of one open: checks first, then the open, then the exact mode of a file it created. */
    @FunctionalInterface
    private interface Opener<T> {
        T open(FileAttribute<?>[] attrs) throws IOException;
    }

    private <T> T open(Path path, Set<? extends OpenOption> options, FileAttribute<?>[] attrs, Opener<T> opener)
            throws IOException {
        contain(path, opensFollowing(options.toArray()));
        if (writes(options)) {
            writable(path);
        }
        if (!creates(options) && !(space.counts() && writes(options))) {
            return opener.open(attrs);
        }
        Path local = unroot(path);
        BasicFileAttributes old = existing(local, options);
        boolean existed = old != null || Files.exists(local, LinkOption.NOFOLLOW_LINKS);
        Replacement replacing = REPLACING.get();
        String shown = replacing != null ? replacing.target() : path.toString();
        long replaced = replacing != null ? replacing.bytes() : -1;
        boolean counted = creates(options) && !existed && space.counts();
        if (counted) {
            space.creating(shown, replaced);
        }
        T opened;
        try {
            opened = opener.open(creates(options)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(policy.mask(requested(attrs, false)))}
                    : attrs);
        } catch (IOException | RuntimeException e) {
            if (counted) {
                space.removed(0);
            }
            throw e;
        }
        if (creates(options) && !existed) {
            // The process umask has also applied to the open(2) mode; set the user's exactly.
            Files.setPosixFilePermissions(local, policy.mask(requested(attrs, false)));
        }
        if (old != null && old.isRegularFile() && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            space.shrunk(old.size());
        }
        return opened;
    }

    /**
     * What an open that writes with {@code options} finds at {@code local} (links followed as the
     * open follows them), when the user's space is counted; null when nothing is there, or nothing
     * is counted.
     */
    private BasicFileAttributes existing(Path local, Set<? extends OpenOption> options) throws IOException {
        if (!space.counts()) {
            return null;
        }
        try {
            return opensFollowing(options.toArray()) ? Files.readAttributes(local, BasicFileAttributes.class)
                    : Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A regular file's size at {@code local}, not following a link; -1 for anything else or nothing. */
    private long regularSize(Path local) throws IOException {
        if (!space.counts()) {
            return -1;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? a.size() : -1;
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /** Whether two names are one file, links not followed (a rename of one onto the other frees nothing). */
    private boolean sameFile(Path a, Path b) throws IOException {
        if (!space.counts()) {
            return false;
        }
        try {
            Object ka = Files.readAttributes(a, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            Object kb = Files.readAttributes(b, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return ka != null && ka.equals(kb);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** The file an upload writing on this thread will replace (see {@link #replacing}). */
    private record Replacement(String target, long bytes) {
    }

    private static final ThreadLocal<Replacement> REPLACING = new ThreadLocal<>();

    /**
     * Until closed, a file created on this thread is the temporary of an upload to {@code target}
     * (as the user names it), to be renamed over a regular file of {@code bytes} there (-1: none):
     * counted as replacing it ({@link SpaceAccount}), and refused in {@code target}'s name.
     * ferryd's atomic SFTP and SCP uploads open their temporaries inside one.
     */
    public static Request replacing(String target, long bytes) {
        Replacement outer = REPLACING.get();
        REPLACING.set(new Replacement(target, bytes));
        return () -> REPLACING.set(outer);
    }

    private Set<PosixFilePermission> requested(FileAttribute<?>[] attrs, boolean directory) {
        for (FileAttribute<?> attr : attrs) {
            if (("posix:permissions".equals(attr.name()) || "unix:permissions".equals(attr.name()))
                    && attr.value() instanceof Set<?> set) {
                Set<PosixFilePermission> perms = new HashSet<>();
                for (Object o : set) {
                    perms.add((PosixFilePermission) o);
                }
                return perms;
            }
        }
        return directory ? ALL : PosixFilePermissions.fromString("rw-rw-rw-");
    }

    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
        contain(path, opensFollowing(options));
        return super.newInputStream(path, options);
    }

    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        Set<OpenOption> set = new HashSet<>(Arrays.asList(options));
        if (set.isEmpty()) {
            set.addAll(Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING));
        }
        set.add(StandardOpenOption.WRITE);
        // Through newByteChannel so that a created file gets the umask like any other.
        SeekableByteChannel channel = newByteChannel(path, set);
        return Channels.newOutputStream(channel);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return open(path, options, attrs, a -> counted(path, options, super.newFileChannel(path, options, a)));
    }

    /** {@code channel}, counted in the user's space when it writes. */
    private FileChannel counted(Path path, Set<? extends OpenOption> options, FileChannel channel) {
        if (!writes(options)) {
            return channel;
        }
        Replacement r = REPLACING.get();
        return AccountedChannel.of(channel, space, r != null ? r.target() : path.toString(), r != null ? r.bytes() : 0);
    }

    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        if (space.counts() && writes(options)) {
            throw new UnsupportedOperationException("asynchronous writes are not counted in a quota");
        }
        return open(path, options, attrs, a -> super.newAsynchronousFileChannel(path, options, executor, a));
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
            FileAttribute<?>... attrs) throws IOException {
        return open(path, options, attrs, a -> {
            SeekableByteChannel c = super.newByteChannel(path, options, a);
            if (c instanceof FileChannel f) { // what the JDK's Unix file system returns
                return counted(path, options, f);
            }
            if (space.counts() && writes(options)) {
                c.close();
                throw new UnsupportedOperationException("this platform's channels cannot be counted in a quota");
            }
            return c;
        });
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        contain(dir, true);
        return super.newDirectoryStream(dir, filter);
    }

    // ---- changing the tree ---------------------------------------------------------------------

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        contain(dir, false);
        writable(dir);
        Set<PosixFilePermission> mode = policy.mask(requested(attrs, true));
        super.createDirectory(dir, PosixFilePermissions.asFileAttribute(mode));
        Files.setPosixFilePermissions(unroot(dir), mode);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        contain(link, false);
        writable(link);
        linksAllowed(link);
        if (target.isAbsolute()) {
            // MINA maps an absolute target into the root; check where it leads through any links
            // already on the way.
            contain(target, true);
            super.createSymbolicLink(link, target, attrs);
            return;
        }
        // Normalized first: the parent of "/../x" is "/.." to the text, one name deep, but the link
        // lands at "/x" (MINA normalizes it into the root), where a target "../y" climbs out.
        Path parent = link.toAbsolutePath().normalize().getParent();
        if (parent == null) {
            throw new FileAlreadyExistsException(link.toString(), null, "it is the user's root");
        }
        if (climbsAboveRoot(parent, target)) {
            throw denied(link, "its target climbs out of the user's root");
        }
        Path root = ((RootedPath) link).getFileSystem().getRoot();
        if (walksOut(unroot(parent), target, root)) {
            throw denied(link, "its target leads outside the user's root");
        }
        // Made here, not by MINA: MINA refuses every relative target whose ".." outnumber the
        // target's own names before them ("../file.txt" from a link in a subdirectory, which
        // stays inside; rsync -a makes such links all the time). The climb is checked above
        // against the link's own depth, and the target kept as the text it was given.
        Files.createSymbolicLink(unroot(link), unroot(link).getFileSystem().getPath(target.toString()));
    }

    /**
     * Whether {@code target}, a relative link target read from the directory {@code parent} (a real
     * path), leaves {@code root} at any step when the kernel follows it: names one by one, each link
     * on the way followed before a later "..". The lexical count ({@link #climbsAboveRoot}) is not
     * enough: with {@code top} a link to the root, "top/.." names the root to the text but its
     * parent to the kernel (found by ConfinedFileSystemFuzzTest).
     */
    static boolean walksOut(Path parent, Path target, Path root) throws IOException {
        Path realRoot = root.toRealPath();
        Path at;
        try {
            at = parent.toRealPath();
        } catch (NoSuchFileException e) {
            return false; // no directory to make the link in: the creation fails on its own
        }
        for (Path name : target) {
            String n = name.toString();
            if (n.equals("..")) {
                at = at.getParent();
            } else if (!n.equals(".") && !n.isEmpty()) {
                at = at.resolve(n);
                if (Files.isSymbolicLink(at)) {
                    try {
                        at = at.toRealPath();
                    } catch (NoSuchFileException e) {
                        at = at.getParent().resolve(Files.readSymbolicLink(at)).normalize(); // dangling: as written
                    }
                }
            }
            if (at == null || !at.startsWith(realRoot)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code target}, a relative link target, read from the directory {@code parent}
     * (absolute in the root), goes above the root at any step: "a/../../x" from "/d" does not,
     * "../../x" from "/d" does. A lexical count, before any link on the way is looked at.
     */
    static boolean climbsAboveRoot(Path parent, Path target) {
        int depth = parent.getNameCount();
        for (Path name : target) {
            String n = name.toString();
            if (n.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!n.equals(".") && !n.isEmpty()) {
                depth++;
            }
        }
        return false;
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        contain(link, false);
        contain(existing, true);
        writable(link);
        linksAllowed(link);
        long size = regularSize(unroot(existing));
        if (size >= 0) { // counted as a copy: the walk of a root counts each name of a file
            space.creating(link.toString(), -1);
            try {
                space.growing(link.toString(), size, 0);
            } catch (IOException | RuntimeException e) {
                space.removed(0);
                throw e;
            }
        }
        try {
            super.createLink(link, existing);
        } catch (IOException | RuntimeException e) {
            if (size >= 0) {
                space.removed(size);
            }
            throw e;
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        contain(path, false);
        writable(path);
        notTheRoot(path);
        long size = regularSize(unroot(path));
        super.delete(path);
        if (size >= 0) {
            space.removed(size);
        }
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        contain(path, false);
        writable(path);
        notTheRoot(path);
        long size = regularSize(unroot(path));
        boolean deleted = super.deleteIfExists(path);
        if (deleted && size >= 0) {
            space.removed(size);
        }
        return deleted;
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        contain(source, follows(options));
        if (!follows(options) && Files.isSymbolicLink(unroot(source))) {
            // Copying a link without following it makes a new link: the same rules as creating one.
            linksAllowed(target);
            contain(source, true);
        }
        contain(target, false);
        writable(target);
        long size = space.counts() && Files.isRegularFile(unroot(source), follows(options) ? new LinkOption[0]
                : new LinkOption[] {LinkOption.NOFOLLOW_LINKS}) ? Files.size(unroot(source)) : -1;
        if (size < 0) {
            super.copy(source, target, options);
            return;
        }
        long replaced = regularSize(unroot(target));
        if (replaced < 0) {
            space.creating(target.toString(), -1);
        }
        try {
            space.growing(target.toString(), size, Math.max(0, replaced));
        } catch (IOException | RuntimeException e) {
            if (replaced < 0) {
                space.removed(0);
            }
            throw e;
        }
        try {
            super.copy(source, target, options);
        } catch (IOException | RuntimeException e) {
            space.removed(replaced < 0 ? size : 0);
            if (replaced >= 0) {
                space.shrunk(size);
            }
            throw e;
        }
        if (replaced >= 0) {
            space.shrunk(replaced);
        }
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        contain(source, false);
        contain(target, false);
        writable(target);
        notTheRoot(source);
        notTheRoot(target);
        long replaced = sameFile(unroot(source), unroot(target)) ? -1 : regularSize(unroot(target));
        super.move(source, target, options);
        if (replaced >= 0) {
            space.removed(replaced); // the file that was there is gone
        }
    }

    // ---- reading the tree ----------------------------------------------------------------------

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        contain(link, false);
        return super.readSymbolicLink(link);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        contain(path, true);
        contain(path2, true);
        return super.isSameFile(path, path2);
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        contain(path, false);
        return super.isHidden(path);
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        contain(path, true);
        return super.getFileStore(path);
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        contain(path, true);
        if (Arrays.asList(modes).contains(AccessMode.WRITE)) {
            writable(path);
        }
        super.checkAccess(path, modes);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        contain(path, follows(options));
        return super.readAttributes(path, type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        contain(path, follows(options));
        return super.readAttributes(path, attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        contain(path, follows(options));
        writable(path);
        String name = attribute.substring(attribute.indexOf(':') + 1);
        if (name.equals("owner") || name.equals("group") || name.equals("uid") || name.equals("gid")) {
            // SFTP SETSTAT with UIDGID arrives here as unix:uid / unix:gid; the server may run as root.
            throw denied(path, "changing a file's owner or group is not allowed");
        }
        if (attribute.endsWith("mode") && value instanceof Integer mode) {
            value = mode & 01777; // never setuid or setgid
        }
        super.setAttribute(path, attribute, value, options);
    }

    /**
     * Views cannot throw when they are created, so every view is a proxy that checks when it is
     * used: everything is refused for a path outside the root, changes for a read-only user, and
     * owner or group changes for everyone.
     */
    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        AccessDeniedException refusal = null;
        try {
            contain(path, follows(options));
        } catch (AccessDeniedException e) {
            refusal = e;
        } catch (IOException e) {
            refusal = denied(path, "it cannot be resolved");
        }
        V view = super.getFileAttributeView(path, type, options);
        if (view == null) {
            return null;
        }
        AccessDeniedException always = refusal;
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            if (method.getName().equals("name")) {
                return view.name();
            }
            if (always != null) {
                throw always;
            }
            if (method.getName().equals("setOwner") || method.getName().equals("setGroup")) {
                // The server may run as root; a user must never give files away or take them.
                throw denied(path, "changing a file's owner or group is not allowed");
            }
            if (method.getName().startsWith("set") && policy.readOnly()) {
                throw denied(path, "the user is read-only");
            }
            try {
                return method.invoke(view, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return type.cast(proxy);
    }
}
