package dev.ferry.client.kex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The key exchange each server chose last time, so that the next connection to it knows ahead
 * whether to make an sntrup761 key pair while it starts (see {@link Sntrup761Ahead}): made for a
 * server that then chooses ML-KEM, the pair costs a core for 0.2-0.5 s at the worst moment.
 *
 * <p>A hint, not a trust decision: it changes when the work is done, never what is offered or
 * accepted, so a wrong or missing entry costs time only, and a file that cannot be read or written is
 * ignored. One line per server, {@code host:port name}, in {@code $XDG_CACHE_HOME/ferry/key-exchanges}
 * (default {@code ~/.cache}).
 */
public final class KexChoices {

    private static final int MAX_ENTRIES = 1000;

    private final Path file;
    private Map<String, String> known; // read once: every connection of a run asks, and records

    public KexChoices(Path file) {
        this.file = file;
    }

    /** The file in the user's cache directory. */
    public static KexChoices inUserCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return new KexChoices(cache.resolve("ferry").resolve("key-exchanges"));
    }

    /** The key exchange {@code host:port} chose last time, if known. */
    public Optional<String> last(String host, int port) {
        return Optional.ofNullable(read().get(key(host, port)));
    }

    /** Records the choice; writes only when it changed, atomically, and never fails the caller. */
    public synchronized void record(String host, int port, String kex) {
        if (kex == null || kex.isBlank() || kex.contains(" ")) {
            return;
        }
        Map<String, String> all = read();
        if (kex.equals(all.get(key(host, port)))) {
            return;
        }
        all.remove(key(host, port));
        all.put(key(host, port), kex); // newest last; the oldest go first when the file is full
        while (all.size() > MAX_ENTRIES) {
            all.remove(all.keySet().iterator().next());
        }
        StringBuilder text = new StringBuilder();
        all.forEach((k, v) -> text.append(k).append(' ').append(v).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), ".key-exchanges", ".tmp");
            try {
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException | RuntimeException e) {
            // a hint only: the next connection makes its key pair when the server asks for it
        }
    }

    private synchronized Map<String, String> read() {
        if (known == null) {
            known = load();
        }
        return known;
    }

    private Map<String, String> load() {
        Map<String, String> all = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    all.put(line.substring(0, space), line.substring(space + 1).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // none yet, or unreadable: no hint
        }
        return all;
    }

    private static String key(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
