package dev.ferry.it.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.ferry.it.hostile.SftpWire.Message;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.log.LogFormat;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.sftp.FerrySftpSubsystemFactory;

/**
 * The hostile-input suite: 89 cases of malformed or abusive input sent over real channels and raw
 * sockets to an in-process ferryd: 36 of SFTP packets written by hand, 23 of SCP protocol lines and
 * command lines, 21 of shells, commands, channel and global requests and channels, 9 of bytes
 * before authentication. For each case, four things are checked:
 * <ol>
 * <li>the hostile client got the expected answer: an SFTP status code, an SCP error reply, a
 * refused channel or request, a closed channel or connection;</li>
 * <li>the server logged it: an event naming the case's connection and what was refused;</li>
 * <li>the server still serves: another user logs in and round-trips a file over SFTP, contents
 * verified, while the hostile connection is still open;</li>
 * <li>its memory stays bounded: the heap after a GC stays within {@link #HEAP_GROWTH} of what it was
 * before the suite, with the hostile connection still open, and the file descriptors return to
 * their count before the case once it is closed.</li>
 * </ol>
 * The hostile user is {@code alice}; the one who checks the server still serves is {@code strict}.
 * Connections before authentication come from loopback addresses of their own (127.0.0.x), so
 * that their offences never ban the address the other cases use.
 */
class HostileInputTest {

    /**
     * Ten seconds to authenticate, so the cases of clients that never do take ten, not thirty (a
     * first login on a busy machine, JIT and all, took five); otherwise the defaults.
     */
    private static final Limits LIMITS = new Limits(6, Duration.ofSeconds(10), Duration.ofMinutes(15), 10, 10, 512,
            BanPolicy.DEFAULT);
    /** How much the heap after a GC may grow over the suite's start while a hostile connection is open. */
    static final long HEAP_GROWTH = 32L * 1024 * 1024;
    /** Descriptors the JVM may open for itself during a case (a jar, a class file) and keep. */
    private static final int FD_SLACK = 6;
    private static final String HOSTILE = "alice";
    private static final String GOOD = "strict";

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture(LIMITS);
    private static SshClient client;
    private static long heapAtStart;
    private static final List<String> figures = new ArrayList<>();
    /** The cases as the table in docs/security.md shows them, printed at the end. */
    private static final List<String> table = new ArrayList<>();
    private static final AtomicInteger served = new AtomicInteger();
    private static final AtomicInteger sources = new AtomicInteger(10);

    /**
     * One case: its name, what it sends, what answer it expects (as the table in docs/security.md
     * shows them), the attack, which fails unless that answer came, and the log line it must leave.
     */
    record HostileCase(String name, String sends, String expects, Attack attack, Logged logged) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface Attack {
        void run(Context ctx) throws Exception;
    }

    /** Whether {@code event} is the log line the case must leave; {@code ctx} knows the case's connection. */
    @FunctionalInterface
    interface Logged {
        boolean test(ServerEvent event, Context ctx);
    }

    /** A case's connections: the hostile user's session (made on first use) and what to close at the end. */
    static final class Context implements AutoCloseable {
        private final Deque<AutoCloseable> open = new ArrayDeque<>();
        private ClientSession session;
        private String remote;

        /** The hostile user's session for this case. */
        ClientSession session() throws IOException {
            return session(HOSTILE);
        }

        /** The session for this case, of {@code user} (made on first use). */
        ClientSession session(String user) throws IOException {
            if (session == null) {
                session = keep(ferryd.login(client, user));
                remote = ServerEvent.address(session.getIoSession().getLocalAddress());
            }
            return session;
        }

        /** A raw connection from a loopback address no other case uses. */
        PreAuth preAuth() throws IOException {
            PreAuth p = keep(new PreAuth("127.0.0." + sources.incrementAndGet(), ferryd.port()));
            remote = p.address();
            return p;
        }

        <T extends AutoCloseable> T keep(T resource) {
            open.push(resource);
            return resource;
        }

        /** The case's connection as the server logs its remote address. */
        String remote() {
            return remote;
        }

