package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;

/**
 * The OpenSSH SFTP extensions ferryd advertises, each seen working with OpenSSH's sftp (or, where
 * OpenSSH 9.2's sftp does not send it, with a raw request): fsync, hardlink (ContainmentTest),
 * lsetstat, posix-rename, limits, statvfs, expand-path and copy-data; nothing else is advertised in
 * OpenSSH's form, so OpenSSH's sftp falls back for the rest.
 */
class SftpExtensionsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    private final OpenSsh openssh = new OpenSsh(ferryd);

    @Test
    void exactlyTheseOpenSshExtensionsAreAdvertised() throws Exception {
        Proc.Result r = openssh.sftpWithOptions(List.of("-vvv"), "alice", ferryd.newLocalDir(), "pwd");
        assertEquals(0, r.exit(), r.all());
        Matcher m = Pattern.compile("Server supports extension \"([^\"]+)\"").matcher(r.err());
        List<String> supported = m.results().map(x -> x.group(1)).sorted().toList();
        assertEquals(List.of("copy-data", "expand-path@openssh.com", "fsync@openssh.com", "hardlink@openssh.com",
                "limits@openssh.com", "lsetstat@openssh.com", "posix-rename@openssh.com", "statvfs@openssh.com"), supported);
    }

    @Test
    void dfReportsTheFileSystemOfTheRoot() throws Exception {
        for (String user : List.of("alice", "reader")) {
            Proc.Result r = openssh.sftp(user, ferryd.newLocalDir(), "df /");
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.out().contains("Avail") && r.out().matches("(?s).*\\n\\s*\\d+\\s+\\d+\\s+\\d+.*"), r.all());
        }
    }

    @Test
    void cpCopiesOnTheServerAndAReadOnlyUserCannot() throws Exception {
        Files.writeString(ferryd.rootOf("alice").resolve("cp-src.txt"), "copied by the server\n");
        Proc.Result r = openssh.sftp("alice", ferryd.newLocalDir(), "cp cp-src.txt cp-dst.txt");
        assertEquals(0, r.exit(), r.all());
        assertEquals("copied by the server\n", Files.readString(ferryd.rootOf("alice").resolve("cp-dst.txt")));

        Files.writeString(ferryd.rootOf("reader").resolve("ro.txt"), "read only\n");
        Proc.Result refused = openssh.sftp("reader", ferryd.newLocalDir(), "cp ro.txt ro-copy.txt");
        assertNotEquals(0, refused.exit(), refused.all());
        assertFalse(Files.exists(ferryd.rootOf("reader").resolve("ro-copy.txt")));
    }

    @Test
    void putWithFsyncAndRenameOverAnExistingFileWork() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.writeString(local.resolve("synced.txt"), "synced\n");
        Files.writeString(ferryd.rootOf("alice").resolve("old.txt"), "old\n");
        Files.writeString(ferryd.rootOf("alice").resolve("new.txt"), "new\n");
        Proc.Result r = openssh.sftp("alice", local, "put -f synced.txt", "rename new.txt old.txt");
        assertEquals(0, r.exit(), r.all());
        assertEquals("synced\n", Files.readString(ferryd.rootOf("alice").resolve("synced.txt")));
        assertEquals("new\n", Files.readString(ferryd.rootOf("alice").resolve("old.txt")), "posix-rename replaced it");
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("new.txt")));
    }

    /** One expand-path request over MINA's raw SFTP client: the name replied, or the status code. */
    private static String expand(SftpClient sftp, String path) throws Exception {
        RawSftpClient raw = (RawSftpClient) sftp;
        Buffer request = new ByteArrayBuffer();
        request.putString("expand-path@openssh.com");
        request.putString(path);
        Buffer reply = raw.receive(raw.send(SftpConstants.SSH_FXP_EXTENDED, request));
        reply.getInt(); // length
        int type = reply.getUByte();
        reply.getInt(); // id
        if (type == SftpConstants.SSH_FXP_STATUS) {
            return "status " + reply.getInt();
        }
        assertEquals(SftpConstants.SSH_FXP_NAME, type);
        assertEquals(1, reply.getInt());
        return reply.getString();
    }

    @Test
    void expandPathNamesHomeAsTheRootTheUserSees() throws Exception {
        Files.createDirectories(ferryd.rootOf("alice").resolve("in-home"));
        SshClient client = ferryd.newClient();
        try (ClientSession session = ferryd.login(client, "alice");
                SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            assertEquals("/", expand(sftp, "~"));
            assertEquals("/in-home", expand(sftp, "~/in-home"));
            assertEquals("/in-home", expand(sftp, "/in-home/../in-home"));
            assertTrue(expand(sftp, "~root/x").startsWith("status "), "no other user's home");
            String above = expand(sftp, "~/../../outside");
            assertTrue(above.equals("/outside") || above.startsWith("status "), "never above the root: " + above);
        } finally {
            client.stop();
        }
    }
}
