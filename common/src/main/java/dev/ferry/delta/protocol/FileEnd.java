package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The sender has sent every instruction of the new file. The receiver checks the size and the
 * digest of what it built, applies mode and mtime, and answers with a {@link Result} or a
 * {@link Retry}. The size is the one actually read, which may differ from {@link OpenUpload#size()}
 * if the file changed meanwhile. See {@link FileDigest} for which digest a file ends with.
 *
 * <p>Wire: int64 size, uint8 digest kind, the digest (32 or 16 bytes by kind), int32 mode, int64 mtime.
 *
 * @param size        the new file's size, 0 to 2^50
 * @param kind        which digest {@code digest} is
 * @param digest      the digest of the new file's bytes; copied in and out
 * @param mode        permission bits, 0 to 07777
 * @param mtimeMillis the modification time, milliseconds since the epoch
 */
public record FileEnd(long size, FileDigest kind, byte[] digest, int mode, long mtimeMillis) implements DeltaMessage {

    static final int MAX_BODY = 8 + 1 + Limits.SHA256_BYTES + 4 + 8;

    public FileEnd {
        Check.fileSize("a file size", size);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(digest, "digest");
        if (digest.length != kind.length()) {
            throw new IllegalArgumentException(
                    "a " + kind + " digest must be " + kind.length() + " bytes, got " + digest.length);
        }
        Check.mode(mode);
        digest = digest.clone();
    }

    /** A file ending with its SHA-256. */
    public FileEnd(long size, byte[] sha256, int mode, long mtimeMillis) {
        this(size, FileDigest.SHA256, sha256, mode, mtimeMillis);
    }

    /** A copy of the digest. */
    @Override
    public byte[] digest() {
        return digest.clone();
    }

    public boolean digestMatches(byte[] actual) {
        return Arrays.equals(digest, actual);
    }

    @Override
    public MessageType type() {
        return MessageType.FILE_END;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeLong(size);
        out.writeByte(kind.code());
        out.write(digest);
        out.writeInt(mode);
        out.writeLong(mtimeMillis);
    }

    static FileEnd read(BodyReader in) throws ProtocolException {
        long size = in.i64();
        FileDigest kind = FileDigest.ofCode(in.u8());
        return new FileEnd(size, kind, in.bytes(kind.length()), in.i32(), in.i64());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FileEnd that && size == that.size && kind == that.kind && mode == that.mode
                && mtimeMillis == that.mtimeMillis && Arrays.equals(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, kind, mode, mtimeMillis) * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "FileEnd[size=" + size + ", " + kind + "=" + Hex.of(digest) + ", mode=0" + Integer.toOctalString(mode)
                + ", mtimeMillis=" + mtimeMillis + "]";
    }
}
