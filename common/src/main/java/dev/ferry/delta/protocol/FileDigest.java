package dev.ferry.delta.protocol;

/**
 * Which whole-file digest a file is verified with: named by its request ({@link OpenUpload},
 * {@link OpenDownload}), so that the receiver can take it as it writes, and carried again by its
 * {@link FileEnd}. The codes are fixed on the wire.
 *
 * <p>The digest has to catch a wrong copy (two chunks whose truncated digests collide, an old file
 * changed under the receiver) and a fault of the literal codec or the framing: accidents, which
 * XXH3-128 catches as surely as SHA-256 (a miss once in 2^128) at a sixth of the cost, so it is the
 * default, as xxh128 is rsync's. What it does not resist is a sender that crafts a collision, and
 * that buys nothing here: the sender is the authenticated user, who could send any bytes anyway.
 * SHA-256 stays for those who want a cryptographic check ({@code ferry sync --digest=sha256}).
 */
public enum FileDigest {

    /** SHA-256, 32 bytes. */
    SHA256(0, Limits.SHA256_BYTES),
    /** XXH3-128, 16 bytes, big-endian: the default. */
    XXH3_128(1, 16);

    /** What a request names unless asked otherwise. */
    public static final FileDigest DEFAULT = XXH3_128;

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
