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
    STOPPABLE(2);

    private final int code;

    SignatureRequest(int code) {
        this.code = code;
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
