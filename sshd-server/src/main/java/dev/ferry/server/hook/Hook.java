package dev.ferry.server.hook;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What the event hook runs, and for what.
 *
 * @param command the program and its arguments, run as they are, without a shell
 * @param events  the events it is run for (default: {@link Event#UPLOAD})
 * @param timeout how long one run may take before it is killed, with its descendants (default 30 s)
 */
public record Hook(List<String> command, Set<Event> events, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** What happened to a file; the name is the {@code event} field of the JSON. */
    public enum Event {
        UPLOAD, DOWNLOAD, DELETE, RENAME;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code upload}, {@code download}, {@code delete} or {@code rename}. */
        public static Event parse(String name) {
            for (Event e : values()) {
                if (e.label().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown hook event '" + name
                    + "' (use upload, download, delete or rename)");
        }
    }

    public Hook {
        command = List.copyOf(Objects.requireNonNull(command, "command"));
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("the hook's command is empty");
        }
        events = Set.copyOf(events.isEmpty() ? EnumSet.of(Event.UPLOAD) : events);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the hook's timeout must be longer than 0: " + timeout);
        }
    }

    /** {@code command} run after each upload, within the default timeout. */
    public static Hook onUpload(List<String> command) {
        return new Hook(command, EnumSet.of(Event.UPLOAD), DEFAULT_TIMEOUT);
    }

    /** A list such as {@code upload,delete}. */
    public static Set<Event> parseEvents(String list) {
        Set<Event> events = EnumSet.noneOf(Event.class);
        for (String name : list.split(",")) {
            if (!name.isBlank()) {
                events.add(Event.parse(name));
            }
        }
        return events;
    }

    public Hook withEvents(Set<Event> events) {
        return new Hook(command, events, timeout);
    }

    public Hook withTimeout(Duration timeout) {
        return new Hook(command, events, timeout);
    }

    /** The command as one line, for the log. */
    public String commandLine() {
        return String.join(" ", command);
    }
}
