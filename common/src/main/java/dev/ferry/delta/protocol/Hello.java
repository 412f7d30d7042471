package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The first message each side sends, without waiting for the other's: the protocol version it
 * speaks and what it can do beyond the base protocol. Each side then uses the lower version and the
 * capabilities both named.
 *
 * <p>Wire: int32 version, uint8 count, then per capability uint8 length and that many ASCII bytes,
 * in sorted order so that equal hellos encode to equal bytes.
 *
 * @param version      the protocol version, 1 or more
 * @param capabilities names such as {@value #ZSTD}; kept sorted and unmodifiable
 */
public record Hello(int version, Set<String> capabilities) implements DeltaMessage {

    /**
     * The version this code speaks (2: pipelined requests, SignatureStop, the receiver's write time
     * in Result; 3: a chunk size and digest length per file, signatures without chunk lengths;
     * 4: two-level signatures, GroupBatch and DetailRequest; 5: FileEnd names its digest, XXH3-128 for
     * a file sent whole; 6: OpenUpload and OpenDownload name the file's digest, XXH3-128 by default
     * for a delta too; 7: OpenUpload says whether a small file must be synced to disk; 8: listings carry symbolic
     * links).
     */
    public static final int CURRENT_VERSION = 8;

    /** The sender may send literals compressed with zstd ({@link LiteralCodec#ZSTD}). */
    public static final String ZSTD = "zstd";

    /** Lower-case names, so that "Zstd" and "zstd" cannot both be meant. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    static final int MAX_BODY = 4 + 1 + Limits.MAX_CAPABILITIES * (1 + Limits.MAX_CAPABILITY_BYTES);

    public Hello {
        Check.range("a protocol version", "", version, 1, Integer.MAX_VALUE);
        Objects.requireNonNull(capabilities, "capabilities");
        Check.range("a hello", "capabilities", capabilities.size(), 0, Limits.MAX_CAPABILITIES);
        TreeSet<String> sorted = new TreeSet<>();
        for (String name : capabilities) {
            Objects.requireNonNull(name, "capability");
            if (name.length() > Limits.MAX_CAPABILITY_BYTES || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a capability must be 1 to " + Limits.MAX_CAPABILITY_BYTES
                        + " characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
            }
            sorted.add(name);
        }
        capabilities = Collections.unmodifiableSortedSet(sorted);
    }

    /** This code's hello. */
    public static Hello current(Set<String> capabilities) {
        return new Hello(CURRENT_VERSION, capabilities);
    }

    public boolean supports(String capability) {
        return capabilities.contains(capability);
    }

    @Override
    public MessageType type() {
        return MessageType.HELLO;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeInt(version);
        out.writeByte(capabilities.size());
        for (String name : capabilities) {
            byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            out.writeByte(bytes.length);
            out.write(bytes);
        }
    }

    static Hello read(BodyReader in) throws ProtocolException {
        int version = in.i32();
        int count = Check.range("a hello", "capabilities", in.u8(), 0, Limits.MAX_CAPABILITIES);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int length = Check.range("a capability", "bytes", in.u8(), 1, Limits.MAX_CAPABILITY_BYTES);
            // ISO-8859-1 maps every byte to one char, so a non-ASCII byte fails the name pattern.
            String name = new String(in.bytes(length), StandardCharsets.ISO_8859_1);
            if (!names.add(name)) {
                throw new ProtocolException("a hello may not name a capability twice");
            }
        }
        return new Hello(version, names);
    }
}
