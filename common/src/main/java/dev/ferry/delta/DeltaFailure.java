package dev.ferry.delta;

import java.io.IOException;

/** The peer refused or failed the transfer and said why, in one sentence meant for the user. */
public final class DeltaFailure extends IOException {

    private static final long serialVersionUID = 1L;

    public DeltaFailure(String reason) {
        super(reason);
    }
}
