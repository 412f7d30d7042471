package dev.ferry.client.control;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.HostSettings;
import dev.ferry.config.TimeFormat;

/**
 * {@code ControlMaster}, {@code ControlPath} and {@code ControlPersist}, from {@code -o} or
 * ssh_config, with ssh's meanings: with a path, a run uses a master it finds there; {@code auto}
 * (or {@code yes}) also starts one when there is none; {@code ControlPersist} is how long the
 * master waits for the next run once the last has ended.
 *
 * @param socket      where Ferry's master listens: the expanded ControlPath with {@link #SUFFIX}
 *                    appended; empty when the path is unset or {@code none}
 * @param idleTimeout {@link Duration#ZERO} for {@code ControlPersist=no} (the master ends with the
 *                    runs it serves), {@link #FOREVER} for {@code yes}
 */
public record ControlSettings(Mode mode, Optional<Path> socket, Duration idleTimeout) {

    /**
     * Appended to the ControlPath: ssh's own master may listen at the very path a user's
     * ssh_config gives both programs, and the two speak different protocols, so they never share one.
     */
    public static final String SUFFIX = ".ferry";

    public static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    /** Longest Unix socket path Linux accepts (sun_path is 108 bytes with its NUL). */
    static final int MAX_SOCKET_PATH = 107;

    public enum Mode {
        /** Use a master that is running; never start one (ssh's default). */
        NO,
        /** Use a running master, else start one. */
        AUTO,
        /** Start a master; with one already at the path, go without (as ssh does). */
        YES
    }

    public static ControlSettings of(HostSettings.Resolved target, String givenHost) throws FerryException {
        Mode mode = mode(target.setting("ControlMaster").orElse("no"));
        Optional<Path> socket = Optional.empty();
        Optional<String> path = target.setting("ControlPath").filter(p -> !p.isBlank() && !p.equalsIgnoreCase("none"));
        if (path.isPresent()) {
            String expanded = ControlPathTokens.expand(path.get(), target, givenHost) + SUFFIX;
            if (expanded.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
                throw new FerryException("ferry: ControlPath " + expanded + " is too long for a Unix socket ("
                        + MAX_SOCKET_PATH + " bytes at most)");
            }
            socket = Optional.of(Path.of(expanded).toAbsolutePath());
        }
        return new ControlSettings(mode, socket, persist(target.setting("ControlPersist").orElse("no")));
    }

    static Mode mode(String value) throws FerryException {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "no" -> Mode.NO;
            case "auto" -> Mode.AUTO;
            case "yes" -> Mode.YES;
            case "ask", "autoask" -> throw new FerryException("ferry: ControlMaster=" + value.strip()
                    + " is not supported (it needs ssh-askpass); use auto");
            default -> throw new FerryException("ferry: ControlMaster=" + value.strip() + ": use yes, no or auto");
        };
    }

    /** ControlPersist: yes, no, or a time in sshd_config(5)'s format (600, 10m, 1h30m); 0 means yes. */
    static Duration persist(String value) throws FerryException {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("yes")) {
            return FOREVER;
        }
        if (v.equals("no")) {
            return Duration.ZERO;
        }
        Duration time = TimeFormat.parse(v).orElseThrow(() -> new FerryException(
                "ferry: ControlPersist=" + value.strip() + ": use yes, no or a time such as 10m"));
        return time.isZero() ? FOREVER : time;
    }

    /** The idle timeout as the master's command line carries it. */
    static String format(Duration idle) {
        return idle.equals(FOREVER) ? "forever" : String.valueOf(idle.getSeconds());
    }

    public static Duration parseFormatted(String text) {
        return text.equals("forever") ? FOREVER : Duration.ofSeconds(Long.parseLong(text));
    }
}
