package dev.ferry.delta.protocol;

import java.util.HexFormat;

/** How records show their byte arrays in toString: a digest in full, a literal by its length and first bytes. */
final class Hex {

    /** Enough to recognise data in a log line; a literal of a megabyte must not land in one. */
    private static final int PREVIEW_BYTES = 16;

    private Hex() {
    }

    static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static String preview(byte[] bytes) {
        if (bytes.length <= PREVIEW_BYTES) {
            return bytes.length + " bytes " + of(bytes);
        }
        return bytes.length + " bytes " + HexFormat.of().formatHex(bytes, 0, PREVIEW_BYTES) + "...";
    }
}
