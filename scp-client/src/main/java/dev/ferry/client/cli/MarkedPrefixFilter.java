package dev.ferry.client.cli;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;

/**
 * Takes {@code <dir>/./} out of what a run in a control master prints, so that the local files it
 * names read as the user wrote them (see {@link Invocation#local}). Text is held until the printer
 * flushes (a PrintStream with autoflush does at every print), so a name is never split.
 */
final class MarkedPrefixFilter extends FilterOutputStream {

    private static final int LIMIT = 1 << 16;

    private final byte[] marker;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    MarkedPrefixFilter(OutputStream out, String prefix, Charset charset) {
        super(out);
        this.marker = prefix.getBytes(charset);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        pending.write(b);
        if (pending.size() >= LIMIT) {
            flush();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        pending.write(b, off, len);
        if (pending.size() >= LIMIT) {
            flush();
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        byte[] text = pending.toByteArray();
        pending.reset();
        if (text.length > 0) {
            out.write(strip(text));
        }
        out.flush();
    }

    private byte[] strip(byte[] text) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream(text.length);
        int i = 0;
        while (i < text.length) {
            if (startsAt(text, i)) {
                i += marker.length;
            } else {
                kept.write(text[i++]);
            }
        }
        return kept.toByteArray();
    }

    private boolean startsAt(byte[] text, int at) {
        if (marker.length == 0 || at + marker.length > text.length) {
            return false;
        }
        for (int j = 0; j < marker.length; j++) {
            if (text[at + j] != marker[j]) {
                return false;
            }
        }
        return true;
    }
}
