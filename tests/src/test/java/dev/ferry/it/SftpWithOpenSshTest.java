package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;
import dev.ferry.server.log.ServerEvent;

/** OpenSSH's {@code sftp -b} against ferryd: the everyday commands, both ways of logging in, and refusals. */
class SftpWithOpenSshTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    private final OpenSsh openssh = new OpenSsh(ferryd);

    @Test
    void putGetLsMkdirRenameRmWorkWithAKey() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("hello.txt"), "hello ferry\n");
        Proc.Result r = openssh.sftp("alice", local,
                "mkdir box",
                "put hello.txt box/hello.txt",
                "ls -l box",
                "rename box/hello.txt box/renamed.txt",
                "get box/renamed.txt back.txt",
                "put hello.txt gone.txt",
                "rm gone.txt");
        assertEquals(0, r.exit(), r.all());
        Path root = ferryd.rootOf("alice");
        assertEquals("hello ferry\n", Files.readString(root.resolve("box/renamed.txt")));
        assertFalse(Files.exists(root.resolve("box/hello.txt")));
        assertFalse(Files.exists(root.resolve("gone.txt")));
        assertEquals("hello ferry\n", Files.readString(local.resolve("back.txt")));
        assertTrue(r.out().contains("hello.txt"), "ls -l lists the uploaded file:\n" + r.out());
    }

    @Test
    void mkdirAndRmdirTakeADirectoryNameWithATrailingSlashAsSshdDoes() throws Exception {
        // mkdir(2) and rmdir(2) accept "dir/"; rsync-style tools name target directories that way.
        Path local = ferryd.newLocalDir();
        Proc.Result r = openssh.sftp("alice", local, "mkdir slashed/", "mkdir slashed/inner//", "rmdir slashed/inner/");
        assertEquals(0, r.exit(), r.all());
        Path root = ferryd.rootOf("alice");
        assertTrue(Files.isDirectory(root.resolve("slashed")));
        assertFalse(Files.exists(root.resolve("slashed/inner")));
    }

    @Test
    void aPasswordUserLogsInWithThePassword() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("p.txt"), "by password\n");
        Proc.Result r = openssh.sftpPassword("bob", FerrydFixture.BOB_PASSWORD, local, "put p.txt");
        assertEquals(0, r.exit(), r.all());
        assertEquals("by password\n", Files.readString(ferryd.rootOf("bob").resolve("p.txt")));
        assertTrue(ferryd.events(ServerEvent.AuthSucceeded.class).stream()
                .anyMatch(e -> e.user().equals("bob") && e.method().equals("password")));
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("w.txt"), "x");
        Proc.Result r = openssh.sftpPassword("bob", "not the password", local, "put w.txt");
        assertNotEquals(0, r.exit(), r.all());
        assertFalse(Files.exists(ferryd.rootOf("bob").resolve("w.txt")));
        assertTrue(ferryd.events(ServerEvent.AuthFailed.class).stream()
                .anyMatch(e -> e.user().equals("bob") && e.detail().equals("wrong password")));
    }

    @Test
    void anUnknownUserIsRefusedWithAPasswordAndWithAKey() throws Exception {
        Path local = ferryd.newLocalDir();
        assertNotEquals(0, openssh.sftpPassword("mallory", FerrydFixture.BOB_PASSWORD, local, "ls").exit());
        assertNotEquals(0, openssh.sftp("mallory", local, "ls").exit());
        assertTrue(ferryd.events(ServerEvent.AuthFailed.class).stream()
                .anyMatch(e -> e.user().equals("mallory") && e.detail().startsWith("unknown user")));
    }

    @Test
    void aKeyIsNotAcceptedForAPasswordOnlyUser() throws Exception {
        Proc.Result r = openssh.sftp("bob", ferryd.newLocalDir(), "ls");
        assertNotEquals(0, r.exit(), r.all());
    }

    @Test
    void aReadOnlyUserCanReadButNotWrite() throws Exception {
        Files.writeString(ferryd.rootOf("reader").resolve("existing.txt"), "keep me\n");
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("new.txt"), "x");
        assertEquals(0, openssh.sftp("reader", local, "get existing.txt").exit());
        assertEquals("keep me\n", Files.readString(local.resolve("existing.txt")));
        for (String write : new String[] {"put new.txt", "put new.txt existing.txt", "mkdir d",
            "rm existing.txt", "rename existing.txt moved.txt", "chmod 600 existing.txt"}) {
            Proc.Result r = openssh.sftp("reader", local, write);
            assertNotEquals(0, r.exit(), write + " must fail for a read-only user:\n" + r.all());
        }
        Path root = ferryd.rootOf("reader");
        assertEquals("keep me\n", Files.readString(root.resolve("existing.txt")));
        assertFalse(Files.exists(root.resolve("new.txt")));
        assertFalse(Files.exists(root.resolve("d")));
        assertFalse(Files.exists(root.resolve("moved.txt")));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                root.resolve("existing.txt"))));
    }

    @Test
    void theUmaskAppliesToNewFilesAndDirectories() throws Exception {
        Path local = ferryd.newLocalDir();
        Path open = local.resolve("open.txt");
        Files.writeString(open, "x");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals(0, openssh.sftp("alice", local, "put open.txt umask-file.txt", "mkdir umask-dir").exit());
        assertEquals(0, openssh.sftp("strict", local, "put open.txt umask-file.txt", "mkdir umask-dir").exit());
        assertEquals("rw-r--r--", mode(ferryd.rootOf("alice").resolve("umask-file.txt")));
        assertEquals("rwxr-xr-x", mode(ferryd.rootOf("alice").resolve("umask-dir")));
        assertEquals("rw-------", mode(ferryd.rootOf("strict").resolve("umask-file.txt")));
        assertEquals("rwx------", mode(ferryd.rootOf("strict").resolve("umask-dir")));
    }

    @Test
    void chmodCannotSetSetuidOrSetgid() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("tool"), "#!/bin/sh\n");
        Proc.Result r = openssh.sftp("alice", local, "put tool", "chmod 6755 tool");
        Path tool = ferryd.rootOf("alice").resolve("tool");
        int mode = (Integer) Files.getAttribute(tool, "unix:mode");
        assertEquals(0, mode & 06000, "setuid/setgid must be stripped; mode " + Integer.toOctalString(mode)
                + "\n" + r.all());
        assertEquals("rwxr-xr-x", mode(tool), "the permission bits themselves are applied");
    }

    @Test
    void completedTransfersAreLoggedWithBytes() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("logged.bin"), new byte[300_000]);
        assertEquals(0, openssh.sftp("alice", local, "put logged.bin", "get logged.bin again.bin").exit());
        ServerEvent.Transfer t = ferryd.lastTransfer("/logged.bin").orElseThrow();
        assertEquals(300_000, t.bytes());
        assertEquals("alice", t.user());
        assertEquals("sftp", t.protocol());
        assertTrue(ferryd.events(ServerEvent.Transfer.class).stream().anyMatch(e -> e.path().equals("/logged.bin")
                && e.direction().equals("upload") && e.bytes() == 300_000));
    }

    private static String mode(Path p) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
