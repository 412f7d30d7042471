package dev.ferry.it;

import static dev.ferry.it.support.TestData.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;
import dev.ferry.relay.TcpRelay;

/**
 * The relay and the link emulator: {@code ferry relay} carries stock OpenSSH scp and sftp sessions
 * intact, and a copy across an emulated 50 ms link arrives intact with the big window negotiated.
 */
class RelayAndLinkTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();


    @Test
    void ferryRelayCarriesOpenSshScpAndSftpIntact() throws Exception {
        Process relay = new ProcessBuilder(FerryCli.command("relay", "--listen", "127.0.0.1:0", "--to",
                "127.0.0.1:" + sshd.port())).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
            Matcher m = Pattern.compile("ferry relay: 127\\.0\\.0\\.1:(\\d+) -> ").matcher(out.readLine());
            assertTrue(m.find());
            String port = m.group(1);
            Path dir = sshd.newLocalDir();
            Files.write(dir.resolve("r.bin"), random(5_000_000));
            // The relay's address is new to known_hosts: the alias checks the real server's key.
            Path kh = Files.writeString(dir.resolve("kh"), "sshd-fixture " + sshd.hostPublicKeyLine() + "\n");
            List<String> common = List.of("-F", "/dev/null", "-o", "UserKnownHostsFile=" + kh, "-o",
                    "HostKeyAlias=sshd-fixture", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                    "-i", sshd.clientKey().toString());
            List<String> scp = new ArrayList<>(List.of(Peers.require("scp"), "-P", port));
            scp.addAll(common);
            scp.addAll(List.of("r.bin", sshd.user() + "@127.0.0.1:" + sshd.root().resolve("via-relay.bin")));
            Proc.Result up = Proc.run(scp, dir, 60);
            assertEquals(0, up.exit(), up.all());
            assertArrayEquals(random(5_000_000), Files.readAllBytes(sshd.root().resolve("via-relay.bin")));

            Files.writeString(dir.resolve("batch"), "get " + sshd.root().resolve("via-relay.bin") + " back.bin\n");
            List<String> sftp = new ArrayList<>(List.of(Peers.require("sftp"), "-P", port, "-b", "batch"));
            sftp.addAll(common);
            sftp.add(sshd.user() + "@127.0.0.1");
            Proc.Result down = Proc.run(sftp, dir, 60);
            assertEquals(0, down.exit(), down.all());
            assertArrayEquals(random(5_000_000), Files.readAllBytes(dir.resolve("back.bin")));

            String line = out.readLine(); // one line per connection, when it closes
            assertTrue(line.startsWith("relay ") && line.contains("bytes up"), line);
        } finally {
            relay.destroy();
            relay.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCopyAcrossA50MsLinkArrivesIntactWithTheBigWindowNegotiated() throws Exception {
        List<TcpRelay.ConnectionReport> reports = new CopyOnWriteArrayList<>();
        try (TcpRelay link = TcpRelay.builder(new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", ferryd.port())).delay(Duration.ofMillis(50)).reports(reports::add)
                .start()) {
            Path dir = ferryd.newLocalDir();
            Files.write(dir.resolve("far.bin"), random(20_000_000));
            Path kh = Files.writeString(dir.resolve("kh"), Files.readString(ferryd.knownHosts())
                    .replace("[127.0.0.1]:" + ferryd.port(), "[127.0.0.1]:" + link.port()));
            Proc.Result r = FerryCli.run(dir, "cp", "-v", "-B", "-P", String.valueOf(link.port()), "-i",
                    ferryd.key().toString(), "-F", "/dev/null", "-o", "UserKnownHostsFile=" + kh, "far.bin",
                    "alice@127.0.0.1:far.bin");
            assertEquals(0, r.exit(), r.all());
            assertArrayEquals(random(20_000_000), Files.readAllBytes(ferryd.rootOf("alice").resolve("far.bin")));
            assertTrue(r.err().contains("channel window: ours 64 MiB (packets up to 128 KiB), "
                    + "the server's 64 MiB (packets up to 128 KiB)"), r.all());
        }
    }
}
