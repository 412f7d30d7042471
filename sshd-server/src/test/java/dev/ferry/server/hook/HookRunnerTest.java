package dev.ferry.server.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.log.ServerEvent;

/** The hook run as a real process: what it is told, and what is logged when it fails. */
class HookRunnerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private final List<ServerEvent> log = new CopyOnWriteArrayList<>();

    private static ServerEvent.Transfer upload(String path, String error) {
        return new ServerEvent.Transfer("alice", "127.0.0.1:40000", "sftp", "upload", path, 1234, 0.5, error);
    }

    /** A hook that appends its input to {@code out} and its FERRY_EVENT and FERRY_PATH to {@code out.env}. */
    private Hook recorder(Path out, Hook.Event... events) {
        return new Hook(List.of("sh", "-c", "cat >> '" + out + "'; echo \"$FERRY_EVENT $FERRY_PATH\" >> '" + out
                + ".env'"), events.length == 0 ? EnumSet.of(Hook.Event.UPLOAD) : EnumSet.of(events[0], events),
                Duration.ofSeconds(10));
    }

    @Test
    void anUploadIsToldAsOneJsonObjectOnStandardInputAndInTheEnvironment() throws Exception {
        Path out = dir.resolve("events");
        try (HookRunner runner = new HookRunner(recorder(out), log::add, CLOCK)) {
            runner.accept(upload("/docs/a b.txt", ""));
        }
        JsonNode json = JSON.readTree(Files.readString(out));
        assertEquals(Map.of("event", "upload", "time", "2026-01-02T03:04:05.678Z", "user", "alice", "remote",
                "127.0.0.1:40000", "protocol", "sftp", "path", "/docs/a b.txt", "bytes", 1234, "seconds", 0.5),
                JSON.convertValue(json, Map.class));
        assertEquals("upload /docs/a b.txt\n", Files.readString(Path.of(out + ".env")));
        assertEquals(List.of(), log);
    }

    @Test
    void failedTransfersDownloadsAndOtherEventsAreNotToldToAnUploadHook() throws Exception {
        Path out = dir.resolve("events");
        try (HookRunner runner = new HookRunner(recorder(out), log::add, CLOCK)) {
            runner.accept(upload("/broken", "the channel ended before the client closed the file"));
            runner.accept(new ServerEvent.Transfer("alice", "r", "scp", "download", "/d", 1, 0.1, ""));
            runner.accept(new ServerEvent.Banned("10.0.0.1", 10, 60));
            runner.changed(Hook.Event.DELETE, "alice", "r", "/gone", null);
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void anUploadIntoAClientsTemporaryNameIsToldWhenItIsRenamedIntoPlace() throws Exception {
        Path out = dir.resolve("events");
        try (HookRunner runner = new HookRunner(recorder(out, Hook.Event.UPLOAD, Hook.Event.RENAME), log::add,
                CLOCK)) {
            runner.accept(upload("/dir/.f.txt.ferry-part", ""));
            runner.renamedIntoPlace("alice", "127.0.0.1:40000", "/dir/.f.txt.ferry-part", "/dir/f.txt", 1234);
            runner.changed(Hook.Event.RENAME, "alice", "127.0.0.1:40000", "/dir/g.txt", "/dir/f.txt");
        }
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size(), lines.toString());
        Map<String, JsonNode> byEvent = new java.util.HashMap<>(); // hooks run side by side, in any order
        for (String line : lines) {
            JsonNode e = JSON.readTree(line);
            byEvent.put(e.get("event").asText(), e);
        }
        JsonNode upload = byEvent.get("upload");
        assertEquals("/dir/f.txt", upload.get("path").asText());
        assertEquals(1234, upload.get("bytes").asLong());
        assertEquals(0.5, upload.get("seconds").asDouble());
        JsonNode rename = byEvent.get("rename");
        assertEquals(Map.of("event", "rename", "time", "2026-01-02T03:04:05.678Z", "user", "alice", "remote",
                "127.0.0.1:40000", "protocol", "sftp", "path", "/dir/g.txt", "from", "/dir/f.txt", "to",
                "/dir/g.txt"), JSON.convertValue(rename, Map.class));
    }

    @Test
    void aNonZeroExitIsLoggedWithWhatTheCommandPrinted() {
        Hook hook = Hook.onUpload(List.of("sh", "-c", "echo 'no space on backup'; exit 3"));
        try (HookRunner runner = new HookRunner(hook, log::add, CLOCK)) {
            runner.accept(upload("/a", ""));
        }
        assertEquals(List.of(new ServerEvent.HookFailed("sh -c echo 'no space on backup'; exit 3", "upload", "/a",
                "exited with status 3: no space on backup")), log);
    }

    @Test
    void aHookPastItsTimeoutIsKilledWithWhatItStarted() throws Exception {
        Path pid = dir.resolve("pid");
        // the shell starts a sleep and waits for it: the sleep is the descendant that must die too
        Hook hook = new Hook(List.of("sh", "-c", "sleep 60 & echo $! > '" + pid + "'; wait"),
                EnumSet.of(Hook.Event.UPLOAD), Duration.ofMillis(1500));
        try (HookRunner runner = new HookRunner(hook, log::add, CLOCK)) {
            runner.accept(upload("/slow", ""));
        }
        assertEquals(1, log.size(), log.toString());
        ServerEvent.HookFailed failed = (ServerEvent.HookFailed) log.get(0);
        assertEquals("ran past its timeout of 1 s and was killed", failed.reason());
        long sleeper = Long.parseLong(Files.readString(pid).trim());
        assertTrue(diesWithin(sleeper, Duration.ofSeconds(10)), "the sleep still runs");
    }

    /**
     * Whether process {@code pid} is gone (or a zombie: killed, not yet reaped by whoever inherited
     * it, which in a container may be slow) within {@code limit}: a kill is delivered asynchronously.
     */
    static boolean diesWithin(long pid, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        do {
            Path stat = Path.of("/proc", String.valueOf(pid), "stat");
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    || Files.exists(stat) && zombie(stat)) {
                return true;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < end);
        return false;
    }

    private static boolean zombie(Path stat) {
        try {
            String text = Files.readString(stat);
            return text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true; // gone in the meantime
        }
    }

    @Test
    void aCommandThatCannotStartIsLogged() {
        Hook hook = Hook.onUpload(List.of(dir.resolve("no-such-program").toString()));
        try (HookRunner runner = new HookRunner(hook, log::add, CLOCK)) {
            runner.accept(upload("/a", ""));
        }
        assertEquals(1, log.size(), log.toString());
        assertTrue(((ServerEvent.HookFailed) log.get(0)).reason().startsWith("cannot start: "), log.toString());
    }

    @Test
    void eventsAreParsedFromAListAndUploadIsTheDefault() {
        assertEquals(EnumSet.of(Hook.Event.UPLOAD, Hook.Event.DELETE), Hook.parseEvents("upload, delete"));
        assertEquals(EnumSet.of(Hook.Event.UPLOAD), new Hook(List.of("x"), Hook.parseEvents(""),
                Hook.DEFAULT_TIMEOUT).events());
        assertThrows(IllegalArgumentException.class, () -> Hook.parseEvents("upload,chmod"));
        assertThrows(IllegalArgumentException.class, () -> Hook.onUpload(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Hook.onUpload(List.of("x")).withTimeout(Duration.ZERO));
    }
}