        @Override
        public void close() {
            while (!open.isEmpty()) {
                try {
                    open.pop().close();
                } catch (Exception ignored) {
                    // closing what the server may already have closed
                }
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        client = ferryd.newClient();
        // the cheapest key exchange ferryd offers: the cases are about what comes after it
        client.setKeyExchangeFactories(List.of(ClientBuilder.DH2KEX.apply(BuiltinDHFactories.curve25519)));
        Files.writeString(ferryd.rootOf(HOSTILE).resolve("h.txt"), "a file to open many times\n");
        Files.createDirectories(ferryd.rootOf(HOSTILE).resolve("up"));
        serveAnotherUser(); // loads what a round trip needs before anything is measured
        try (Context warm = new Context()) {
            SftpWire.ready(warm.session()).close();
        }
        heapAtStart = heapAfterGc();
    }

    @AfterAll
    static void stop() throws IOException {
        client.stop();
        System.out.println("heap after GC at start: " + heapAtStart / (1024 * 1024) + " MiB");
        figures.forEach(System.out::println);
        List<String> lines = new ArrayList<>(List.of("| case | sends | answer | log line |", "|---|---|---|---|"));
        lines.addAll(table);
        lines.forEach(System.out::println);
        // docs/security.md's table is this file, as the last run made it
        Files.write(Path.of("target", "hostile-cases.md"), lines);
    }

    static Stream<HostileCase> cases() {
        List<HostileCase> all = new ArrayList<>();
        all.addAll(sftpCases());
        all.addAll(scpCases());
        all.addAll(requestCases());
        all.addAll(preAuthCases());
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileInputIsAnsweredLoggedAndSurvived(HostileCase c) throws Exception {
        long fdsBefore = openFds();
        int eventsBefore = ferryd.events().size();
        long heap;
        String remote;
        try (Context ctx = new Context()) {
            // (1) the expected answer, within a bound: a server that hangs fails here
            assertTimeoutPreemptively(Duration.ofSeconds(40), () -> c.attack().run(ctx), c.name());
            remote = ctx.remote();
            // (4) memory bounded while the hostile connection is still open
            heap = heapAfterGc();
            assertTrue(heap - heapAtStart < HEAP_GROWTH, c.name() + ": heap after GC grew by "
                    + (heap - heapAtStart) / (1024 * 1024) + " MiB");
            // (3) another user is served meanwhile
            serveAnotherUser();
        }
        assertNotNull(remote, c.name() + " made no connection");
        // the server has let go of the connection: its last line is logged
        List<ServerEvent> since = awaitEvents(eventsBefore, e -> e instanceof ServerEvent.ConnectionClosed closed
                && closed.remote().equals(remote), "connection-closed of " + remote);
        // (2) the case's own log line, on one line whatever the client sent
        ServerEvent line = since.stream().filter(e -> c.logged().test(e, ctxOf(remote))).findFirst()
                .orElseThrow(() -> new AssertionError(c.name() + ": no log line for the case among\n"
                        + String.join("\n", since.stream().map(String::valueOf).toList())));
        String text = formatted(line);
        assertFalse(text.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f), "one clean line: " + text);
        // (4) descriptors (sockets, file handles) released
        long fds = awaitFds(fdsBefore + FD_SLACK);
        String logged = text.substring(text.indexOf(' ') + 1);
        figures.add(String.format("%-40s heap %4d MiB  fds %d -> %d  %s", c.name(), heap / (1024 * 1024), fdsBefore, fds,
                logged));
        table.add("| " + c.name() + " | " + c.sends() + " | " + c.expects() + " | `"
                + logged.replaceFirst(" user=\\S*", "").replaceFirst(" remote=\\S*", "").replaceFirst(" seconds=\\S*", "")
                + "` |");
    }

    /** A context that only knows a remote address, for the log predicates once the case is over. */
    private static Context ctxOf(String remote) {
        Context ctx = new Context();
        ctx.remote = remote;
        return ctx;
    }

    // ---------------------------------------------------------------- SFTP

    private static final int OPEN = SftpConstants.SSH_FXP_OPEN;
    private static final int READ = SftpConstants.SSH_FXF_READ;
    private static final int WRITE_NEW = SftpConstants.SSH_FXF_WRITE | SftpConstants.SSH_FXF_CREAT
            | SftpConstants.SSH_FXF_TRUNC;

    static List<HostileCase> sftpCases() {
        List<HostileCase> cases = new ArrayList<>();
        cases.add(new HostileCase("sftp-length-2-GiB-lie", "a message length of 2^31-16, then up to 64 MiB of data",
                "channel ended, exit status 1", ctx -> {
                    SftpWire sftp = ready(ctx);
                    sftp.send(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
                    flood(sftp, 64 * 1024 * 1024); // MINA kept all of it, up to the window

                    assertEquals(1, sftp.awaitEnd());
                }, refused("sftp", "message length 2147483632")));
        cases.add(framing("sftp-length-negative", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                "message length 4294967295"));
        cases.add(framing("sftp-length-zero", new byte[] {0, 0, 0, 0}, "message length 0"));
        cases.add(framing("sftp-length-shorter-than-a-header", new byte[] {0, 0, 0, 2, 9, 9}, "message length 2"));
        cases.add(new HostileCase("sftp-length-one-over-256-KiB", "a complete message of 256 KiB + 1 byte",
                "channel ended, exit status 1", ctx -> {
                    SftpWire sftp = ready(ctx);
                    byte[] body = new byte[FerrySftpSubsystemFactory.MAX_MESSAGE + 1];
                    body[0] = (byte) SftpConstants.SSH_FXP_WRITE;
                    sendIgnoringClose(sftp, SftpWire.frame(body));
                    assertEquals(1, sftp.awaitEnd());
                }, refused("sftp", "message length 262145")));
        cases.add(malformed("sftp-open-cut-short", "OPEN with its id and nothing after",
                new Message(OPEN, 7), "malformed SSH_FXP_OPEN"));
        cases.add(malformed("sftp-path-length-lies", "OPEN whose path claims 2^31-1 bytes and has 3",
                new Message(OPEN, 7).u32(0x7fffffff).raw("abc".getBytes(StandardCharsets.UTF_8)),
                "malformed SSH_FXP_OPEN"));
        cases.add(new HostileCase("sftp-write-data-length-lies", "WRITE on a real handle whose data claims 2^31-1 bytes",
                "SSH_FX_FAILURE, channel still serves", ctx -> {
                    SftpWire sftp = ready(ctx);
                    byte[] handle = open(sftp, "/up/lies.bin", WRITE_NEW);
                    sftp.request(new Message(SftpConstants.SSH_FXP_WRITE, sftp.id()).string(handle).u64(0)
                            .u32(0x7fffffff).raw(new byte[16]));
                    assertEquals(SftpConstants.SSH_FX_FAILURE, sftp.status());
                    assertStillServes(sftp);
                }, refusedRequest("sftp", "SSH_FXP_WRITE")));
        cases.add(status("sftp-unknown-type-0", "a request of type 0", new Message(0, 7),
                SftpConstants.SSH_FX_OP_UNSUPPORTED, refused("sftp", "unknown request type")));
        cases.add(status("sftp-unknown-type-255", "a request of type 255", new Message(255, 7),
                SftpConstants.SSH_FX_OP_UNSUPPORTED, refused("sftp", "unknown request type")));
        cases.add(new HostileCase("sftp-3000-unknown-requests", "3000 requests of type 150, pipelined",
                "3000 SSH_FX_OP_UNSUPPORTED; 20 lines logged, the rest counted", ctx -> {
                    SftpWire sftp = ready(ctx);
                    ByteArrayOutputStream burst = new ByteArrayOutputStream();
                    for (int i = 0; i < 3000; i++) {
                        burst.writeBytes(SftpWire.frame(new Message(150, sftp.id()).bytes()));
                    }
                    sftp.send(burst.toByteArray());
                    for (int i = 0; i < 3000; i++) {
                        assertEquals(SftpConstants.SSH_FX_OP_UNSUPPORTED, sftp.status());
                    }
                }, (e, ctx) -> e instanceof ServerEvent.RefusalsUnlogged u && u.remote().equals(ctx.remote())
                        && u.count() == 3000 - RefusalLog.LOGGED_PER_CONNECTION));
        cases.add(status("sftp-unknown-extension", "EXTENDED evil@example.com",
                new Message(SftpConstants.SSH_FXP_EXTENDED, 7).string("evil@example.com"),
                SftpConstants.SSH_FX_OP_UNSUPPORTED, refused("sftp", "unknown extension")));
        cases.add(status("sftp-extension-name-with-control-characters",
                "EXTENDED named with ESC, BEL and a newline (a log injection)",
                new Message(SftpConstants.SSH_FXP_EXTENDED, 7).string("\u001b]0;owned\u0007\nauth-ok user=root"),
                SftpConstants.SSH_FX_OP_UNSUPPORTED, refusedRequest("sftp", "\nauth-ok user=root")));
        cases.add(new HostileCase("sftp-request-before-init", "OPEN before INIT",
                "SSH_FX_FAILURE", ctx -> {
                    SftpWire sftp = ctx.keep(SftpWire.open(ctx.session()));
                    sftp.request(new Message(OPEN, 7).string("/h.txt").u32(READ).u32(0));
                    assertEquals(SftpConstants.SSH_FX_FAILURE, sftp.status());
                }, refused("sftp", "SSH_FXP_INIT must come first")));
        cases.add(new HostileCase("sftp-second-init", "INIT again after the version was agreed",
                "SSH_FX_FAILURE", ctx -> {
                    SftpWire sftp = ready(ctx);
                    sftp.request(new Message(SftpConstants.SSH_FXP_INIT).u32(3));
                    assertEquals(SftpConstants.SSH_FX_FAILURE, sftp.status());
                }, refused("sftp", "SSH_FXP_INIT again")));
        cases.add(onHandle("sftp-read-negative-length", "READ of -1 bytes", "/h.txt", READ,
                (sftp, h) -> new Message(SftpConstants.SSH_FXP_READ, sftp.id()).string(h).u64(0).u32(-1),
                SftpConstants.SSH_FX_INVALID_PARAMETER, "SSH_FXP_READ"));
        cases.add(onHandle("sftp-read-negative-offset", "READ at offset -1", "/h.txt", READ,
                (sftp, h) -> new Message(SftpConstants.SSH_FXP_READ, sftp.id()).string(h).u64(-1).u32(100),
                SftpConstants.SSH_FX_INVALID_PARAMETER, "SSH_FXP_READ"));
        cases.add(onHandle("sftp-write-negative-offset", "WRITE at offset -2^63", "/up/neg.bin", WRITE_NEW,
                (sftp, h) -> new Message(SftpConstants.SSH_FXP_WRITE, sftp.id()).string(h).u64(Long.MIN_VALUE)
                        .string(new byte[10]),
                SftpConstants.SSH_FX_INVALID_PARAMETER, "SSH_FXP_WRITE"));
        cases.add(onHandle("sftp-write-beyond-the-largest-file", "WRITE of 10 bytes at offset 2^63-2",
                "/up/huge.bin", WRITE_NEW,
                (sftp, h) -> new Message(SftpConstants.SSH_FXP_WRITE, sftp.id()).string(h).u64(Long.MAX_VALUE - 1)
                        .string(new byte[10]),
                SftpConstants.SSH_FX_FAILURE, "SSH_FXP_WRITE"));
        cases.add(status("sftp-unknown-handle", "READ on a handle never given",
                new Message(SftpConstants.SSH_FXP_READ, 7).string("nope").u64(0).u32(10),
                SftpConstants.SSH_FX_INVALID_HANDLE, refusedRequest("sftp", "SSH_FXP_READ")));
        cases.add(status("sftp-handle-of-60000-bytes", "CLOSE of a 60,000-byte handle",
                new Message(SftpConstants.SSH_FXP_CLOSE, 7).string(new byte[60_000]),
                SftpConstants.SSH_FX_INVALID_HANDLE, refusedRequest("sftp", "SSH_FXP_CLOSE")));
        cases.add(new HostileCase("sftp-close-twice", "CLOSE of a handle already closed",
                "SSH_FX_INVALID_HANDLE", ctx -> {
                    SftpWire sftp = ready(ctx);
                    byte[] handle = open(sftp, "/h.txt", READ);
                    sftp.request(new Message(SftpConstants.SSH_FXP_CLOSE, sftp.id()).string(handle));
                    assertEquals(SftpConstants.SSH_FX_OK, sftp.status());
                    sftp.request(new Message(SftpConstants.SSH_FXP_CLOSE, sftp.id()).string(handle));
                    assertEquals(SftpConstants.SSH_FX_INVALID_HANDLE, sftp.status());
                }, refusedRequest("sftp", "SSH_FXP_CLOSE")));
        cases.add(onHandle("sftp-write-on-a-read-handle", "WRITE on a handle opened for reading", "/h.txt", READ,
                (sftp, h) -> new Message(SftpConstants.SSH_FXP_WRITE, sftp.id()).string(h).u64(0).string(new byte[4]),
                SftpConstants.SSH_FX_FAILURE, "SSH_FXP_WRITE"));
        cases.add(new HostileCase("sftp-read-on-a-directory-handle", "READ on a handle of OPENDIR",
                "SSH_FX_INVALID_HANDLE", ctx -> {
                    SftpWire sftp = ready(ctx);
                    sftp.request(new Message(SftpConstants.SSH_FXP_OPENDIR, sftp.id()).string("/"));
                    byte[] dir = sftp.next().handle();
                    sftp.request(new Message(SftpConstants.SSH_FXP_READ, sftp.id()).string(dir).u64(0).u32(10));
                    assertEquals(SftpConstants.SSH_FX_INVALID_HANDLE, sftp.status());
                }, refusedRequest("sftp", "SSH_FXP_READ")));
        cases.add(onHandle("sftp-readdir-on-a-file-handle", "READDIR on a handle of a file", "/h.txt", READ,
                (sftp, h) -> new Message(SftpConstants.SSH_FXP_READDIR, sftp.id()).string(h),
                SftpConstants.SSH_FX_INVALID_HANDLE, "SSH_FXP_READDIR"));
        cases.add(handles("sftp-2000-file-handles", "2000 OPENs of one file, pipelined, none closed",
                n -> new Message(OPEN, n).string("/h.txt").u32(READ).u32(0)));
        cases.add(handles("sftp-2000-directory-handles", "2000 OPENDIRs of /, pipelined, none closed",
                n -> new Message(SftpConstants.SSH_FXP_OPENDIR, n).string("/")));
        cases.add(status("sftp-path-3000-levels-deep", "MKDIR of a/a/.../a, 3000 levels (6000 bytes)",
                new Message(SftpConstants.SSH_FXP_MKDIR, 7).string("a/".repeat(3000) + "x").u32(0),
                SftpConstants.SSH_FX_PERMISSION_DENIED, refusedRequest("sftp", "SSH_FXP_MKDIR")));
        cases.add(status("sftp-name-of-5000-bytes", "OPEN to create a name of 5000 bytes",
                new Message(OPEN, 7).string("/up/" + "n".repeat(5000)).u32(WRITE_NEW).u32(0),
                SftpConstants.SSH_FX_FAILURE, refusedRequest("sftp", "SSH_FXP_OPEN")));
        cases.add(status("sftp-name-with-nul", "OPEN to create up/a\\0b",
                new Message(OPEN, 7).string("/up/a\0b").u32(WRITE_NEW).u32(0),
                SftpConstants.SSH_FX_INVALID_FILENAME, refused("sftp", "NUL in a name")));
        cases.add(status("sftp-name-not-utf8", "OPEN to create up/bad\\xc3\\x28 (invalid UTF-8)",
                new Message(OPEN, 7).string(new byte[] {'/', 'u', 'p', '/', 'b', 'a', 'd', (byte) 0xc3, 0x28})
                        .u32(WRITE_NEW).u32(0),
                SftpConstants.SSH_FX_INVALID_FILENAME, refused("sftp", "not valid UTF-8")));
        cases.add(status("sftp-rmdir-root", "RMDIR /", new Message(SftpConstants.SSH_FXP_RMDIR, 7).string("/"),
                SftpConstants.SSH_FX_PERMISSION_DENIED, refusedRequest("sftp", "SSH_FXP_RMDIR")));
        cases.add(status("sftp-rename-root", "RENAME / to /elsewhere",
                new Message(SftpConstants.SSH_FXP_RENAME, 7).string("/").string("/elsewhere"),
                SftpConstants.SSH_FX_PERMISSION_DENIED, refusedRequest("sftp", "SSH_FXP_RENAME")));
        cases.add(status("sftp-remove-root", "REMOVE /", new Message(SftpConstants.SSH_FXP_REMOVE, 7).string("/"),
                SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY, refusedRequest("sftp", "SSH_FXP_REMOVE")));
        cases.add(new HostileCase("sftp-rmdir-of-an-empty-root", "RMDIR / by a user whose root is empty (linker)",
                "SSH_FX_PERMISSION_DENIED, the root still there", ctx -> {
                    SftpWire sftp = ctx.keep(SftpWire.ready(ctx.session("linker")));
                    sftp.request(new Message(SftpConstants.SSH_FXP_RMDIR, sftp.id()).string("/"));
                    assertEquals(SftpConstants.SSH_FX_PERMISSION_DENIED, sftp.status());
                    assertTrue(Files.isDirectory(ferryd.rootOf("linker")), "the root is still there");
                }, refused("sftp", "the user's root")));
        cases.add(status("sftp-chown-to-root", "SETSTAT h.txt to uid 0, gid 0",
                new Message(SftpConstants.SSH_FXP_SETSTAT, 7).string("/h.txt").u32(SftpConstants.SSH_FILEXFER_ATTR_UIDGID)
                        .u32(0).u32(0),
                SftpConstants.SSH_FX_PERMISSION_DENIED, refusedRequest("sftp", "SSH_FXP_SETSTAT")));
        return cases;
    }

    /** An SFTP channel past INIT on the case's session, closed with it. */
    private static SftpWire ready(Context ctx) throws IOException, InterruptedException {
        return ctx.keep(SftpWire.ready(ctx.session()));
    }

    /** Writes {@code bytes} of zeros in 64 KiB writes, stopping when the server has closed the channel. */
    private static void flood(SftpWire sftp, int bytes) {
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int sent = 0; sent < bytes && sftp.isOpen(); sent += chunk.length) {
                sftp.send(chunk);
            }
        } catch (IOException closed) {
            // the server ended the channel: what a lying length should get
        }
    }

