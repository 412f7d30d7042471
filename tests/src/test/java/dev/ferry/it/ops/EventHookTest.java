package dev.ferry.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;
import dev.ferry.server.hook.Hook;
import dev.ferry.server.log.ServerEvent;

/**
 * ferryd with an event hook, a shell script that appends each event's JSON to a file; with
 * {@code slow} in the path it sleeps past the hook's timeout, with {@code fail} it exits 3.
 */
class EventHookTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(6);
    private static final Path HOOK_DIR;
    private static final Path EVENTS;

    static {
        try {
            HOOK_DIR = Files.createTempDirectory("ferry-hook-");
            EVENTS = HOOK_DIR.resolve("events.jsonl");
            Path script = HOOK_DIR.resolve("hook.sh");
            Files.writeString(script, """
                    #!/bin/sh
                    case "$FERRY_PATH" in
                      *slow*) sleep 60 & echo $! > "$1.sleep-pid"; wait; exit 0 ;;
                      *fail*) echo "no room for $FERRY_PATH" >&2; exit 3 ;;
                    esac
                    cat >> "$1"
                    """);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture().configure(server -> server.hook(
            new Hook(List.of(HOOK_DIR.resolve("hook.sh").toString(), EVENTS.toString()),
                    EnumSet.allOf(Hook.Event.class), TIMEOUT)));

    private final OpenSsh ssh = new OpenSsh(ferryd);

    @AfterAll
    static void removeTheHooksFiles() throws IOException {
        try (var files = Files.list(HOOK_DIR)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(HOOK_DIR);
    }

    /** The events the hook has recorded so far that match {@code which}, waiting up to 20 s for one. */
    private static List<JsonNode> recorded(Predicate<JsonNode> which) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<JsonNode> found = new ArrayList<>();
        while (found.isEmpty() && System.nanoTime() < end) {
            if (Files.exists(EVENTS)) {
                for (String line : Files.readAllLines(EVENTS)) {
                    JsonNode event = JSON.readTree(line);
                    if (which.test(event)) {
                        found.add(event);
                    }
                }
            }
            if (found.isEmpty()) {
                Thread.sleep(50);
            }
        }
        return found;
    }

    private static Predicate<JsonNode> at(String event, String path) {
        return e -> e.get("event").asText().equals(event) && e.get("path").asText().equals(path);
    }

    private static ServerEvent.HookFailed hookFailure(String path) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            for (ServerEvent.HookFailed f : ferryd.events(ServerEvent.HookFailed.class)) {
                if (f.path().equals(path)) {
                    return f;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no hook-failed for " + path + " in " + ferryd.events());
    }

    private Proc.Result ferryCp(Path cwd, String... rest) {
        List<String> args = new ArrayList<>(List.of("cp"));
        args.addAll(ferryd.ferryOptions());
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    /** Uploads {@code size} random bytes as {@code name} with OpenSSH's sftp, as alice. */
    private void put(String name, int size) throws IOException {
        Peers.require("sftp");
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve(name), TestData.random(size, name.hashCode()));
        Proc.Result put = ssh.sftp("alice", local, "put " + name);
        assertEquals(0, put.exit(), put.all());
    }

    @Test
    void anSftpUploadRunsTheHookWithTheEventAsJsonOnItsInput() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        put("report.bin", 54_321);

        List<JsonNode> events = recorded(at("upload", "/report.bin"));
        assertEquals(1, events.size(), events.toString());
        JsonNode e = events.get(0);
        assertEquals("alice", e.get("user").asText());
        assertEquals("sftp", e.get("protocol").asText());
        assertEquals(54_321, e.get("bytes").asLong());
        assertTrue(e.get("remote").asText().startsWith("127.0.0.1:"), e.toString());
        assertTrue(e.get("seconds").asDouble() >= 0, e.toString());
        Instant time = Instant.parse(e.get("time").asText());
        assertTrue(!time.isBefore(before) && !time.isAfter(Instant.now()), e.toString());
    }

    @Test
    void ferryCpOverSftpIsToldOnceAsTheUploadOfItsTargetNotOfItsPartialFile() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("cp.bin"), TestData.random(70_000, 2));
        Proc.Result cp = ferryCp(local, "cp.bin", "alice@127.0.0.1:cp-target.bin");
        assertEquals(0, cp.exit(), cp.all());

        List<JsonNode> uploads = recorded(at("upload", "/cp-target.bin"));
        assertEquals(1, uploads.size(), uploads.toString());
        assertEquals(70_000, uploads.get(0).get("bytes").asLong());
        assertEquals("sftp", uploads.get(0).get("protocol").asText());
        // nothing about the partial file: neither its upload nor its rename (told before the target's upload)
        for (String line : Files.readAllLines(EVENTS)) {
            assertTrue(!line.contains(".ferry-part"), line);
        }
    }

    @Test
    void ferryCpOverScpAndFerrySyncAreToldWithTheirProtocol() throws Exception {
        Path local = ferryd.newLocalDir();
        Files.write(local.resolve("legacy.bin"), TestData.random(12_345, 3));
        Files.write(local.resolve("synced.bin"), TestData.random(23_456, 4));
        Proc.Result cp = ferryCp(local, "-O", "legacy.bin", "alice@127.0.0.1:legacy.bin");
        assertEquals(0, cp.exit(), cp.all());
        List<String> sync = new ArrayList<>(List.of("sync"));
        sync.addAll(ferryd.ferryOptions());
        sync.addAll(List.of("synced.bin", "alice@127.0.0.1:synced.bin"));
        Proc.Result synced = FerryCli.run(local, sync.toArray(String[]::new));
        assertEquals(0, synced.exit(), synced.all());

        List<JsonNode> scp = recorded(at("upload", "/legacy.bin"));
        assertEquals(1, scp.size(), scp.toString());
        assertEquals("scp", scp.get(0).get("protocol").asText());
        assertEquals("upload", scp.get(0).get("event").asText());
        assertEquals(12_345, scp.get(0).get("bytes").asLong());
        List<JsonNode> delta = recorded(at("upload", "/synced.bin"));
        assertEquals(1, delta.size(), delta.toString());
        assertEquals("delta", delta.get(0).get("protocol").asText());
        assertEquals(23_456, delta.get(0).get("bytes").asLong());
    }

    @Test
    void aDownloadADeleteAndARenameAreToldWhenTheHookAsksForThem() throws Exception {
        Peers.require("sftp");
        Files.write(ferryd.rootOf("alice").resolve("keep.bin"), TestData.random(4_000, 5));
        Files.write(ferryd.rootOf("alice").resolve("old-name.bin"), TestData.random(10, 6));
        Path local = ferryd.newLocalDir();
        Proc.Result r = ssh.sftp("alice", local, "get keep.bin", "rm keep.bin", "rename old-name.bin new-name.bin");
        assertEquals(0, r.exit(), r.all());

        List<JsonNode> download = recorded(at("download", "/keep.bin"));
        assertEquals(1, download.size(), download.toString());
        assertEquals(4_000, download.get(0).get("bytes").asLong());
        assertEquals(1, recorded(at("delete", "/keep.bin")).size());
        List<JsonNode> rename = recorded(at("rename", "/new-name.bin"));
        assertEquals(1, rename.size(), rename.toString());
        assertEquals("/old-name.bin", rename.get(0).get("from").asText());
        assertEquals("/new-name.bin", rename.get(0).get("to").asText());
    }

    @Test
    void aHookPastItsTimeoutIsKilledAndLoggedAndTheUploadDidNotWaitForIt() throws Exception {
        put("slow.bin", 1_000);
        // The client is done while the hook still sleeps: its reply waited for no hook.
        assertEquals(List.of(), ferryd.events(ServerEvent.HookFailed.class).stream()
                .filter(f -> f.path().equals("/slow.bin")).toList());

        ServerEvent.HookFailed failed = hookFailure("/slow.bin");
        assertEquals("upload", failed.event());
        assertEquals("ran past its timeout of " + TIMEOUT.toSeconds() + " s and was killed", failed.reason());
        long sleeper = Long.parseLong(Files.readString(Path.of(EVENTS + ".sleep-pid")).trim());
        assertTrue(diesWithin(sleeper, Duration.ofSeconds(10)), "the hook's sleep was left running");
    }

    @Test
    void aHookThatExitsWithThreeIsLoggedWithWhatItSaid() throws Exception {
        put("fail.bin", 100);

        ServerEvent.HookFailed failed = hookFailure("/fail.bin");
        assertEquals("exited with status 3: no room for /fail.bin", failed.reason());
        assertTrue(failed.command().endsWith("hook.sh " + EVENTS), failed.command());
    }

    /**
     * Whether process {@code pid} is gone within {@code limit} (a kill is delivered asynchronously);
     * a zombie, killed but not yet reaped by whoever inherited it (slow in some containers), counts as gone.
     */
    private static boolean diesWithin(long pid, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        do {
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return true;
            }
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                    return true;
                }
            } catch (IOException e) {
                return true; // gone in the meantime
            }
            Thread.sleep(50);
        } while (System.nanoTime() < end);
        return false;
    }
}
