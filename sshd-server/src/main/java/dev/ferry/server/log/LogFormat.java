package dev.ferry.server.log;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The two ways events are written: {@code text} for people, {@code json} (one object per line) for machines. */
public enum LogFormat {
    TEXT, JSON;

    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> FIELDS = new TypeReference<>() {
    };

    /** A sink that writes each event as one line to {@code out}. */
    public EventSink sink(PrintStream out, Clock clock) {
        return event -> {
            String line = format(event, Instant.now(clock).truncatedTo(ChronoUnit.MILLIS));
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        };
    }

    String format(ServerEvent event, Instant time) {
        Map<String, Object> fields = JSON_MAPPER.convertValue(event, FIELDS);
        if (this == JSON) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", time.toString());
            line.put("event", event.kind());
            line.putAll(fields);
            try {
                return JSON_MAPPER.writeValueAsString(line);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a log line as JSON", e);
            }
        }
        StringBuilder sb = new StringBuilder().append(time).append(' ').append(event.kind());
        fields.forEach((name, value) -> {
            String text = String.valueOf(value);
            if (text.isEmpty()) {
                return;
            }
            sb.append(' ').append(name).append('=').append(quoteIfNeeded(text));
        });
        return sb.toString();
    }

    /** Values with spaces, quotes or control characters are quoted, so a line always splits cleanly. */
    private static String quoteIfNeeded(String text) {
        boolean plain = true;
        for (int i = 0; i < text.length() && plain; i++) {
            char c = text.charAt(i);
            plain = c > ' ' && c != '"' && c != '\\' && c != 0x7f;
        }
        if (plain) {
            return text;
        }
        try {
            return JSON_MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The format named on the command line ({@code text} or {@code json}). */
    public static LogFormat parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("unknown log format '" + name + "' (use text or json)");
        };
    }
}
