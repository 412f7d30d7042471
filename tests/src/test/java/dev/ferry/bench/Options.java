package dev.ferry.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A benchmark's command line: {@code --key=value} options (a bare {@code --flag} is "true"), the
 * repository it runs in, and the options as the report should show them (without {@code --repo}).
 */
record Options(Map<String, String> values, String shown) {

    static Options parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            values.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        return new Options(values,
                String.join(" ", Arrays.stream(args).filter(a -> !a.startsWith("--repo=")).toList()));
    }

    String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    Path repo() {
        return Path.of(get("repo", ".")).toAbsolutePath().normalize();
    }
}
