package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Vector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;

import dev.ferry.it.support.FerrydFixture;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.TransportException;

/**
 * Two independent Java SSH implementations from Maven Central, sshj and JSch (the maintained fork),
 * against ferryd's default profile: a small tree up and down, a listing, rename, remove, mkdir,
 * rmdir, an empty file and a non-ASCII name; each verifies the host key (a pinned fingerprint, a
 * known_hosts file) and refuses a wrong one.
 */
class JavaClientsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static SSHClient sshj(String fingerprint) throws Exception {
        SSHClient ssh = new SSHClient();
        ssh.addHostKeyVerifier(fingerprint);
        ssh.connect("127.0.0.1", ferryd.port());
        return ssh;
    }

    @Test
    void sshjDoesTheEverydayOperations() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("up.bin"), random(1_500_000, 1));
        Files.write(local.resolve("empty"), new byte[0]);
        try (SSHClient ssh = sshj(ferryd.hostKeyFingerprint())) {
            ssh.authPublickey("alice", ssh.loadKeys(ferryd.key().toString()));
            try (SFTPClient sftp = ssh.newSFTPClient()) {
                sftp.mkdirs("/sshj/sub");
                sftp.put(local.resolve("up.bin").toString(), "/sshj/sub/up.bin");
                sftp.put(local.resolve("empty").toString(), "/sshj/empty");
                sftp.put(local.resolve("up.bin").toString(), "/sshj/\u00e7a-va.bin");
                sftp.rename("/sshj/sub/up.bin", "/sshj/sub/moved.bin");
                List<String> names = sftp.ls("/sshj").stream().map(RemoteResourceInfo::getName).sorted().toList();
                assertEquals(List.of("empty", "sub", "\u00e7a-va.bin"), names);
                assertEquals(0, sftp.stat("/sshj/empty").getSize());
                sftp.get("/sshj/sub/moved.bin", local.resolve("down.bin").toString());
                sftp.rm("/sshj/empty");
                sftp.mkdir("/sshj/gone");
                sftp.rmdir("/sshj/gone");
                assertEquals(List.of("sub", "\u00e7a-va.bin"),
                        sftp.ls("/sshj").stream().map(RemoteResourceInfo::getName).sorted().toList());
            }
        }
        assertArrayEquals(random(1_500_000, 1), Files.readAllBytes(local.resolve("down.bin")));
        assertArrayEquals(random(1_500_000, 1), Files.readAllBytes(ferryd.rootOf("alice").resolve("sshj/\u00e7a-va.bin")));
    }

    @Test
    void sshjRefusesAWrongHostKey() {
        assertThrows(TransportException.class,
                () -> sshj("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").close());
    }

    private static Session jsch(Path knownHosts) throws Exception {
        JSch jsch = new JSch();
        jsch.addIdentity(ferryd.key().toString());
        jsch.setKnownHosts(knownHosts.toString());
        Session session = jsch.getSession("alice", "127.0.0.1", ferryd.port());
        session.setConfig("StrictHostKeyChecking", "yes");
        session.connect(10_000);
        return session;
    }

    @Test
    @SuppressWarnings("unchecked")
    void jschDoesTheEverydayOperations() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("up.bin"), random(900_000, 2));
        Session session = jsch(ferryd.knownHosts());
        try {
            ChannelSftp sftp = (ChannelSftp) session.openChannel("sftp");
            sftp.connect(10_000);
            sftp.mkdir("/jsch");
            sftp.mkdir("/jsch/sub");
            sftp.put(local.resolve("up.bin").toString(), "/jsch/sub/up.bin");
            sftp.put(new ByteArrayInputStream(new byte[0]), "/jsch/empty");
            sftp.put(new ByteArrayInputStream("gr\u00fc\u00df".getBytes(StandardCharsets.UTF_8)),
                    "/jsch/gr\u00fc\u00dfe.txt");
            sftp.rename("/jsch/sub/up.bin", "/jsch/sub/moved.bin");
            List<String> names = ((Vector<ChannelSftp.LsEntry>) sftp.ls("/jsch")).stream()
                    .map(ChannelSftp.LsEntry::getFilename).filter(n -> !n.startsWith(".")).sorted().toList();
            assertEquals(List.of("empty", "gr\u00fc\u00dfe.txt", "sub"), names);
            assertEquals(0, sftp.stat("/jsch/empty").getSize());
            sftp.get("/jsch/sub/moved.bin", local.resolve("down.bin").toString());
            sftp.rm("/jsch/empty");
            sftp.mkdir("/jsch/gone");
            sftp.rmdir("/jsch/gone");
            sftp.disconnect();
        } finally {
            session.disconnect();
        }
        assertArrayEquals(random(900_000, 2), Files.readAllBytes(local.resolve("down.bin")));
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("jsch/empty")));
        assertTrue(Files.exists(ferryd.rootOf("alice").resolve("jsch/gr\u00fc\u00dfe.txt")));
    }

    @Test
    void jschRefusesAHostKeyItDoesNotKnow() throws Exception {
        Path other = ferryd.newLocalDir().resolve("known_hosts");
        Files.writeString(other, "");
        JSchException e = assertThrows(JSchException.class, () -> jsch(other).disconnect());
        assertTrue(e.getMessage().contains("UnknownHostKey") || e.getMessage().contains("reject HostKey"), e.getMessage());
    }
}
