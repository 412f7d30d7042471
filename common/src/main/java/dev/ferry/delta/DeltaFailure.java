package dev.ferry.delta;

import java.io.IOException;

/**
 * A transfer failed for a reason the user should read, in one sentence: the peer said so with a
 * {@code Failure}, or the result did not verify.
 */
public class DeltaFailure extends IOException {

    private static final long serialVersionUID = 1L;

    public DeltaFailure(String reason) {
        super(reason);
    }
}
