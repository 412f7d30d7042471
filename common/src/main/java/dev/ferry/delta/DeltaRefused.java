package dev.ferry.delta;

/**
 * This side refused a transfer before any of its data moved (the target is a directory, its
 * directory cannot be written): the peer is told so with a {@code Failure} and the session stays in
 * step for the next request.
 */
public final class DeltaRefused extends DeltaFailure {

    private static final long serialVersionUID = 1L;

    public DeltaRefused(String reason) {
        super(reason);
    }
}
