package dev.ferry.server.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.nio.file.attribute.PosixFilePermissions.asFileAttribute;
import static java.nio.file.attribute.PosixFilePermissions.fromString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The user's root is {@code root/}; {@code outside/secret.txt} is beside it and must stay out of reach. */
class ConfinedFileSystemProviderTest {

    private static final FsPolicy READ_WRITE = new FsPolicy(false, 0022, false);
    private static final FsPolicy WITH_LINKS = new FsPolicy(false, 0022, true);
    private static final FsPolicy READ_ONLY = new FsPolicy(true, 0022, true);

    @TempDir
    Path tmp;
    Path root;
    Path outside;
    Path secret;

    @BeforeEach
    void plantLinks() throws IOException {
        Path base = tmp.toRealPath();
        root = Files.createDirectory(base.resolve("root"));
        outside = Files.createDirectory(base.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.writeString(root.resolve("inside.txt"), "hello");
        Files.createDirectory(root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("abs-file"), secret);
        Files.createSymbolicLink(root.resolve("rel-file"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(root.resolve("abs-dir"), outside);
        Files.createSymbolicLink(root.resolve("rel-dir"), Path.of("../outside"));
        Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("new.txt"));
        Files.createSymbolicLink(root.resolve("inside-link"), Path.of("inside.txt"));
    }

    private FileSystem confined(FsPolicy policy) throws IOException {
        return new ConfinedFileSystemProvider(policy).newFileSystem(root);
    }

    // ---- one request's checks ------------------------------------------------------------------

    /**
     * A request remembers the places it has checked only until it ends: a directory swapped for a
     * link leading out between two requests is caught by the second, and the checks made inside
     * one request refuse what they refused without it.
     */
    @Test
    void aRequestRemembersItsChecksOnlyUntilItEnds() throws IOException {
        FileSystem fs = confined(READ_WRITE);
        Files.writeString(root.resolve("sub/a.txt"), "a");
        try (ConfinedFileSystemProvider.Request first = ConfinedFileSystemProvider.oneRequest()) {
            assertEquals("a", Files.readString(fs.getPath("/sub/a.txt")));
            assertTrue(Files.exists(fs.getPath("/sub/a.txt")));
            assertThrows(AccessDeniedException.class, () -> Files.readString(fs.getPath("/abs-file")));
            assertThrows(AccessDeniedException.class, () -> Files.readString(fs.getPath("/abs-file")),
                    "a refusal is not remembered as a pass");
        }
        Files.delete(root.resolve("sub/a.txt"));
        Files.delete(root.resolve("sub"));
        Files.writeString(outside.resolve("a.txt"), "outside");
        Files.createSymbolicLink(root.resolve("sub"), outside);
        try (ConfinedFileSystemProvider.Request second = ConfinedFileSystemProvider.oneRequest()) {
            assertThrows(AccessDeniedException.class, () -> Files.readString(fs.getPath("/sub/a.txt")));
            assertThrows(AccessDeniedException.class, () -> Files.writeString(fs.getPath("/sub/b.txt"), "b"));
        }
        assertThrows(AccessDeniedException.class, () -> Files.readString(fs.getPath("/sub/a.txt")),
                "and so without a request");
        assertFalse(Files.exists(outside.resolve("b.txt")));
    }

    // ---- symlinks planted in the root ------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/abs-file", "/rel-file", "/abs-dir/secret.txt", "/rel-dir/secret.txt",
        "/abs-dir/../outside/secret.txt"})
    void readingThroughALinkLeadingOutIsDenied(String name) throws IOException {
        Path path = confined(READ_WRITE).getPath(name);
        assertThrows(AccessDeniedException.class, () -> Files.readString(path));
        assertThrows(AccessDeniedException.class, () -> Files.newInputStream(path).close());
        assertThrows(AccessDeniedException.class, () -> Files.readAttributes(path, BasicFileAttributes.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/abs-dir", "/rel-dir"})
    void listingALinkToAnOutsideDirectoryIsDenied(String name) throws IOException {
        Path path = confined(READ_WRITE).getPath(name);
        assertThrows(AccessDeniedException.class, () -> Files.newDirectoryStream(path).close());
    }

    @Test
    void writingThroughADanglingLinkIsDeniedAndCreatesNothingOutside() throws IOException {
        Path dangling = confined(READ_WRITE).getPath("/dangling");
        assertThrows(AccessDeniedException.class, () -> Files.newOutputStream(dangling).close());
        assertThrows(AccessDeniedException.class, () -> Files.write(dangling, new byte[] {1}, CREATE, WRITE));
        assertFalse(Files.exists(outside.resolve("new.txt")));
    }

    @Test
    void creatingAFileInALinkedOutsideDirectoryIsDenied() throws IOException {
        Path path = confined(READ_WRITE).getPath("/abs-dir/new.txt");
        assertThrows(AccessDeniedException.class, () -> Files.writeString(path, "x"));
        assertFalse(Files.exists(outside.resolve("new.txt")));
    }

    @Test
    void deletingAFileThroughALinkedOutsideDirectoryIsDenied() throws IOException {
        assertThrows(AccessDeniedException.class, () -> Files.delete(confined(READ_WRITE).getPath("/rel-dir/secret.txt")));
        assertTrue(Files.exists(secret));
    }

    @Test
    void aLinkToAFileInsideTheRootCanBeRead() throws IOException {
        assertEquals("hello", Files.readString(confined(READ_WRITE).getPath("/inside-link")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/abs-file", "/rel-dir", "/dangling"})
    void aLinkLeadingOutCanItselfBeDeletedWithoutTouchingItsTarget(String name) throws IOException {
        Files.delete(confined(READ_WRITE).getPath(name));
        assertFalse(Files.exists(root.resolve(name.substring(1)), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(secret));
    }

    @Test
    void aLinkLeadingOutCanBeStattedWithoutFollowingIt() throws IOException {
        Path link = confined(READ_WRITE).getPath("/abs-file");
        assertTrue(Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isSymbolicLink());
    }

    /** lsetstat@openssh.com (ferry sync keeping a link's time) sets the link's own time, never its target's. */
    @Test
    void aLinkLeadingOutGetsItsOwnTimeAndItsTargetKeepsItsOwn() throws IOException {
        FileTime before = Files.getLastModifiedTime(secret);
        Path link = confined(READ_WRITE).getPath("/abs-file");
        Files.getFileAttributeView(link, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.fromMillis(1_500_000_000_000L), null, null);
        assertEquals(1_500_000_000_000L,
                Files.getLastModifiedTime(root.resolve("abs-file"), LinkOption.NOFOLLOW_LINKS).toMillis());
        assertEquals(before, Files.getLastModifiedTime(secret));
        // and through the link, as SETSTAT would: refused
        assertThrows(AccessDeniedException.class, () -> Files.getFileAttributeView(link, BasicFileAttributeView.class)
                .setTimes(FileTime.fromMillis(1_500_000_000_000L), null, null));
        assertEquals(before, Files.getLastModifiedTime(secret));
    }

    @Test
    void dotDotCannotClimbAboveTheRoot() throws IOException {
        Path path = confined(READ_WRITE).getPath("/../outside/secret.txt");
        assertThrows(NoSuchFileException.class, () -> Files.readString(path));
        assertThrows(NoSuchFileException.class, () -> Files.readString(confined(READ_WRITE).getPath("/sub/../../outside/secret.txt")));
    }

    // ---- read-only users -------------------------------------------------------------------

    @Test
    void theRootItselfCannotBeRemovedOrMovedEvenWhenEmpty() throws IOException {
        FileSystem fs = confined(READ_WRITE);
        try (var entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                Files.delete(p);
            }
        }
        assertThrows(AccessDeniedException.class, () -> Files.delete(fs.getPath("/")));
        assertThrows(AccessDeniedException.class, () -> Files.deleteIfExists(fs.getPath("/")));
        assertThrows(AccessDeniedException.class, () -> Files.move(fs.getPath("/"), fs.getPath("/elsewhere")));
        assertTrue(Files.isDirectory(root), "the root is still there");
        Files.createDirectory(fs.getPath("/d"));
        Files.delete(fs.getPath("/d")); // what is in the root can still be removed
    }

    @Test
    void aReadOnlyUserCanRead() throws IOException {
        FileSystem fs = confined(READ_ONLY);
        assertEquals("hello", Files.readString(fs.getPath("/inside.txt")));
        try (var list = Files.list(fs.getPath("/"))) {
            assertTrue(list.anyMatch(p -> p.getFileName().toString().equals("inside.txt")));
        }
    }

    @Test
    void aReadOnlyUserCannotChangeAnything() throws IOException {
        FileSystem fs = confined(READ_ONLY);
        Path file = fs.getPath("/inside.txt");
        assertThrows(AccessDeniedException.class, () -> Files.writeString(file, "changed"));
        assertThrows(AccessDeniedException.class, () -> Files.writeString(file, "more", APPEND));
        assertThrows(AccessDeniedException.class, () -> Files.createFile(fs.getPath("/new.txt")));
        assertThrows(AccessDeniedException.class, () -> Files.delete(file));
        assertThrows(AccessDeniedException.class, () -> Files.move(file, fs.getPath("/moved.txt")));
        assertThrows(AccessDeniedException.class, () -> Files.copy(file, fs.getPath("/copy.txt")));
        assertThrows(AccessDeniedException.class, () -> Files.createDirectory(fs.getPath("/dir")));
        assertThrows(AccessDeniedException.class, () -> Files.setPosixFilePermissions(file, fromString("rwxrwxrwx")));
        assertThrows(AccessDeniedException.class, () -> Files.setAttribute(file, "posix:permissions", fromString("rwxrwxrwx")));
        assertThrows(AccessDeniedException.class, () -> Files.setLastModifiedTime(file, FileTime.fromMillis(0)));
        assertThrows(AccessDeniedException.class, () -> Files.createSymbolicLink(fs.getPath("/l"), fs.getPath("inside.txt")));
        assertEquals("hello", Files.readString(root.resolve("inside.txt")));
        try (var list = Files.list(root)) {
            assertEquals(8, list.count(), "nothing was created");
        }
    }

    /**
     * Found by ConfinedFileSystemFuzzTest: the JDK opens a link's target for reading when given
     * CREATE_NEW and NOFOLLOW_LINKS without WRITE, and the check looked only at the link's directory.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/abs-file", "/rel-file", "/dangling"})
    void createNewWithNoFollowDoesNotReadALinkLeadingOut(String name) throws IOException {
        FileSystem fs = confined(READ_WRITE);
        assertThrows(AccessDeniedException.class, () -> Files.newByteChannel(fs.getPath(name),
                CREATE_NEW, LinkOption.NOFOLLOW_LINKS).close());
        assertThrows(AccessDeniedException.class, () -> Files.newInputStream(fs.getPath(name),
                CREATE_NEW, LinkOption.NOFOLLOW_LINKS).close());
        assertThrows(AccessDeniedException.class, () -> FileChannel.open(fs.getPath(name),
                CREATE_NEW, LinkOption.NOFOLLOW_LINKS).close());
    }

    /**
     * Found by ConfinedFileSystemFuzzTest: a link named with a ".." above the root lands at the top,
     * and its target's climb was counted from one name deeper: "../outside" -> "../x" was made.
     */
    @ParameterizedTest
    @ValueSource(strings = {"../l", "/../l", "sub/../../l", "/../../sub/l"})
    void aLinkNamedAboveTheRootCountsItsTargetsClimbFromWhereItLands(String name) throws IOException {
        FileSystem fs = confined(WITH_LINKS);
        String climb = name.endsWith("sub/l") ? "../../outside/secret.txt" : "../outside/secret.txt";
        assertThrows(AccessDeniedException.class, () -> Files.createSymbolicLink(fs.getPath(name), fs.getPath(climb)));
        try (var list = Files.list(root.resolve("sub"))) {
            assertEquals(0, list.count());
        }
        assertFalse(Files.exists(root.resolve("l"), LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Found by ConfinedFileSystemFuzzTest: with "top" a link to the root, "top/.." stays in the root
     * to a lexical count but is the root's parent to the kernel, which follows "top" first.
     */
    @Test
    void aTargetThatClimbsThroughALinkToTheRootIsRefused() throws IOException {
        FileSystem fs = confined(WITH_LINKS);
        Files.createSymbolicLink(fs.getPath("/top"), fs.getPath("."));
        Files.createSymbolicLink(fs.getPath("/sub/up"), fs.getPath("/"));
        for (String target : List.of("top/..", "top/../outside/secret.txt", "./top/./..")) {
            assertThrows(AccessDeniedException.class, () -> Files.createSymbolicLink(fs.getPath("/l"), fs.getPath(target)),
                    target);
        }
        assertThrows(AccessDeniedException.class, () -> Files.createSymbolicLink(fs.getPath("/sub/l"), fs.getPath("up/..")));
        assertFalse(Files.exists(root.resolve("l"), LinkOption.NOFOLLOW_LINKS));
        // what stays inside is still made: through a link to a directory below the root, and back
        Files.createSymbolicLink(fs.getPath("/sub/back"), fs.getPath("../top/sub/.."));
        assertEquals(root.toRealPath(), root.resolve("sub/back").toRealPath());
    }

    /** Found by ConfinedFileSystemFuzzTest: a link at "/" with a relative target was a NullPointerException. */
    @ParameterizedTest
    @ValueSource(strings = {"/", ".", "/sub/.."})
    void aLinkInThePlaceOfTheRootExistsAlready(String name) throws IOException {
        FileSystem fs = confined(WITH_LINKS);
        assertThrows(FileAlreadyExistsException.class, () -> Files.createSymbolicLink(fs.getPath(name), fs.getPath("inside.txt")));
        assertThrows(FileAlreadyExistsException.class, () -> Files.createSymbolicLink(fs.getPath(name), fs.getPath("/inside.txt")));
    }

    // ---- modes of new files ----------------------------------------------------------------

    @Test
    void aNewDirectoryGetsTheUmask() throws IOException {
        Files.createDirectory(confined(new FsPolicy(false, 0027, false)).getPath("/d"));
        assertEquals(fromString("rwxr-x---"), Files.getPosixFilePermissions(root.resolve("d")));
    }

    @Test
    void aNewFileGetsTheRequestedModeLessTheUmask() throws IOException {
        Path file = confined(new FsPolicy(false, 0027, false)).getPath("/f");
        Files.newByteChannel(file, Set.of(CREATE_NEW, WRITE), asFileAttribute(fromString("rw-rw-rw-"))).close();
        assertEquals(fromString("rw-r-----"), Files.getPosixFilePermissions(root.resolve("f")));
    }

    @Test
    void aFileCreatedByAnOutputStreamGetsTheUmask() throws IOException {
        Files.newOutputStream(confined(new FsPolicy(false, 0027, false)).getPath("/g")).close();
        assertEquals(fromString("rw-r-----"), Files.getPosixFilePermissions(root.resolve("g")));
    }

    @Test
    void rewritingAnExistingFileKeepsItsMode() throws IOException {
        Files.setPosixFilePermissions(root.resolve("inside.txt"), fromString("rw-rw-rw-"));
        Files.writeString(confined(new FsPolicy(false, 0077, false)).getPath("/inside.txt"), "new", CREATE,
                TRUNCATE_EXISTING, WRITE);
        assertEquals(fromString("rw-rw-rw-"), Files.getPosixFilePermissions(root.resolve("inside.txt")));
    }

    // ---- creating links ----------------------------------------------------------------------

    @Test
    void creatingLinksIsRefusedWhenNotAllowed() throws IOException {
        FileSystem fs = confined(READ_WRITE);
        assertThrows(AccessDeniedException.class, () -> Files.createSymbolicLink(fs.getPath("/l"), fs.getPath("inside.txt")));
        assertThrows(AccessDeniedException.class, () -> Files.createLink(fs.getPath("/h"), fs.getPath("/inside.txt")));
        assertFalse(Files.exists(root.resolve("l"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("h"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void linksInsideTheRootAreAllowedWhenEnabled() throws IOException {
        FileSystem fs = confined(WITH_LINKS);
        Files.createSymbolicLink(fs.getPath("/sub/l"), fs.getPath("/inside.txt"));
        Files.createSymbolicLink(fs.getPath("/l"), fs.getPath("inside.txt"));
        Files.createLink(fs.getPath("/h"), fs.getPath("/inside.txt"));
        assertEquals("hello", Files.readString(fs.getPath("/l")));
        assertEquals("hello", Files.readString(fs.getPath("/h")));
        assertEquals("hello", Files.readString(fs.getPath("/sub/l")));
        assertTrue(Files.isSymbolicLink(root.resolve("sub/l")));
    }

    @Test
    void aRelativeLinkClimbingOutIsRefusedEvenWhenLinksAreAllowed() throws IOException {
        FileSystem fs = confined(WITH_LINKS);
        assertThrows(AccessDeniedException.class,
                () -> Files.createSymbolicLink(fs.getPath("/l"), fs.getPath("../outside/secret.txt")));
        assertThrows(AccessDeniedException.class,
                () -> Files.createSymbolicLink(fs.getPath("/sub/l"), fs.getPath("../../outside/secret.txt")));
        // down and up again, but above the root on the way: the kernel would not stop at the root
        assertThrows(AccessDeniedException.class,
                () -> Files.createSymbolicLink(fs.getPath("/sub/m"), fs.getPath("../../root/inside.txt")));
        assertFalse(Files.exists(root.resolve("l"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("sub/l"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("sub/m"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aRelativeLinkUpFromASubdirectoryThatStaysInsideIsMadeAsWritten() throws IOException {
        FileSystem fs = confined(WITH_LINKS);
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.createSymbolicLink(fs.getPath("/sub/up"), fs.getPath("../inside.txt"));
        Files.createSymbolicLink(fs.getPath("/sub/deeper/up2"), fs.getPath("../../sub/../inside.txt"));
        assertEquals("hello", Files.readString(fs.getPath("/sub/up")));
        assertEquals("hello", Files.readString(fs.getPath("/sub/deeper/up2")));
        assertEquals(Path.of("../inside.txt"), Files.readSymbolicLink(root.resolve("sub/up")));
        assertEquals(Path.of("../../sub/../inside.txt"), Files.readSymbolicLink(root.resolve("sub/deeper/up2")));
    }

    @Test
    void aListedLinkShowsItsTargetAsTheUserSeesItOrNotAtAll() {
        Path r = Path.of("/srv/root");
        Path link = r.resolve("docs/l");
        assertEquals("a.txt", ConfinedFileSystemProvider.linkSeenInside(r, link, "a.txt"));
        assertEquals("../x/y", ConfinedFileSystemProvider.linkSeenInside(r, link, "../x/y"));
        assertEquals("/docs/a.txt", ConfinedFileSystemProvider.linkSeenInside(r, link, "/srv/root/docs/a.txt"));
        assertEquals("/", ConfinedFileSystemProvider.linkSeenInside(r, link, "/srv/root"));
        assertEquals(null, ConfinedFileSystemProvider.linkSeenInside(r, link, "../../outside"));
        assertEquals(null, ConfinedFileSystemProvider.linkSeenInside(r, link, "/etc/passwd"));
        assertEquals(null, ConfinedFileSystemProvider.linkSeenInside(r, link, "/srv/rootless/a"));
    }

    @Test
    void aClimbIsCountedFromTheLinksOwnDepth() {
        FileSystem fs = java.nio.file.FileSystems.getDefault();
        assertFalse(ConfinedFileSystemProvider.climbsAboveRoot(fs.getPath("/d"), fs.getPath("a/../../x")));
        assertFalse(ConfinedFileSystemProvider.climbsAboveRoot(fs.getPath("/d"), fs.getPath("./../x")));
        assertTrue(ConfinedFileSystemProvider.climbsAboveRoot(fs.getPath("/d"), fs.getPath("../../x")));
        assertTrue(ConfinedFileSystemProvider.climbsAboveRoot(fs.getPath("/"), fs.getPath("..")));
        assertTrue(ConfinedFileSystemProvider.climbsAboveRoot(fs.getPath("/a/b"), fs.getPath("../../../a/b/x")));
        assertFalse(ConfinedFileSystemProvider.climbsAboveRoot(fs.getPath("/a/b"), fs.getPath("x/y/../../..")));
    }

    @Test
    void aLinkThroughAnExistingOutsideLinkIsRefused() throws IOException {
        FileSystem fs = confined(WITH_LINKS);
        assertThrows(AccessDeniedException.class,
                () -> Files.createSymbolicLink(fs.getPath("/l"), fs.getPath("abs-dir/secret.txt")));
        assertThrows(AccessDeniedException.class,
                () -> Files.createSymbolicLink(fs.getPath("/m"), fs.getPath("/rel-dir/secret.txt")));
        assertThrows(AccessDeniedException.class, () -> Files.createLink(fs.getPath("/h"), fs.getPath("/abs-file")));
        assertFalse(Files.exists(root.resolve("l"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("m"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("h"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aLinkNamedByARelativePathIsCreated() throws IOException {
        FileSystem fs = confined(WITH_LINKS);
        Files.createSymbolicLink(fs.getPath("l"), fs.getPath("inside.txt"));
        assertEquals("hello", Files.readString(fs.getPath("/l")));
    }

    @Test
    void copyingALinkWithoutFollowingItIsRefusedWhenLinksAreNotAllowed() throws IOException {
        FileSystem fs = confined(READ_WRITE);
        assertThrows(AccessDeniedException.class,
                () -> Files.copy(fs.getPath("/abs-file"), fs.getPath("/copy"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(root.resolve("copy"), LinkOption.NOFOLLOW_LINKS));
    }

    // ---- owners ------------------------------------------------------------------------------

    @Test
    void changingAFilesOwnerIsRefused() throws IOException {
        Path file = confined(READ_WRITE).getPath("/inside.txt");
        UserPrincipal owner = Files.getOwner(file);
        assertThrows(AccessDeniedException.class, () -> Files.setOwner(file, owner));
    }

    @Test
    void changingAFilesOwnerThroughSetAttributeIsRefused() throws IOException {
        Path file = confined(READ_WRITE).getPath("/inside.txt");
        int uid = (Integer) Files.getAttribute(root.resolve("inside.txt"), "unix:uid");
        assertThrows(AccessDeniedException.class, () -> Files.setAttribute(file, "unix:uid", uid + 4242));
        assertThrows(AccessDeniedException.class, () -> Files.setAttribute(file, "unix:gid", uid + 4242));
        assertThrows(AccessDeniedException.class, () -> Files.setAttribute(file, "posix:owner", Files.getOwner(file)));
        assertEquals(uid, Files.getAttribute(root.resolve("inside.txt"), "unix:uid"));
    }
}
