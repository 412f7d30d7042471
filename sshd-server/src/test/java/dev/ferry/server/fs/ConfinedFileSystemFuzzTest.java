package dev.ferry.server.fs;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of a user's confined file system: random names (with {@code ..},
 * {@code /}, NUL, long ones, any UTF-16 the fuzzer makes) and random operations (read, write,
 * create directory, delete, move, copy, symbolic and hard links, list, stat, set attributes, open
 * channels, and the real directories the delta subsystem asks for), each in a request scope of its
 * own as ferryd's SFTP subsystem runs them, against a root that holds planted links leading out
 * (absolute, relative, dangling, to files and to directories, from the top and from a
 * subdirectory), beside a directory {@code outside/} of sentinel files. After every input:
 * <ul>
 * <li>everything outside the root (names, kinds, sizes, contents, modes, mtimes, link targets) is
 *     as it was;</li>
 * <li>no read, channel or listing returned an outside file's bytes or listed an outside
 *     directory, and no stat that followed links described an outside file;</li>
 * <li>no link the user made inside the root resolves outside it (symbolic: followed component by
 *     component as the kernel would, dangling ones included; hard: no inode shared with outside,
 *     and each planted link still has one name);</li>
 * <li>a read-only user changed nothing, inside or out.</li>
 * </ul>
 * Operation failures (IOException; IllegalArgumentException for a name with NUL or options the
 * JDK refuses) are expected: they are refusals. Any other exception is a finding.
 * Seeds: {@code ConfinedFileSystemFuzzTestInputs/}, byte strings that drive each operation.
 */
class ConfinedFileSystemFuzzTest {

    /** Outside files' content: the fuzzer cannot have made it up unless it wrote it itself. */
    private static final String TOKEN = "sentinel-" + UUID.randomUUID();

    /** Names worth trying, beside the random ones: the planted links and the ways out. */
    private static final List<String> NAMES = List.of("inside.txt", "sub", "sub/deep.txt", "abs-file", "rel-file",
            "abs-dir", "rel-dir", "dangling", "dangling-dir", "inside-link", "sub/up", "sub/same", "new", "sub/new",
            ".", "..", "/", "/..", "../outside", "../outside/secret.txt", "abs-dir/secret.txt", "rel-dir/new",
            "sub/up/secret.txt", "sub/up/dir", "dangling/x", "abs-dir/dir/inner.txt", "/sub/../..", "sub/same/up",
            "inside-link/..", "a/../../outside");

    private static final List<FsPolicy> POLICIES = List.of(new FsPolicy(false, 022, true),
            new FsPolicy(false, 077, false), new FsPolicy(true, 022, true));

    @TempDir
    static Path tmp;
    static Path root;
    static Path outside;
    static Map<String, String> outsideBefore;
    static Set<Object> outsideInodes;

