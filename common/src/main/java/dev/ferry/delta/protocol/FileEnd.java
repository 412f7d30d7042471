package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The sender has sent every instruction of the new file. The receiver checks the size and the
 * SHA-256 of what it built, applies mode and mtime, and answers with a {@link Result} or a
 * {@link Retry}. The size is the one actually read, which may differ from {@link OpenUpload#size()}
 * if the file changed meanwhile.
 *
 * <p>Wire: int64 size, 32 bytes SHA-256, int32 mode, int64 mtime.
 *
 * @param size        the new file's size, 0 to 2^50
 * @param sha256      the SHA-256 of the new file's bytes; copied in and out
 * @param mode        permission bits, 0 to 07777
 * @param mtimeMillis the modification time, milliseconds since the epoch
 */
public record FileEnd(long size, byte[] sha256, int mode, long mtimeMillis) implements DeltaMessage {

    static final int MAX_BODY = 8 + Limits.SHA256_BYTES + 4 + 8;

    public FileEnd {
        Check.fileSize("a file size", size);
        Objects.requireNonNull(sha256, "sha256");
        if (sha256.length != Limits.SHA256_BYTES) {
            throw new IllegalArgumentException(
                    "a SHA-256 digest must be " + Limits.SHA256_BYTES + " bytes, got " + sha256.length);
        }
        Check.mode(mode);
        sha256 = sha256.clone();
    }

    /** A copy of the digest. */
    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    public boolean sha256Matches(byte[] actual) {
        return Arrays.equals(sha256, actual);
    }

    @Override
    public MessageType type() {
        return MessageType.FILE_END;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeLong(size);
        out.write(sha256);
        out.writeInt(mode);
        out.writeLong(mtimeMillis);
    }

    static FileEnd read(BodyReader in) throws ProtocolException {
        return new FileEnd(in.i64(), in.bytes(Limits.SHA256_BYTES), in.i32(), in.i64());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FileEnd that && size == that.size && mode == that.mode
                && mtimeMillis == that.mtimeMillis && Arrays.equals(sha256, that.sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, mode, mtimeMillis) * 31 + Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return "FileEnd[size=" + size + ", sha256=" + Hex.of(sha256) + ", mode=0" + Integer.toOctalString(mode)
                + ", mtimeMillis=" + mtimeMillis + "]";
    }
}
