package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;

/** The one composite field the encoders share: a uint16 byte count and that many bytes of UTF-8. */
final class Wire {

    private Wire() {
    }

    /** The text must already be valid; its limit is far below 65535 bytes. */
    static void writeUtf8(DataOutput out, String text, String what) throws IOException {
        byte[] bytes = Utf8.encode(text, what);
        out.writeShort(bytes.length);
        out.write(bytes);
    }

    /** The wire size of such a field holding at most {@code maxBytes}. */
    static int utf8Size(int maxBytes) {
        return 2 + maxBytes;
    }
}