    private static void sendIgnoringClose(SftpWire sftp, byte[] bytes) {
        try {
            sftp.send(bytes);
        } catch (IOException closed) {
            // the server ended the channel before all of it went
        }
    }

    /** A case whose first four bytes after INIT are a bad length: the channel must end, status 1. */
    private static HostileCase framing(String name, byte[] bytes, String reason) {
        return new HostileCase(name, "after INIT: " + hex(bytes) + " then 64 KiB", "channel ended, exit status 1",
                ctx -> {
                    SftpWire sftp = ready(ctx);
                    sftp.send(bytes);
                    flood(sftp, 64 * 1024);
                    assertEquals(1, sftp.awaitEnd());
                }, refused("sftp", reason));
    }

    /** A case of a request cut short inside its message: BAD_MESSAGE, and the channel still serves. */
    private static HostileCase malformed(String name, String sends, Message message, String reason) {
        return new HostileCase(name, sends, "SSH_FX_BAD_MESSAGE, channel still serves", ctx -> {
            SftpWire sftp = ready(ctx);
            sftp.request(message);
            assertEquals(SftpConstants.SSH_FX_BAD_MESSAGE, sftp.status());
            assertStillServes(sftp);
        }, refused("sftp", reason));
    }

    /** A case of one request answered with {@code expected}. */
    private static HostileCase status(String name, String sends, Message message, int expected, Logged logged) {
        return new HostileCase(name, sends, SftpConstants.getStatusName(expected), ctx -> {
            SftpWire sftp = ready(ctx);
            sftp.request(message);
            SftpWire.Reply reply = sftp.next();
            assertNotNull(reply, "the channel ended instead of answering");
            assertEquals(SftpConstants.getStatusName(expected), SftpConstants.getStatusName(reply.status()),
                    reply.toString());
        }, logged);
    }

