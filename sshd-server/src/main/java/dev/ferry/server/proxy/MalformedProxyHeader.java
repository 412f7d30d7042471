package dev.ferry.server.proxy;

import java.io.IOException;

/** The bytes before the SSH identification are not a PROXY header ferryd accepts; the message says why. */
public final class MalformedProxyHeader extends IOException {

    public MalformedProxyHeader(String reason) {
        super(reason);
    }
}
