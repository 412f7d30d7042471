package dev.ferry.server.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LogFormatTest {

    private static final Instant TIME = Instant.parse("2025-01-02T03:04:05.678Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final ServerEvent TRANSFER = new ServerEvent.Transfer("alice", "10.0.0.1:5000", "sftp", "upload",
            "/a b\n\"c\".txt", 1234, 1.5, "");

    @Test
    void jsonLinesParseBackWithTimeEventAndEveryComponent() throws Exception {
        String line = LogFormat.JSON.format(TRANSFER, TIME);
        assertFalse(line.contains("\n"), line);
        JsonNode node = JSON.readTree(line);
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("time", "event"), names.subList(0, 2));
        assertEquals(Set.of("time", "event", "user", "remote", "protocol", "direction", "path", "bytes", "seconds",
                "error"), Set.copyOf(names));
        assertEquals("2025-01-02T03:04:05.678Z", node.get("time").asText());
        assertEquals("transfer", node.get("event").asText());
        assertEquals("/a b\n\"c\".txt", node.get("path").asText());
        assertEquals(1234, node.get("bytes").asLong());
        assertEquals(1.5, node.get("seconds").asDouble());
        assertEquals("", node.get("error").asText());
    }

    @Test
    void textLinesQuoteValuesWithSpaces() {
        String line = LogFormat.TEXT.format(new ServerEvent.ConnectionRefused("10.0.0.1:5000",
                "banned after repeated failures"), TIME);
        assertEquals("2025-01-02T03:04:05.678Z connection-refused remote=10.0.0.1:5000"
                + " reason=\"banned after repeated failures\"", line);
    }

    /** What a client sends ends up in the line escaped: it cannot start a line of its own, nor reach a terminal. */
    @Test
    void aRefusedRequestIsOneLineWhateverTheClientSent() {
        String line = LogFormat.TEXT.format(new ServerEvent.RequestRefused("alice", "10.0.0.1:5000", "sftp",
                "SSH_FXP_EXTENDED \u001b]0;x\u0007\n2025-01-02T03:04:05.678Z auth-ok user=root", "unknown extension"), TIME);
        assertEquals("2025-01-02T03:04:05.678Z request-refused user=alice remote=10.0.0.1:5000 protocol=sftp"
                + " request=\"SSH_FXP_EXTENDED \\u001B]0;x\\u0007\\n2025-01-02T03:04:05.678Z auth-ok user=root\""
                + " reason=\"unknown extension\"", line);
    }

    @Test
    void textLinesEscapeQuotesAndNewlinesAndLeaveOutEmptyValues() {
        String line = LogFormat.TEXT.format(TRANSFER, TIME);
        assertEquals("2025-01-02T03:04:05.678Z transfer user=alice remote=10.0.0.1:5000 protocol=sftp"
                + " direction=upload path=\"/a b\\n\\\"c\\\".txt\" bytes=1234 seconds=1.5", line);
    }

    @Test
    void aSinkWritesOneLinePerEventStampedByItsClock() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EventSink sink = LogFormat.JSON.sink(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                Clock.fixed(TIME, ZoneOffset.UTC));
        sink.accept(new ServerEvent.Banned("203.0.113.5", 10, 900));
        sink.accept(new ServerEvent.ExecRefused("bob", "10.0.0.2:1", "rm -rf /"));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertEquals("banned", JSON.readTree(lines[0]).get("event").asText());
        assertEquals(900, JSON.readTree(lines[0]).get("banSeconds").asLong());
        assertEquals("2025-01-02T03:04:05.678Z", JSON.readTree(lines[1]).get("time").asText());
        assertEquals("rm -rf /", JSON.readTree(lines[1]).get("command").asText());
    }

    @Test
    void formatNamesAreParsedCaseInsensitively() {
        assertEquals(LogFormat.JSON, LogFormat.parse("json"));
        assertEquals(LogFormat.TEXT, LogFormat.parse("text"));
        assertEquals(LogFormat.TEXT, LogFormat.parse("TEXT"));
        assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("xml"));
    }
}
