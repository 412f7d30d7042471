package dev.ferry.server.hook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One event as the hook is told it: a JSON object on its standard input, and the same facts in
 * {@code FERRY_*} environment variables for a hook that is a one-line script.
 *
 * @param path    the file as the user sees it, inside their root (for a rename, where it is now)
 * @param bytes   what moved, for an upload or download; -1 for a delete or rename (left out)
 * @param seconds how long the transfer took; -1 for a delete or rename (left out)
 * @param from    the old name of a rename, else null (left out)
 */
record FileEvent(Hook.Event event, Instant time, String user, String remote, String protocol, String path,
        long bytes, double seconds, String from) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A transfer; {@code path} made absolute (the delta subsystem reports a path as the client
     * named it, relative to the user's root) and {@code seconds} rounded to milliseconds, as logged.
     */
    static FileEvent transfer(Hook.Event event, Instant time, String user, String remote, String protocol,
            String path, long bytes, double seconds) {
        return new FileEvent(event, time, user, remote, protocol, path.startsWith("/") ? path : "/" + path, bytes,
                Math.round(seconds * 1000) / 1000.0, null);
    }

    static FileEvent change(Hook.Event event, Instant time, String user, String remote, String path, String from) {
        return new FileEvent(event, time, user, remote, "sftp", path, -1, -1, from);
    }

    /** The fields in the order of the JSON: event, time, user, remote, protocol, path, then the rest. */
    Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", event.label());
        fields.put("time", time.truncatedTo(ChronoUnit.MILLIS).toString());
        fields.put("user", user);
        fields.put("remote", remote);
        fields.put("protocol", protocol);
        fields.put("path", path);
        if (bytes >= 0) {
            fields.put("bytes", bytes);
            fields.put("seconds", seconds);
        }
        if (from != null) {
            fields.put("from", from);
            fields.put("to", path);
        }
        return fields;
    }

    /** One line of JSON, ending in a newline (so that a shell's {@code read} takes it whole). */
    byte[] json() {
        try {
            return (JSON.writeValueAsString(fields()) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a hook event as JSON", e);
        }
    }

    /** {@code FERRY_EVENT}, {@code FERRY_USER}, {@code FERRY_PATH}... : each field, upper-cased. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        fields().forEach((name, value) -> env.put("FERRY_" + name.toUpperCase(Locale.ROOT), String.valueOf(value)));
        return env;
    }
}