    interface OnHandle {
        Message request(SftpWire sftp, byte[] handle);
    }

    /** A case of a request on a handle of {@code path} opened with {@code flags}. */
    private static HostileCase onHandle(String name, String sends, String path, int flags, OnHandle request,
            int expected, String requestName) {
        return new HostileCase(name, sends, SftpConstants.getStatusName(expected), ctx -> {
            SftpWire sftp = ready(ctx);
            byte[] handle = open(sftp, path, flags);
            sftp.request(request.request(sftp, handle));
            SftpWire.Reply reply = sftp.next();
            assertNotNull(reply, "the channel ended instead of answering");
            assertEquals(SftpConstants.getStatusName(expected), SftpConstants.getStatusName(reply.status()),
                    reply.toString());
        }, refusedRequest("sftp", requestName));
    }

    interface Numbered {
        Message request(int id);
    }

    /**
     * A case of 2000 handles asked at once: {@link FerrySftpSubsystemFactory#MAX_OPEN_HANDLES} are
     * given (each a descriptor of the server's, which the count in /proc/self/fd shows), the rest
     * refused, and all released with the channel.
     */
    private static HostileCase handles(String name, String sends, Numbered request) {
        int limit = FerrySftpSubsystemFactory.MAX_OPEN_HANDLES;
        return new HostileCase(name, sends, limit + " handles, then SSH_FX_NO_SPACE_ON_FILESYSTEM (too many open handles)",
                ctx -> {
                    SftpWire sftp = ready(ctx);
                    long before = openFds();
                    ByteArrayOutputStream burst = new ByteArrayOutputStream();
                    for (int i = 0; i < 2000; i++) {
                        burst.writeBytes(SftpWire.frame(request.request(sftp.id()).bytes()));
                    }
                    sftp.send(burst.toByteArray());
                    int handles = 0;
                    int refused = 0;
                    for (int i = 0; i < 2000; i++) {
                        SftpWire.Reply r = sftp.next();
                        if (r.type() == SftpConstants.SSH_FXP_HANDLE) {
                            handles++;
                        } else {
                            assertEquals(SftpConstants.SSH_FX_NO_SPACE_ON_FILESYSTEM, r.status(), r.toString());
                            refused++;
                        }
                    }
                    assertEquals(limit, handles);
                    assertEquals(2000 - limit, refused);
                    long held = openFds() - before;
                    assertTrue(held >= limit - FD_SLACK, "the handles hold descriptors: " + held);
                    figures.add(String.format("%-40s %d descriptors held by %d handles", name, held, handles));
                }, refused("sftp", "Too many open handles"));
    }

