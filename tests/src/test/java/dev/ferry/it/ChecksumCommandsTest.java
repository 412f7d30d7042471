package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;

/**
 * md5sum, sha1sum and sha256sum over ssh exec, as rclone and others verify with them: the same
 * lines as GNU coreutils' programs on the same files, only inside the user's root.
 */
class ChecksumCommandsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();
    private static OpenSsh openssh;
    private static Path root;

    @BeforeAll
    static void files() throws Exception {
        openssh = new OpenSsh(ferryd);
        root = ferryd.rootOf("alice");
        Files.writeString(root.resolve("a.txt"), "checksums\n");
        Files.createDirectories(root.resolve("dir with space"));
        Files.write(root.resolve("dir with space/b.bin"), new byte[300_000]);
        Files.createSymbolicLink(root.resolve("out-link"), ferryd.outside().resolve("secret.txt"));
    }

    /** What GNU's program prints for {@code names}, run in the root itself. */
    private static String gnu(String program, String... names) {
        List<String> command = new ArrayList<>(List.of(Peers.require(program)));
        command.addAll(List.of(names));
        Proc.Result r = Proc.run(command, root, 30);
        assertEquals(0, r.exit(), r.all());
        return r.out();
    }

    @Test
    void eachProgramPrintsWhatCoreutilsPrints() {
        for (String program : List.of("md5sum", "sha1sum", "sha256sum")) {
            Proc.Result r = openssh.ssh("alice", program, "a.txt", "'dir with space/b.bin'");
            assertEquals(0, r.exit(), r.all());
            assertEquals(gnu(program, "a.txt", "dir with space/b.bin"), r.out(), program);
        }
        Proc.Result absolute = openssh.ssh("alice", "sha256sum", "/a.txt");
        assertEquals(gnu("sha256sum", "a.txt").replace("  a.txt", "  /a.txt"), absolute.out(), absolute.all());
    }

    @Test
    void withoutANameItSumsStandardInputAsRcloneProbesIt() {
        List<String> ssh = List.of(Peers.require("ssh"), "-F", "/dev/null", "-p", String.valueOf(ferryd.port()),
                "-i", ferryd.key().toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "UserKnownHostsFile=" + ferryd.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "alice@127.0.0.1", "md5sum");
        Proc.Result empty = Proc.run(ssh, null, Map.of(), new byte[0], 30);
        assertEquals(0, empty.exit(), empty.all());
        assertEquals("d41d8cd98f00b204e9800998ecf8427e  -\n", empty.out());
        Proc.Result abc = Proc.run(ssh, null, Map.of(), "abc\n".getBytes(StandardCharsets.UTF_8), 30);
        assertEquals("0bee89b07a248e27c83fc3d5951213c1  -\n", abc.out(), abc.all());
    }

    @Test
    void nothingOutsideTheRootIsRead() {
        for (String name : List.of("out-link", "../outside/secret.txt", "/../../outside/secret.txt")) {
            Proc.Result r = openssh.ssh("alice", "md5sum", name);
            assertEquals(1, r.exit(), name + ": " + r.all());
            assertTrue(r.err().startsWith("md5sum: " + name + ": "), r.all());
            assertFalse(r.out().contains(gnu("md5sum", ferryd.outside().resolve("secret.txt").toString()).substring(0, 32)),
                    r.all());
        }
    }

    @Test
    void aMissingFileADirectoryAndAnOptionGetOneLineEach() {
        Proc.Result r = openssh.ssh("alice", "sha1sum", "missing.txt", "'dir with space'", "a.txt");
        assertEquals(1, r.exit(), r.all());
        assertEquals("sha1sum: missing.txt: No such file or directory\nsha1sum: dir with space: Is a directory\n",
                r.err().replaceAll("(?m)^(?!sha1sum: ).*\n", ""));
        assertEquals(gnu("sha1sum", "a.txt"), r.out(), "the readable file is still summed");
        Proc.Result option = openssh.ssh("alice", "md5sum", "-c", "sums.txt");
        assertEquals(1, option.exit(), option.all());
        assertTrue(option.err().contains("md5sum: option -c is not supported by ferryd"), option.all());
        Proc.Result pipe = openssh.ssh("alice", "'md5sum a.txt | tee x'");
        assertEquals(1, pipe.exit(), pipe.all());
        assertFalse(Files.exists(root.resolve("x")));
    }
}
