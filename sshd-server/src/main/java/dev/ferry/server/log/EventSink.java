package dev.ferry.server.log;

/** Receives the server's events. Implementations must be thread-safe and must not block for long. */
@FunctionalInterface
public interface EventSink {

    EventSink NONE = event -> {
    };

    void accept(ServerEvent event);

    /** Both this sink and {@code other}, in that order. */
    default EventSink andThen(EventSink other) {
        return event -> {
            accept(event);
            other.accept(event);
        };
    }
}
