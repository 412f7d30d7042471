package dev.ferry.delta.protocol;

import java.util.Optional;

/**
 * How the data of a {@link Literal} is coded. A codec id rather than a compressed flag, so that a
 * second codec needs no new message. This package only carries the bytes; compressing and
 * decompressing them is the delta pipeline's job.
 */
public enum LiteralCodec {

    /** The data are the new file's bytes as they are. */
    NONE(0),
    /** The data are one zstd frame; only when both hellos named {@link Hello#ZSTD}. */
    ZSTD(1);

    private final int code;

    LiteralCodec(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<LiteralCodec> ofCode(int code) {
        for (LiteralCodec codec : values()) {
            if (codec.code == code) {
                return Optional.of(codec);
            }
        }
        return Optional.empty();
    }
}
