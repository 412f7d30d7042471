package dev.ferry.delta.protocol;

import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The next entries of a listing, in the order the server walked them.
 *
 * <p>Each path is sent as the number of leading bytes it shares with the previous entry's path in
 * the batch and the bytes after them: entries of one directory share their directory's path, so a
 * deep source tree costs a few bytes a name.
 *
 * <p>Wire: int32 count, then per entry: uint16 shared bytes, uint16 length and that many bytes of
 * the rest of the path (the whole path is strict UTF-8), uint8 kind (0 file, 1 directory, 2
 * symbolic link), int64 size, int64 mtime in milliseconds, uint16 mode; for a link then uint16
 * length and that many bytes of what it points to (strict UTF-8, since protocol version 8).
 *
 * @param entries 1 to {@value Limits#MAX_LIST_BATCH} entries; kept as an unmodifiable copy
 */
public record ListBatch(List<ListEntry> entries) implements DeltaMessage {

    private static final int FILE = 0;
    private static final int DIRECTORY = 1;
    private static final int LINK = 2;

    /**
     * Entries of the longest paths that are all links of the longest targets would not fit in a
     * frame: such a batch is refused by the writer, and {@link dev.ferry.delta.Listing} cuts its
     * batches by bytes long before.
     */
    static final int MAX_BODY = (int) Math.min(Limits.MAX_FRAME_LENGTH - 2, 4L + Limits.MAX_LIST_BATCH
            * (2 + Wire.utf8Size(Limits.MAX_PATH_BYTES) + 1 + 8 + 8 + 2 + Wire.utf8Size(Limits.MAX_PATH_BYTES)));

    public ListBatch {
        entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
        Check.range("a listing batch", "entries", entries.size(), 1, Limits.MAX_LIST_BATCH);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_BATCH;
    }

    @Override
    public void writeBody(DataOutput out) throws IOException {
        out.writeInt(entries.size());
        byte[] previous = new byte[0];
        for (ListEntry e : entries) {
            byte[] path = Utf8.encode(e.path(), "a path");
            int differ = Arrays.mismatch(previous, path);
            // at least one byte of its own: a path is never empty, and a repeated one still reads back
            int shared = Math.min(differ < 0 ? path.length : differ, path.length - 1);
            out.writeShort(shared);
            out.writeShort(path.length - shared);
            out.write(path, shared, path.length - shared);
            out.writeByte(e.symbolicLink() ? LINK : e.directory() ? DIRECTORY : FILE);
            out.writeLong(e.size());
            out.writeLong(e.mtimeMillis());
            out.writeShort(e.mode());
            if (e.symbolicLink()) {
                byte[] link = Utf8.encode(e.link(), "a link");
                out.writeShort(link.length);
                out.write(link);
            }
            previous = path;
        }
    }

    static ListBatch read(BodyReader in) throws ProtocolException {
        int count = Check.range("a listing batch", "entries", in.i32(), 1, Limits.MAX_LIST_BATCH);
        List<ListEntry> entries = new ArrayList<>(count);
        byte[] previous = new byte[0];
        for (int i = 0; i < count; i++) {
            int shared = in.u16();
            if (shared > previous.length) {
                throw new ProtocolException("a listed path shares " + shared + " bytes with a previous path of "
                        + previous.length);
            }
            int rest = Check.range("a path", "bytes", in.u16(), 1, Limits.MAX_PATH_BYTES - shared);
            byte[] path = Arrays.copyOf(previous, shared + rest);
            System.arraycopy(in.bytes(rest), 0, path, shared, rest);
            int kind = in.u8();
            if (kind > LINK) {
                throw new ProtocolException("listing entry kind " + kind + " is unknown");
            }
            String name = Utf8.decode(path, "a path");
            long size = in.i64();
            long mtime = in.i64();
            int mode = in.u16();
            String link = null;
            if (kind == LINK) {
                link = Utf8.decode(in.bytes(Check.range("a link", "bytes", in.u16(), 1, Limits.MAX_PATH_BYTES)),
                        "a link");
            }
            entries.add(new ListEntry(name, kind == DIRECTORY, size, mtime, mode, link));
            previous = path;
        }
        return new ListBatch(entries);
    }

    @Override
    public String toString() {
        return "ListBatch[" + entries.size() + " entries, first " + entries.get(0) + "]";
    }
}