    /** Opens {@code path} with {@code flags} and returns the handle. */
    private static byte[] open(SftpWire sftp, String path, int flags) throws IOException, InterruptedException {
        sftp.request(new Message(OPEN, sftp.id()).string(path).u32(flags).u32(0));
        SftpWire.Reply reply = sftp.next();
        assertNotNull(reply);
        return reply.handle();
    }

    /** The channel answers a well-formed request after the bad one. */
    private static void assertStillServes(SftpWire sftp) throws IOException, InterruptedException {
        sftp.request(new Message(SftpConstants.SSH_FXP_REALPATH, sftp.id()).string("."));
        SftpWire.Reply reply = sftp.next();
        assertNotNull(reply, "the channel ended");
        assertEquals(SftpConstants.SSH_FXP_NAME, reply.type(), reply.toString());
    }

    // ---------------------------------------------------------------- SCP

    static List<HostileCase> scpCases() {
        List<HostileCase> cases = new ArrayList<>();
        cases.add(sink("scp-negative-size", "C0644 -5 neg.txt", "negative size"));
        cases.add(sink("scp-size-not-a-number", "C0644 12abc x.txt", "12abc"));
        cases.add(sink("scp-size-beyond-64-bits", "C0644 99999999999999999999 x.txt", "99999999999999999999"));
        cases.add(sink("scp-size-beyond-free-space", "C0644 9223372036854775807 x.txt", "No space left"));
        cases.add(sink("scp-name-with-slash", "C0644 5 sub/x.txt", "unexpected filename"));
        cases.add(sink("scp-name-dot-dot", "C0644 5 ..", "unexpected filename"));
        cases.add(sink("scp-name-empty", "C0644 5 ", "unexpected filename"));
        cases.add(sink("scp-name-with-nul", "C0644 5 a\0b", "unexpected filename"));
        cases.add(new HostileCase("scp-name-not-utf8", "C0644 5 bad\\xc3\\x28 (invalid UTF-8)", "error reply (2)",
                ctx -> {
                    ScpWire scp = sinkWire(ctx, "scp -t up");
                    scp.line(new byte[] {'C', '0', '6', '4', '4', ' ', '5', ' ', 'b', 'a', 'd', (byte) 0xc3, 0x28});
                    assertError(scp.ack());
                }, refused("scp", "not valid UTF-8")));
        cases.add(sink("scp-directory-named-dot-dot", "scp -r -t up", "D0755 0 ..", "unexpected filename"));
        cases.add(sink("scp-directory-named-dot", "scp -r -t up", "D0755 0 .", "unexpected filename"));
        cases.add(sink("scp-directory-with-a-size", "scp -r -t up", "D0755 5 d", "Expected 0 length"));
        cases.add(sink("scp-mode-not-octal", "C9999 5 x.txt", "9999"));
        cases.add(sink("scp-unknown-line", "Xhello", "Unsupported command"));
        cases.add(sink("scp-timestamp-garbage", "T abc 0 def 0", "For input string"));
        cases.add(sink("scp-error-from-the-client", "\u0002client failed", "the client reported an error"));
        cases.add(new HostileCase("scp-recursion-1000-deep", "scp -r -t up, then D0755 0 d 1000 times",
                "error reply (2) at level " + (512 + 1), ctx -> {
                    ScpWire scp = sinkWire(ctx, "scp -r -t up");
                    int accepted = 0;
                    for (int i = 0; i < 1000; i++) {
                        scp.line("D0755 0 d");
                        ScpWire.Ack ack = scp.ack();
                        if (ack.isError()) {
                            assertTrue(ack.message().contains("nested more than"), ack.toString());
                            break;
                        }
                        assertEquals(0, ack.code());
                        accepted++;
                    }
                    assertEquals(512, accepted);
                }, refused("scp", "nested more than 512 deep")));
        cases.add(new HostileCase("scp-line-of-300-KiB", "C0644 5 then a name of 300 KiB with no newline",
                "error reply (2)", ctx -> {
                    ScpWire scp = sinkWire(ctx, "scp -t up");
                    byte[] line = ("C0644 5 " + "a".repeat(300 * 1024)).getBytes(StandardCharsets.US_ASCII);
                    try {
                        scp.raw(line);
                    } catch (IOException closed) {
                        // the server answered and went before the whole line was sent
                    }
                    assertError(scp.ack());
                }, refused("scp", "protocol line longer")));
        cases.add(new HostileCase("scp-source-ack-of-300-KiB", "scp -f h.txt, then a warning of 300 KiB with no newline",
                "error reply (2)", ctx -> {
                    ScpWire scp = ctx.keep(ScpWire.exec(ctx.session(), "scp -f h.txt"));
                    scp.raw(new byte[] {0}); // ready
                    ScpWire.Ack header = scp.ack();
                    assertEquals('C', header.code(), "the file's header");
                    scp.restOfLine();
                    try {
                        scp.raw(("\u0001" + "w".repeat(300 * 1024)).getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException closed) {
                        // the server answered and went before the whole line was sent
                    }
                    assertError(scp.ack());
                }, refused("scp", "protocol line longer")));
        cases.add(execRefusal("scp-unknown-option", "scp -z -t up", "unsupported scp option -z"));
        cases.add(execRefusal("scp-no-direction", "scp up", "exactly one of -t"));
        cases.add(execRefusal("scp-shell-operators", "scp -t up; rm -rf ~", ""));
        cases.add(new HostileCase("scp-source-missing-file", "scp -f nothere.txt", "error reply (1 or 2)", ctx -> {
            ScpWire scp = ctx.keep(ScpWire.exec(ctx.session(), "scp -f nothere.txt"));
            scp.raw(new byte[] {0});
            assertError(scp.ack());
        }, refused("scp", "no such file")));
        return cases;
    }

    /** A case of one line sent to {@code scp -t up}, answered with an error. */
    private static HostileCase sink(String name, String line, String reason) {
        return sink(name, "scp -t up", line, reason);
    }

    /** A case of one line sent to the sink {@code command}, answered with an error. */
    private static HostileCase sink(String name, String command, String line, String reason) {
        return new HostileCase(name, command + ", then: " + printable(line), "error reply (2)", ctx -> {
            ScpWire scp = sinkWire(ctx, command);
            scp.line(line);
            assertError(scp.ack());
        }, refused("scp", reason));
    }

    /** An scp sink started, its first "ready" read. */
    private static ScpWire sinkWire(Context ctx, String command) throws IOException {
        ScpWire scp = ctx.keep(ScpWire.exec(ctx.session(), command));
        assertEquals(0, scp.ack().code(), "ready");
        return scp;
    }

    private static void assertError(ScpWire.Ack ack) {
        assertTrue(ack.isError(), "an error reply, got " + ack);
        assertFalse(ack.message().isBlank(), "the error says why");
    }

    /** A command the server refuses to run: a sentence on stderr, exit status 1. */
    private static HostileCase execRefusal(String name, String command, String reason) {
        return new HostileCase(name, "exec: " + command, "stderr sentence, exit status 1", ctx -> {
            ScpWire scp = ctx.keep(ScpWire.exec(ctx.session(), command));
            assertEquals(1, scp.awaitExit());
            assertFalse(scp.stderr().isBlank());
        }, refused("scp", reason));
    }

    // ---------------------------------------------------------------- channel and global requests

    static List<HostileCase> requestCases() {
        List<HostileCase> cases = new ArrayList<>();
        cases.add(new HostileCase("shell", "a shell request", "stderr sentence, exit status 1", ctx -> {
            ChannelShell shell = ctx.keep(ctx.session().createShellChannel());
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            shell.setErr(err);
            shell.open().verify(10, TimeUnit.SECONDS);
            shell.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(10));
            assertEquals(1, shell.getExitStatus());
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("no shell"), err.toString(StandardCharsets.UTF_8));
        }, (e, ctx) -> e instanceof ServerEvent.ExecRefused r && r.remote().equals(ctx.remote())
                && r.command().equals("(shell)")));
        cases.add(exec("exec-a-command", "rm -rf /", "rm -rf /"));
        cases.add(exec("exec-with-a-forged-log-line", "true\\n<time> auth-ok user=root\\e[2J",
                "true\n2026-01-01T00:00:00Z auth-ok user=root\u001b[2J"));
        cases.add(new HostileCase("exec-of-200-KiB", "an exec request of 200 KiB", "stderr sentence, exit status 1",
                ctx -> {
                    ScpWire exec = ctx.keep(ScpWire.exec(ctx.session(), "x".repeat(200 * 1024)));
                    assertEquals(1, exec.awaitExit());
                }, (e, ctx) -> e instanceof ServerEvent.ExecRefused r && r.remote().equals(ctx.remote())
                        && r.command().startsWith("xxxx") && r.command().length() < RefusalLog.MAX_TEXT + 40));
        cases.add(new HostileCase("exec-checksum-with-an-option", "exec: sha256sum --check /etc/shadow",
                "stderr sentence, exit status 1", ctx -> {
                    ScpWire exec = ctx.keep(ScpWire.exec(ctx.session(), "sha256sum --check /etc/shadow"));
                    assertEquals(1, exec.awaitExit());
                }, refused("exec", "")));
        cases.add(channelRequest("pty-req", "a terminal (pty-req, xterm 80x24)", b -> {
            b.putString("xterm");
            b.putUInt(80);
            b.putUInt(24);
            b.putUInt(0);
            b.putUInt(0);
            b.putBytes(new byte[] {0});
        }, "no terminal"));
        cases.add(channelRequest("env", "env LD_PRELOAD=/tmp/evil.so", b -> {
            b.putString("LD_PRELOAD");
            b.putString("/tmp/evil.so");
        }, "environment variables"));
        cases.add(new HostileCase("env-1000-times", "1000 env requests of 30 KB each", "1000 failures; 20 lines logged, the rest counted",
                ctx -> {
                    RawChannel channel = ctx.keep(RawChannel.open(ctx.session()));
                    String value = "v".repeat(30_000);
                    for (int i = 0; i < 1000; i++) {
                        int n = i;
                        channel.send("env", b -> {
                            b.putString("VAR" + n);
                            b.putString(value);
                        });
                    }
                    for (int i = 0; i < 1000; i++) {
                        assertFalse(channel.answer());
                    }
                }, (e, ctx) -> e instanceof ServerEvent.RefusalsUnlogged u && u.remote().equals(ctx.remote())
                        && u.count() == 1000 - RefusalLog.LOGGED_PER_CONNECTION));
        cases.add(channelRequest("x11-req", "X11 forwarding (x11-req)", b -> {
            b.putBoolean(false);
            b.putString("MIT-MAGIC-COOKIE-1");
            b.putString("0123456789abcdef0123456789abcdef");
            b.putUInt(0);
        }, "X11"));
        cases.add(channelRequest("auth-agent-req@openssh.com", "agent forwarding", b -> {
        }, "agent forwarding"));
        cases.add(channelRequest("evil@example.com", "an unknown channel request", b -> b.putString("payload"),
                "unknown channel request"));
        cases.add(channelRequest("subsystem", "subsystem nope", b -> b.putString("nope"), "no such subsystem"));
        cases.add(new HostileCase("exec-on-a-channel-running-sftp", "subsystem sftp, then exec ls on the same channel",
                "failure", ctx -> {
                    RawChannel channel = ctx.keep(RawChannel.open(ctx.session()));
                    assertTrue(channel.request("subsystem", b -> b.putString("sftp")));
                    assertFalse(channel.request("exec", b -> b.putString("ls")));
                }, refused("ssh", "already runs")));
        cases.add(channelOpen("direct-tcpip"));
        cases.add(channelOpen("x11"));
        cases.add(channelOpen("auth-agent@openssh.com"));
        cases.add(channelOpen("forwarded-tcpip"));
        cases.add(global("tcpip-forward", b -> {
            b.putString("127.0.0.1");
            b.putUInt(0);
        }, "port forwarding"));
        cases.add(global("streamlocal-forward@openssh.com", b -> b.putString("/tmp/evil.sock"), "port forwarding"));
        cases.add(global("evil@example.com", b -> {
        }, "unknown global request"));
        cases.add(new HostileCase("50-channels-on-one-connection", "50 session channels opened at once",
                "10 open, 40 refused (administratively prohibited); 20 lines logged, the rest counted", ctx -> {
                    List<OpenFuture> opens = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        opens.add(RawChannel.openTyped(ctx.session(), "session"));
                    }
                    int opened = 0;
                    for (OpenFuture f : opens) {
                        f.await(10, TimeUnit.SECONDS);
                        opened += f.isOpened() ? 1 : 0;
                    }
                    assertEquals(LIMITS.maxSessionsPerConnection(), opened);
                    assertTrue(ctx.session().isOpen(), "the connection goes on");
                }, (e, ctx) -> e instanceof ServerEvent.RefusalsUnlogged u && u.remote().equals(ctx.remote())
                        && u.count() == 40 - RefusalLog.LOGGED_PER_CONNECTION));
        return cases;
    }

    private static HostileCase exec(String name, String shown, String command) {
        return new HostileCase(name, "exec: " + shown, "stderr sentence, exit status 1", ctx -> {
            ChannelExec exec = ctx.keep(ctx.session().createExecChannel(command));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            exec.setErr(err);
            exec.open().verify(10, TimeUnit.SECONDS);
            exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(10));
            assertEquals(1, exec.getExitStatus());
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("does not run commands"));
        }, (e, ctx) -> e instanceof ServerEvent.ExecRefused r && r.remote().equals(ctx.remote())
                && r.command().equals(command));
    }

    private static HostileCase channelRequest(String type, String sends, Consumer<Buffer> fields, String reason) {
        return new HostileCase("channel-request-" + type, sends, "SSH_MSG_CHANNEL_FAILURE", ctx -> {
            RawChannel channel = ctx.keep(RawChannel.open(ctx.session()));
            assertFalse(channel.request(type, fields));
            assertTrue(channel.isOpen(), "the channel goes on");
        }, refused("ssh", reason));
    }

    private static HostileCase channelOpen(String type) {
        return new HostileCase("channel-open-" + type, "a channel of type " + type,
                "SSH_MSG_CHANNEL_OPEN_FAILURE (unknown channel type)", ctx -> {
                    OpenFuture open = RawChannel.openTyped(ctx.session(), type);
                    open.await(10, TimeUnit.SECONDS);
                    assertFalse(open.isOpened());
                    assertNotNull(open.getException());
                    assertTrue(ctx.session().isOpen(), "the connection goes on");
                }, refusedRequest("ssh", "channel-open " + type));
    }

    private static HostileCase global(String request, Consumer<Buffer> fields, String reason) {
        return new HostileCase("global-" + request, "global request " + request, "SSH_MSG_REQUEST_FAILURE", ctx -> {
            assertFalse(RawChannel.global(ctx.session(), request, fields));
            assertTrue(ctx.session().isOpen(), "the connection goes on");
        }, refused("ssh", reason));
    }

    // ---------------------------------------------------------------- before authentication

    static List<HostileCase> preAuthCases() {
        List<HostileCase> cases = new ArrayList<>();
        cases.add(new HostileCase("pre-auth-silent-client", "a connection that reads the banner and sends nothing",
                "closed at the 10 s login limit", ctx -> {
                    PreAuth p = ctx.preAuth();
                    assertTrue(p.banner().startsWith("SSH-2.0-"));
                    assertTrue(p.awaitClose(25) < 20);
                }, closed("")));
        cases.add(new HostileCase("pre-auth-dribbling-banner", "its banner a byte every 400 ms",
                "closed at the 10 s login limit", ctx -> {
                    PreAuth p = ctx.preAuth();
                    p.banner();
                    Thread dribble = new Thread(() -> {
                        try {
                            for (byte b : "SSH-2.0-slowloris-and-more-and-more".getBytes(StandardCharsets.US_ASCII)) {
                                p.send(new byte[] {b});
                                Thread.sleep(400);
                            }
                        } catch (IOException | InterruptedException stopped) {
                            // the server closed the connection
                        }
                    });
                    dribble.setDaemon(true);
                    dribble.start();
                    assertTrue(p.awaitClose(25) < 20);
                }, closed("")));
        cases.add(preAuth("pre-auth-http-request", "GET / HTTP/1.1 in place of a banner",
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "unsupported protocol version"));
        cases.add(preAuth("pre-auth-banner-of-300-KiB", "a banner line of 300 KiB with no newline",
                ("SSH-2.0-" + "x".repeat(300 * 1024)).getBytes(StandardCharsets.US_ASCII), ""));
        cases.add(preAuth("pre-auth-ssh-1", "SSH-1.5 banner", "SSH-1.5-evil\r\n".getBytes(StandardCharsets.US_ASCII),
                "unsupported protocol version"));
        cases.add(lyingPacket("pre-auth-packet-length-2-GiB", new byte[] {0x7f, -1, -1, -1}, "2^31-1",
                "Invalid packet length: 2147483647"));
        cases.add(lyingPacket("pre-auth-packet-length-zero", new byte[] {0, 0, 0, 0}, "0", "Invalid packet length: 0"));
        cases.add(preAuth("pre-auth-kexinit-of-garbage", "a banner, then a KEXINIT packet of random bytes",
                concat("SSH-2.0-evil\r\n".getBytes(StandardCharsets.US_ASCII), packet(20, random(200))), ""));
        cases.add(new HostileCase("pre-auth-userauth-before-kex", "a banner, then USERAUTH_REQUEST in clear, then nothing",
                "closed at the 10 s login limit", ctx -> {
                    PreAuth p = ctx.preAuth();
                    p.send(concat("SSH-2.0-evil\r\n".getBytes(StandardCharsets.US_ASCII), packet(50, random(40))));
                    assertTrue(p.awaitClose(25) < 20);
                }, closed("AuthTimeout")));
        return cases;
    }

    /** A case of bytes sent on a raw connection, which the server must close, saying why. */
    private static HostileCase preAuth(String name, String sends, byte[] bytes, String reason) {
        return new HostileCase(name, sends, "connection closed", ctx -> {
            PreAuth p = ctx.preAuth();
            try {
                p.send(bytes);
            } catch (IOException closed) {
                // closed before all of it went
            }
            assertTrue(p.awaitClose(15) < 10);
        }, closed(reason));
    }

    /**
     * A packet length that lies, then junk a KiB at a time: as OpenSSH, MINA reads on for a while
     * after a bad length before it disconnects, so that a client cannot tell the length check
     * failed (CVE-2008-5161); it must then close the connection, with the reason in its log.
     */
    private static HostileCase lyingPacket(String name, byte[] length, String shown, String reason) {
        return new HostileCase(name, "a banner, then a packet length of " + shown + " and junk, a KiB at a time",
                "connection closed", ctx -> {
                    PreAuth p = ctx.preAuth();
                    p.send(concat("SSH-2.0-evil\r\n".getBytes(StandardCharsets.US_ASCII), length));
                    Thread junk = new Thread(() -> {
                        try {
                            for (int i = 0; i < 1000; i++) {
                                p.send(new byte[1024]);
                                Thread.sleep(10);
                            }
                        } catch (IOException | InterruptedException closed) {
                            // the server closed the connection
                        }
                    });
                    junk.setDaemon(true);
                    junk.start();
                    assertTrue(p.awaitClose(15) < 5);
                }, closed(reason));
    }

    /** An unencrypted SSH packet of {@code type} and {@code payload}, padded as the protocol wants. */
    private static byte[] packet(int type, byte[] payload) {
        int padding = 8 - (5 + 1 + payload.length) % 8;
        if (padding < 4) {
            padding += 8;
        }
        int length = 1 + 1 + payload.length + padding;
        return ByteBuffer.allocate(4 + length).putInt(length).put((byte) padding).put((byte) type)
                .put(payload).put(new byte[padding]).array();
    }

    // ---------------------------------------------------------------- what the server logged

    /** A RequestRefused of the case's connection for {@code protocol} whose reason contains {@code reason}. */
    private static Logged refused(String protocol, String reason) {
        return (e, ctx) -> e instanceof ServerEvent.RequestRefused r && r.remote().equals(ctx.remote())
                && r.protocol().equals(protocol) && r.reason().contains(reason);
    }

    /** A RequestRefused of the case's connection for {@code protocol} whose request contains {@code request}. */
    private static Logged refusedRequest(String protocol, String request) {
        return (e, ctx) -> e instanceof ServerEvent.RequestRefused r && r.remote().equals(ctx.remote())
                && r.protocol().equals(protocol) && r.request().contains(request);
    }

    /** The case's connection closed, with a reason containing {@code reason}. */
    private static Logged closed(String reason) {
        return (e, ctx) -> e instanceof ServerEvent.ConnectionClosed c && c.remote().equals(ctx.remote())
                && !c.reason().isEmpty() && c.reason().contains(reason);
    }

    /** Waits until an event after the first {@code from} matches {@code until}; returns those events. */
    private static List<ServerEvent> awaitEvents(int from, Predicate<ServerEvent> until, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            List<ServerEvent> all = ferryd.events();
            List<ServerEvent> since = all.subList(Math.min(from, all.size()), all.size());
            if (since.stream().anyMatch(until)) {
                return since;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 15 s among\n"
                        + String.join("\n", since.stream().map(String::valueOf).toList()));
            }
            Thread.sleep(20);
        }
    }

    /** {@code event} as ferryd's text log writes it. */
    private static String formatted(ServerEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogFormat.TEXT.sink(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.systemUTC()).accept(event);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, "one line: " + text);
        return text.substring(0, text.length() - 1);
    }

    // ---------------------------------------------------------------- the server still serves, within bounds

    /** {@link #GOOD} logs in and round-trips a file of random bytes over SFTP; contents checked on both ends. */
    private static void serveAnotherUser() throws IOException {
        byte[] data = random(64 * 1024 + served.get());
        String name = "served-" + served.incrementAndGet() + ".bin";
        try (ClientSession session = ferryd.login(client, GOOD);
                SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
            try (OutputStream out = sftp.write(name)) {
                out.write(data);
            }
            try (InputStream in = sftp.read(name)) {
                assertArrayEquals(data, in.readAllBytes(), "read back over SFTP");
            }
            sftp.remove(name);
        }
        assertFalse(Files.exists(ferryd.rootOf(GOOD).resolve(name)));
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The file descriptors this JVM (the server's and the tests' both) has open. */
    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Waits until at most {@code bound} descriptors are open; returns the count. */
    private static long awaitFds(long bound) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long fds = openFds();
        while (fds > bound) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(fds + " descriptors open, more than " + bound);
            }
            Thread.sleep(50);
            fds = openFds();
        }
        return fds;
    }

    // ---------------------------------------------------------------- bytes

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    private static String printable(String s) {
        return s.replace("\0", "\\0").replace("\u0002", "\\x02");
    }
}
