package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;

/**
 * Debian 12's lftp, rclone and paramiko against ferryd's default profile: a tree both ways, a
 * listing, hashes (rclone, through ferryd's md5sum), and paramiko's everyday operations, including
 * an empty file and a non-ASCII name. paramiko 2.12 has no AEAD cipher and no encrypt-then-MAC MAC:
 * the modern profile's hmac-sha2-256 is what admits it.
 */
class MoreClientsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A small tree: two levels, an empty file, a name with a space and one with non-ASCII letters. */
    private static Path tree(Path base) throws Exception {
        Path tree = Files.createDirectories(base.resolve("tree"));
        Files.write(tree.resolve("a.bin"), random(200_000, 1));
        Files.createDirectories(tree.resolve("sub dir"));
        Files.write(tree.resolve("sub dir/b.bin"), random(70_000, 2));
        Files.write(tree.resolve("sub dir/empty"), new byte[0]);
        Files.writeString(tree.resolve("grüße.txt"), "non-ascii\n");
        return tree;
    }

    private static void assertSameTree(Path expected, Path actual) throws Exception {
        for (String name : List.of("a.bin", "sub dir/b.bin", "sub dir/empty", "grüße.txt")) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(name)), Files.readAllBytes(actual.resolve(name)), name);
        }
    }

    private static String sshForLftp() {
        return "ssh -a -x -F /dev/null -i " + ferryd.key() + " -o IdentitiesOnly=yes -o BatchMode=yes"
                + " -o UserKnownHostsFile=" + ferryd.knownHosts() + " -o StrictHostKeyChecking=yes";
    }

    @Test
    void lftpMirrorsATreeUpAndBack() throws Exception {
        String lftp = Peers.require("lftp");
        Path local = ferryd.newLocalDir();
        Path tree = tree(local);
        String script = "set sftp:connect-program \"" + sshForLftp() + "\"; set cmd:fail-exit yes; "
                + "mirror -R tree /lftp-tree; mirror /lftp-tree back; cls -1 /lftp-tree; "
                + "mkdir /lftp-tree/made; mv /lftp-tree/a.bin /lftp-tree/made/moved.bin; rm \"/lftp-tree/sub dir/empty\"; "
                + "mkdir /lftp-gone; rmdir /lftp-gone; bye";
        Proc.Result r = Proc.run(List.of(lftp, "-e", script, "sftp://alice:@127.0.0.1:" + ferryd.port()), local, 90);
        assertEquals(0, r.exit(), r.all());
        assertSameTree(tree, local.resolve("back")); // up, then down again, before the changes below
        assertTrue(r.out().contains("grüße.txt") && r.out().contains("sub dir"), r.all());
        Path served = ferryd.rootOf("alice");
        assertArrayEquals(Files.readAllBytes(tree.resolve("a.bin")), Files.readAllBytes(served.resolve("lftp-tree/made/moved.bin")));
        assertFalse(Files.exists(served.resolve("lftp-tree/a.bin")));
        assertFalse(Files.exists(served.resolve("lftp-tree/sub dir/empty")));
        assertFalse(Files.exists(served.resolve("lftp-gone")));
    }

    private static List<String> rclone(String... args) {
        List<String> command = new ArrayList<>(List.of(Peers.require("rclone")));
        command.addAll(List.of(args));
        command.addAll(List.of("--config", "/dev/null", "--sftp-host", "127.0.0.1", "--sftp-port",
                String.valueOf(ferryd.port()), "--sftp-user", "alice", "--sftp-key-file", ferryd.key().toString(),
                "--sftp-known-hosts-file", ferryd.knownHosts().toString(),
                // no shell to detect: name the shell type and the hash commands ferryd runs itself
                "--sftp-shell-type", "unix", "--sftp-md5sum-command", "md5sum", "--sftp-sha1sum-command", "sha1sum"));
        return command;
    }

    @Test
    void rcloneCopiesListsAndChecksByHash() throws Exception {
        Path local = ferryd.newLocalDir();
        Path tree = tree(local);
        Proc.Result copy = Proc.run(rclone("copy", "tree", ":sftp:/rclone-tree"), local, 90);
        assertEquals(0, copy.exit(), copy.all());
        assertSameTree(tree, ferryd.rootOf("alice").resolve("rclone-tree"));

        Proc.Result lsf = Proc.run(rclone("lsf", "-R", ":sftp:/rclone-tree"), local, 60);
        assertEquals(0, lsf.exit(), lsf.all());
        assertEquals(List.of("a.bin", "grüße.txt", "sub dir/", "sub dir/b.bin", "sub dir/empty"),
                lsf.out().lines().sorted().toList(), lsf.all());

        Proc.Result sums = Proc.run(rclone("md5sum", ":sftp:/rclone-tree"), local, 60);
        assertEquals(0, sums.exit(), sums.all());
        Proc.Result localSums = Proc.run(List.of(Peers.require("md5sum"), "a.bin"), tree, 30);
        assertTrue(sums.out().contains(localSums.out().strip()), "rclone got ferryd's md5: " + sums.all());

        Proc.Result check = Proc.run(rclone("check", "tree", ":sftp:/rclone-tree"), local, 60);
        assertEquals(0, check.exit(), check.all());
        assertTrue(check.err().contains("0 differences found"), check.all());
        assertFalse(check.err().contains("hashes could not be checked"), "compared by hash: " + check.all());

        Proc.Result changes = Proc.run(rclone("moveto", ":sftp:/rclone-tree/grüße.txt", ":sftp:/rclone-tree/sub dir/moved.txt"),
                local, 60);
        assertEquals(0, changes.exit(), changes.all());
        assertEquals(0, Proc.run(rclone("mkdir", ":sftp:/rclone-made"), local, 60).exit());
        assertEquals(0, Proc.run(rclone("rmdir", ":sftp:/rclone-made"), local, 60).exit());
        assertEquals(0, Proc.run(rclone("deletefile", ":sftp:/rclone-tree/sub dir/moved.txt"), local, 60).exit());
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("rclone-made")));
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("rclone-tree/grüße.txt")));
        assertFalse(Files.exists(ferryd.rootOf("alice").resolve("rclone-tree/sub dir/moved.txt")));
        Proc.Result restore = Proc.run(rclone("copy", "tree", ":sftp:/rclone-tree"), local, 90);
        assertEquals(0, restore.exit(), restore.all());

        Files.write(ferryd.rootOf("alice").resolve("rclone-tree/a.bin"), random(200_000, 9)); // same size
        Proc.Result differs = Proc.run(rclone("check", "tree", ":sftp:/rclone-tree"), local, 60);
        assertEquals(1, differs.exit(), differs.all());
        assertTrue(differs.err().contains("1 differences found"), differs.all());
    }

    @Test
    void paramikoDoesTheEverydayOperations() throws Exception {
        String python = Peers.requirePython("paramiko");
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("up.bin"), random(1_000_000, 3));
        Path script = local.resolve("paramiko_sftp.py");
        Files.writeString(script, String.join("\n",
                "import sys, paramiko",
                "port, key, known, local = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]",
                "client = paramiko.SSHClient()",
                "client.load_host_keys(known)",
                "client.set_missing_host_key_policy(paramiko.RejectPolicy())",
                "client.connect('127.0.0.1', port=port, username='alice', key_filename=key,",
                "               look_for_keys=False, allow_agent=False)",
                "print('cipher', client.get_transport().remote_cipher, client.get_transport().remote_mac)",
                "sftp = client.open_sftp()",
                "sftp.mkdir('/pm')",
                "sftp.put(local + '/up.bin', '/pm/up.bin')",
                "sftp.open('/pm/empty', 'w').close()",
                "with sftp.open('/pm/h\\u00e9llo.txt', 'w') as f: f.write('accent')",
                "sftp.rename('/pm/up.bin', '/pm/moved.bin')",
                "print('list', sorted(sftp.listdir('/pm')))",
                "print('size', sftp.stat('/pm/moved.bin').st_size, sftp.stat('/pm/empty').st_size)",
                "sftp.get('/pm/moved.bin', local + '/down.bin')",
                "sftp.remove('/pm/empty')",
                "sftp.mkdir('/pm/gone'); sftp.rmdir('/pm/gone')",
                "print('after', sorted(sftp.listdir('/pm')))",
                "client.close()", ""));
        Proc.Result r = Proc.run(List.of(python, script.toString(), String.valueOf(ferryd.port()), ferryd.key().toString(),
                ferryd.knownHosts().toString(), local.toString()), local, 90);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("list ['empty', 'h\u00e9llo.txt', 'moved.bin']"), r.all());
        assertTrue(r.out().contains("size 1000000 0"), r.all());
        assertTrue(r.out().contains("after ['h\u00e9llo.txt', 'moved.bin']"), r.all());
        assertArrayEquals(random(1_000_000, 3), Files.readAllBytes(local.resolve("down.bin")));
        assertEquals("accent", Files.readString(ferryd.rootOf("alice").resolve("pm/h\u00e9llo.txt")));
    }
}
