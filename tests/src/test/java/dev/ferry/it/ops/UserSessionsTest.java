package dev.ferry.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;
import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.UserLimits;
import dev.ferry.server.log.ServerEvent;

/**
 * A user's connections at once, held to their maxSessions (2 for alice here): the third login is
 * refused with a reason OpenSSH's client shows, logged, and no offence of the address. The
 * server bans an address at its first offence here (threshold 1), so that a refusal counted as one
 * would show as a ban.
 */
class UserSessionsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture(
            Limits.DEFAULT.withBans(BanPolicy.DEFAULT.withThreshold(1, Duration.ofMinutes(10))))
            .userLimits("alice", new UserLimits(0, 0, 0, 0, 2));
    private final OpenSsh openssh = new OpenSsh(ferryd);

    @Test
    void theLoginPastAUsersLimitIsRefusedWithTheReasonWhileHerOtherSessionsAndOtherUsersGoOn() throws Exception {
        Path local = ferryd.newLocalDir();
        SshClient client = ferryd.newClient();
        try (ClientSession first = ferryd.login(client, "alice"); ClientSession second = ferryd.login(client, "alice")) {
            Proc.Result third = openssh.sftp("alice", local, "ls");
            assertNotEquals(0, third.exit(), third.all());
            assertTrue(third.err().contains("too many sessions for alice (limit 2)"), third.all());
            ServerEvent.UserSessionsExceeded refused = ferryd.events(ServerEvent.UserSessionsExceeded.class).get(0);
            assertEquals("alice", refused.user());
            assertEquals(2, refused.limit());
            // closed by the server's disconnect, or by the client once its channel was refused with the reason
            awaitClosed(c -> c.user().equals("alice"));

            // no offence: at a threshold of 1 the address would be banned, and linker refused
            assertEquals(List.of(), ferryd.server().defender().bans());
            assertTrue(!ferryd.server().defender().isBanned(InetAddress.getLoopbackAddress()));
            Proc.Result linker = openssh.sftp("linker", local, "ls");
            assertEquals(0, linker.exit(), linker.all());

            for (ClientSession held : List.of(first, second)) {
                try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(held)) {
                    assertTrue(sftp.stat("/").isDirectory(), "alice's own sessions still work");
                }
            }

            long closedBefore = ferryd.events(ServerEvent.ConnectionClosed.class).stream()
                    .filter(c -> c.user().equals("alice")).count();
            first.close(false);
            awaitClosed(c -> c.user().equals("alice"), closedBefore + 1);
            Proc.Result again = openssh.sftp("alice", local, "ls");
            assertEquals(0, again.exit(), "one session closed, a new one fits: " + again.all());
        } finally {
            client.stop();
        }
        assertEquals(1, ferryd.events(ServerEvent.UserSessionsExceeded.class).size());
    }

    private static void awaitClosed(Predicate<ServerEvent.ConnectionClosed> which) throws InterruptedException {
        awaitClosed(which, 1);
    }

    /** Waits until the server has logged {@code count} closed connections that match {@code which}. */
    private static void awaitClosed(Predicate<ServerEvent.ConnectionClosed> which, long count)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ferryd.events(ServerEvent.ConnectionClosed.class).stream().filter(which).count() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not logged as closed: " + ferryd.events());
            }
            Thread.sleep(20);
        }
    }
}
