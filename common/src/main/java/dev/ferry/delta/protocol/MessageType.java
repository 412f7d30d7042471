package dev.ferry.delta.protocol;

import java.util.Optional;

/**
 * The table of ferry-delta messages: each type's code on the wire, the longest body it can have and
 * how its body is decoded. Codes are fixed forever; a new message takes a new code, a changed
 * message a new code or a new protocol version. Codes are grouped by phase: 1-9 session, 10-19
 * requests, 20-29 signature, 30-39 instructions, 40-49 results, 50-59 listings.
 *
 * <p>The longest body of each type is checked before the body is read, so a CopyChunks frame
 * claiming four megabytes is refused after five bytes, not after four megabytes.
 */
public enum MessageType {

    HELLO(1, "Hello", Hello.MAX_BODY, Hello::read),
    FAILURE(2, "Failure", Failure.MAX_BODY, Failure::read),
    CHUNKING_SPEC(10, "ChunkingSpec", ChunkingSpec.MAX_BODY, ChunkingSpec::read),
    OPEN_UPLOAD(11, "OpenUpload", OpenUpload.MAX_BODY, OpenUpload::read),
    OPEN_DOWNLOAD(12, "OpenDownload", OpenDownload.MAX_BODY, OpenDownload::read),
    LIST_REQUEST(13, "ListRequest", ListRequest.MAX_BODY, ListRequest::read),
    SIGNATURE_BATCH(20, "SignatureBatch", SignatureBatch.MAX_BODY, SignatureBatch::read),
    SIGNATURE_END(21, "SignatureEnd", SignatureEnd.MAX_BODY, SignatureEnd::read),
    SIGNATURE_STOP(22, "SignatureStop", SignatureStop.MAX_BODY, SignatureStop::read),
    GROUP_BATCH(23, "GroupBatch", GroupBatch.MAX_BODY, GroupBatch::read),
    DETAIL_REQUEST(24, "DetailRequest", DetailRequest.MAX_BODY, DetailRequest::read),
    COPY_CHUNKS(30, "CopyChunks", CopyChunks.MAX_BODY, CopyChunks::read),
    LITERAL(31, "Literal", Literal.MAX_BODY, Literal::read),
    FILE_END(32, "FileEnd", FileEnd.MAX_BODY, FileEnd::read),
    RESULT(40, "Result", Result.MAX_BODY, Result::read),
    RETRY(41, "Retry", Retry.MAX_BODY, Retry::read),
    LIST_BATCH(50, "ListBatch", ListBatch.MAX_BODY, ListBatch::read),
    LIST_END(51, "ListEnd", ListEnd.MAX_BODY, ListEnd::read);

    /** Decodes a body whose length is already within the type's limit. */
    @FunctionalInterface
    interface BodyDecoder {
        DeltaMessage decode(BodyReader body) throws ProtocolException;
    }

    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType type : values()) {
            if (BY_CODE[type.code] != null) {
                throw new ExceptionInInitializerError("message code " + type.code + " is used twice");
            }
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final String label;
    private final int maxBodyLength;
    private final BodyDecoder decoder;

    MessageType(int code, String label, int maxBodyLength, BodyDecoder decoder) {
        this.code = code;
        this.label = label;
        this.maxBodyLength = maxBodyLength;
        this.decoder = decoder;
    }

    /** The type byte on the wire. */
    public int code() {
        return code;
    }

    /** The name of the record, as error messages use it. */
    public String label() {
        return label;
    }

    /** The longest body (after the type byte) a valid message of this type can have. */
    public int maxBodyLength() {
        return maxBodyLength;
    }

    public static Optional<MessageType> ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? Optional.ofNullable(BY_CODE[code]) : Optional.empty();
    }

    DeltaMessage decode(BodyReader body) throws ProtocolException {
        return decoder.decode(body);
    }
}