    @BeforeAll
    static void plantOutside() throws IOException {
        Path base = tmp.toRealPath();
        root = base.resolve("root");
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), TOKEN + " secret");
        Files.createDirectory(outside.resolve("dir"));
        Files.writeString(outside.resolve("dir/inner.txt"), TOKEN + " inner");
        Files.setLastModifiedTime(outside.resolve("secret.txt"), FileTime.fromMillis(1_000_000_000_000L));
        outsideBefore = Trees.snapshot(base, root);
        outsideInodes = inodes(outside);
    }

    @FuzzTest
    void nothingOutsideTheRootIsReadWrittenListedOrLinked(byte[] input) throws IOException {
        Set<Object> planted = plantRoot();
        Cursor data = new Cursor(input);
        FsPolicy policy = data.pick(POLICIES);
        FileSystem fs = new ConfinedFileSystemProvider(policy).newFileSystem(root);
        Map<String, String> rootBefore = policy.readOnly() ? Trees.snapshot(root, null) : Map.of();
        Run run = new Run(fs, data);
        for (int step = 0; step < 16 && data.remaining() > 0; step++) {
            try (ConfinedFileSystemProvider.Request request = ConfinedFileSystemProvider.oneRequest()) {
                run.step();
            } catch (IOException | IllegalArgumentException refused) {
                // A refusal or a plain failure (no such file, not empty, exists), or an option set
                // or name (NUL) the JDK refuses: MINA's SFTP answers each with a failure status.
            }
        }
        assertEquals(outsideBefore, Trees.snapshot(root.getParent(), root), "something outside the root changed");
        checkRoot(planted, run.wroteToken);
        if (policy.readOnly()) {
            assertEquals(rootBefore, Trees.snapshot(root, null), "a read-only user changed the root");
        }
    }

    /** The operations of one input, on the names it makes up. */
    private static final class Run {
        private final FileSystem fs;
        private final Cursor data;
        /** Whether the input itself wrote the token somewhere (then reading it back proves nothing). */
        private boolean wroteToken;

        Run(FileSystem fs, Cursor data) {
            this.fs = fs;
            this.data = data;
        }

        void step() throws IOException {
            Path p = path();
            switch (data.u8() % 16) {
                case 0 -> readChecked(p, Files.readAllBytes(p));
                case 1 -> {
                    byte[] bytes = data.bytes();
                    wroteToken |= new String(bytes, UTF_8).contains("sentinel");
                    Files.write(p, bytes, openOptions(true));
                }
                case 2 -> Files.createDirectory(p);
                case 3 -> Files.delete(p);
                case 4 -> Files.move(p, path(), copyOptions(StandardCopyOption.ATOMIC_MOVE));
                case 5 -> Files.copy(p, path(), copyOptions(StandardCopyOption.COPY_ATTRIBUTES));
                case 6 -> linked(Files.createSymbolicLink(p, fs.getPath(name())));
                case 7 -> linked(Files.createLink(p, path()));
                case 8 -> list(p);
                case 9 -> stat(p, data.bool());
                case 10 -> Files.setLastModifiedTime(p, FileTime.fromMillis(data.i64()));
                case 11 -> Files.setPosixFilePermissions(p, FsPolicy.Modes.toPermissions(data.u16() & 0777));
                case 12 -> setAttribute(p);
                case 13 -> channel(p);
                case 14 -> Files.readSymbolicLink(p);
                default -> {
                    ConfinedFileSystemProvider provider = (ConfinedFileSystemProvider) fs.provider();
                    Path real = data.bool() ? provider.realDirectory(p) : provider.writableDirectory(p);
                    assertTrue(real.startsWith(root), () -> p + " gave the real directory " + real);
                }
            }
        }

        /** A link just made leads inside now, through whatever is on its way. */
        void linked(Path link) throws IOException {
            Path local = local(link);
            assertFalse(outsideInodes.contains(Files.readAttributes(local, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey()), () -> link + " was made as a hard link to an outside file");
            if (Files.isSymbolicLink(local)) {
                Path target = follow(local, 0, Set.of());
                assertTrue(target.startsWith(root), () -> "the link " + link + " -> " + readLink(local)
                        + " was made, and leads to " + target);
            }
        }

        private Path path() {
            return fs.getPath(name());
        }

        /** One of {@link #NAMES}, or made up: any bytes, up to 2 KiB, as UTF-8 (NUL and all). */
        private String name() {
            int first = data.u8();
            if (first < 0x80) {
                return NAMES.get(first % NAMES.size());
            }
            int length = first & 0x7f;
            if (length == 0x7f) {
                length += data.u8() * 8;
            }
            String name = new String(data.bytes(length), UTF_8);
            return name.isEmpty() ? "." : name;
        }

        private OpenOption[] openOptions(boolean writing) {
            List<OpenOption> options = new ArrayList<>();
            for (StandardOpenOption option : List.of(StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.APPEND, StandardOpenOption.WRITE,
                    StandardOpenOption.READ)) {
                if (data.bool()) {
                    options.add(option);
                }
            }
            if (data.bool()) {
                options.add(LinkOption.NOFOLLOW_LINKS);
            }
            if (writing && !options.contains(StandardOpenOption.WRITE) && !options.contains(StandardOpenOption.APPEND)) {
                options.add(StandardOpenOption.WRITE);
            }
            if (options.contains(StandardOpenOption.APPEND) && options.contains(StandardOpenOption.READ)) {
                options.remove(StandardOpenOption.READ); // refused by the JDK before any provider sees it
            }
            return options.toArray(OpenOption[]::new);
        }

        /** REPLACE_EXISTING, NOFOLLOW_LINKS, and {@code third} (a move and a copy take different ones). */
        private CopyOption[] copyOptions(CopyOption third) {
            List<CopyOption> options = new ArrayList<>();
            if (data.bool()) {
                options.add(StandardCopyOption.REPLACE_EXISTING);
            }
            if (data.bool()) {
                options.add(LinkOption.NOFOLLOW_LINKS);
            }
            if (data.bool()) {
                options.add(third);
            }
            return options.toArray(CopyOption[]::new);
        }

        /** The attributes MINA's SFTP SETSTAT sets, each with a value of its type (it never mixes them). */
        private void setAttribute(Path p) throws IOException {
            switch (data.u8() % 5) {
                case 0 -> Files.setAttribute(p, "unix:mode", data.u16() & 07777);
                case 1 -> Files.setAttribute(p, "posix:permissions", FsPolicy.Modes.toPermissions(data.u16() & 0777));
                case 2 -> Files.setAttribute(p, "unix:uid", data.u16());
                case 3 -> Files.setAttribute(p, "unix:gid", data.u16());
                default -> Files.setAttribute(p, "basic:lastAccessTime", FileTime.fromMillis(data.i64()));
            }
        }

        private void readChecked(Path p, byte[] bytes) throws IOException {
            if (!wroteToken) {
                assertFalse(new String(bytes, UTF_8).contains(TOKEN), () -> "read an outside file through " + p);
            }
            assertInside(p, true, "read");
        }

        private void list(Path dir) throws IOException {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    names.add(entry.getFileName().toString());
                }
            }
            assertInside(dir, true, "listed " + names + " of");
        }

        private void stat(Path p, boolean follow) throws IOException {
            LinkOption[] options = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
            PosixFileAttributes attributes = Files.readAttributes(p, PosixFileAttributes.class, options);
            assertFalse(outsideInodes.contains(attributes.fileKey()), () -> "described an outside file at " + p);
            assertInside(p, follow, "described");
        }

        private void channel(Path p) throws IOException {
            try (SeekableByteChannel channel = Files.newByteChannel(p, openOptions(false))) {
                ByteBuffer buffer = ByteBuffer.allocate(256);
                try {
                    channel.position(data.u16());
                    if (data.bool()) {
                        byte[] bytes = data.bytes();
                        wroteToken |= new String(bytes, UTF_8).contains("sentinel");
                        channel.write(ByteBuffer.wrap(bytes));
                    } else {
                        channel.read(buffer);
                        readChecked(p, Arrays.copyOf(buffer.array(), buffer.position()));
                    }
                } catch (NonWritableChannelException | NonReadableChannelException e) {
                    // opened for the other direction: fine
                }
            }
            assertInside(p, true, "opened");
        }

        /** What {@code p} (or its directory, when the operation did not follow it) really is lies inside. */
        private void assertInside(Path p, boolean followed, String what) throws IOException {
            Path local = local(p);
            Path probe = followed || local.equals(root) ? local : local.getParent();
            if (probe == null) {
                return;
            }
            Path real;
            try {
                real = probe.toRealPath();
            } catch (NoSuchFileException gone) {
                return; // deleted by the same operation (DELETE_ON_CLOSE is not tried)
            }
            assertTrue(real.startsWith(root), () -> what + " " + p + ", which is really " + real);
        }

        /** The path on the disk that MINA's rooted file system maps {@code p} to. */
        private static Path local(Path p) {
            String rooted = p.toAbsolutePath().normalize().toString();
            return rooted.equals("/") ? root : root.resolve(rooted.substring(1));
        }
    }

    /**
     * Reads an input front to back, so that a seed can be written by hand: one byte per choice, a
     * length byte before bytes; past the end, everything reads as zero.
     */
    private static final class Cursor {
        private final byte[] input;
        private int position;

        Cursor(byte[] input) {
            this.input = input;
        }

        int remaining() {
            return input.length - position;
        }

        int u8() {
            return position < input.length ? input[position++] & 0xff : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        long i64() {
            return (long) u16() << 48 | (long) u16() << 32 | (long) u16() << 16 | u16();
        }

        boolean bool() {
            return (u8() & 1) == 1;
        }

        <T> T pick(List<T> values) {
            return values.get(u8() % values.size());
        }

        /** A length byte, then that many bytes. */
        byte[] bytes() {
            return bytes(u8());
        }

        byte[] bytes(int length) {
            int n = Math.min(length, remaining());
            byte[] bytes = Arrays.copyOfRange(input, position, position + n);
            position += n;
            return bytes;
        }
    }

    /**
     * A fresh root with its planted links; returns the inodes of those that lead out (the two that
     * lead inside are checked as the user's own links are: a second name for them is harmless).
     */
    private static Set<Object> plantRoot() throws IOException {
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            Trees.delete(root);
        }
        Files.createDirectory(root);
        Files.writeString(root.resolve("inside.txt"), "inside");
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/deep.txt"), "deep");
        Map<String, Path> links = new TreeMap<>();
        links.put("abs-file", outside.resolve("secret.txt"));
        links.put("rel-file", Path.of("../outside/secret.txt"));
        links.put("abs-dir", outside);
        links.put("rel-dir", Path.of("../outside"));
        links.put("dangling", outside.resolve("new.txt"));
        links.put("dangling-dir", outside.resolve("missing/dir"));
        links.put("sub/up", Path.of("../../outside"));
        Set<Object> planted = new HashSet<>();
        for (Map.Entry<String, Path> link : links.entrySet()) {
            Path made = Files.createSymbolicLink(root.resolve(link.getKey()), link.getValue());
            planted.add(Files.readAttributes(made, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
        }
        Files.createSymbolicLink(root.resolve("inside-link"), Path.of("inside.txt"));
        Files.createSymbolicLink(root.resolve("sub/same"), Path.of("."));
        return planted;
    }

    /**
     * What the root holds after an input: no outside file's bytes (unless the input wrote the token
     * itself), no inode shared with outside (a hard link), every link the user made leading inside,
     * and each planted link that leads out still with its one name.
     */
    private static void checkRoot(Set<Object> planted, boolean wroteToken) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                assertFalse(outsideInodes.contains(attributes.fileKey()), () -> file + " is a hard link to an outside file");
                if (attributes.isRegularFile() && !wroteToken) {
                    assertFalse(Files.readString(file, ISO_8859_1).contains(TOKEN),
                            () -> file + " holds an outside file's bytes");
                }
                if (attributes.isSymbolicLink()) {
                    if (planted.contains(attributes.fileKey())) {
                        assertEquals(1, Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS),
                                () -> "a planted link got a second name: " + file);
                    } else {
                        Path target = follow(file, 0, planted);
                        assertTrue(target.startsWith(root), () -> "the new link " + file + " -> "
                                + readLink(file) + " leads to " + target);
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Where the link {@code link} leads, as the kernel resolves it component by component, links on
     * the way followed and {@code ..} taken physically; names that do not exist are kept as they are.
     * A link among {@code past} (planted ones that lead out) counts as leading inside: after the
     * input, one of them may lie on the way of a link that led inside when it was made, moved there
     * by a rename, which is allowed (each step is checked when the link is made, see
     * {@link Run#linked}).
     */
    private static Path follow(Path link, int hops, Set<Object> past) throws IOException {
        if (hops > 40) {
            return root; // a loop: ELOOP, it leads nowhere
        }
        if (past.contains(Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey())) {
            return root; // a planted link leading out, moved there by the user: only following it is refused
        }
        Path target = Files.readSymbolicLink(link);
        Path at = target.isAbsolute() ? Path.of("/") : link.getParent();
        for (Path name : target) {
            String n = name.toString();
            if (n.equals("..")) {
                at = at.getParent() == null ? at : at.getParent();
            } else if (!n.equals(".")) {
                Path next = at.resolve(n);
                at = Files.isSymbolicLink(next) ? follow(next, hops + 1, past) : next;
            }
        }
        return at;
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Set<Object> inodes(Path top) throws IOException {
        Set<Object> keys = new HashSet<>();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                keys.add(attributes.fileKey());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                keys.add(attributes.fileKey());
                return FileVisitResult.CONTINUE;
            }
        });
        return keys;
    }
}
