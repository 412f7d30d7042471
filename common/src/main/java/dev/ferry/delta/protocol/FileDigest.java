package dev.ferry.delta.protocol;

/**
 * Which whole-file digest a {@link FileEnd} carries. The codes are fixed on the wire.
 *
 * <p>A file built with copied chunks ends with its SHA-256: that is what catches a wrong copy (two
 * chunks whose truncated digests collide, or an old file changed under the receiver). A file sent
 * whole, every byte a literal, has no copy to get wrong; its digest only has to catch a fault of
 * the literal codec or the framing, which XXH3-128 does as well as SHA-256 at a sixth of the cost.
 */
public enum FileDigest {

    /** SHA-256, 32 bytes: required when any chunk was copied. */
    SHA256(0, Limits.SHA256_BYTES),
    /** XXH3-128, 16 bytes, big-endian: only for a file sent entirely as literals. */
    XXH3_128(1, 16);

    private final int code;
    private final int length;

    FileDigest(int code, int length) {
        this.code = code;
        this.length = length;
    }

    public int code() {
        return code;
    }

    /** The digest's length in bytes. */
    public int length() {
        return length;
    }

    static FileDigest ofCode(int code) throws ProtocolException {
        for (FileDigest d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        throw new ProtocolException("file digest " + code + " is unknown");
    }
}
