package dev.ferry.delta.protocol;

/**
 * What an {@link OpenUpload} asks of the server's old copy. The codes are fixed on the wire.
 */
public enum SignatureRequest {

    /** No signature: the whole file follows at once, and the server answers only at its end. */
    NONE(0),
    /** The full signature; the client may open further files before it arrives. */
    FULL(1),
    /**
     * The signature, which the client may cut short with {@link SignatureStop}; the client sends
     * nothing else until the signature has ended, so the server can look for the stop between batches.
     */
    STOPPABLE(2),
    /**
     * As {@link #STOPPABLE}, and the server may sign a large old file in two levels
     * ({@link GroupBatch}es); the client then may send one {@link DetailRequest} before its first
     * instruction, and waits for the {@link SignatureBatch}es that answer it.
     */
    GROUPED(3);

    private final int code;

    SignatureRequest(int code) {
        this.code = code;
    }

    /** Whether the server looks for a {@link SignatureStop} between batches. */
    public boolean stoppable() {
        return this == STOPPABLE || this == GROUPED;
    }

    public int code() {
        return code;
    }

    static SignatureRequest ofCode(int code) throws ProtocolException {
        for (SignatureRequest r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new ProtocolException("signature request " + code + " is unknown");
    }
}
