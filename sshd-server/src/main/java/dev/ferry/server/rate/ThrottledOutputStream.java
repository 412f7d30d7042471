package dev.ferry.server.rate;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** A stream whose writes wait for their bytes' turn at the user's rate before they go on. */
final class ThrottledOutputStream extends FilterOutputStream {

    private final Bandwidth.Throttle throttle;

    ThrottledOutputStream(OutputStream out, Bandwidth.Throttle throttle) {
        super(out);
        this.throttle = throttle;
    }

    @Override
    public void write(int b) throws IOException {
        throttle.pass(1);
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        throttle.pass(len);
        out.write(b, off, len);
    }
}
