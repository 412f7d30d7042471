package dev.ferry.client.cli;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON objects {@code --json} prints, one per line. The mapper is made on first use: building
 * one loads about 370 of Jackson's classes (0.1-0.2 s on a cold JVM), which a run without --json
 * paid when it sat in a command's static field.
 */
final class Json {

    private Json() {
    }

    private static final class Mapper {
        static final ObjectMapper INSTANCE = new ObjectMapper();
    }

    /** {@code fields} as one line of JSON, in their map's order. */
    static String line(Map<String, Object> fields) {
        try {
            return Mapper.INSTANCE.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // maps of strings, numbers and booleans always write
        }
    }
}
