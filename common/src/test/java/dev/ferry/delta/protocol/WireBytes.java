package dev.ferry.delta.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds frames by hand, valid or not, and holds one sample of every message. Public for the delta
 * steps' tests, which feed a responder or a signature reader hand-made message streams.
 */
public final class WireBytes {

    @FunctionalInterface
    interface BodyWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private WireBytes() {
    }

    static byte[] body(BodyWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A frame whose length is right for its body. */
    static byte[] frame(int type, byte[] body) {
        return body(out -> {
            out.writeInt(body.length + 1);
            out.writeByte(type);
            out.write(body);
        });
    }

    static byte[] frame(MessageType type, BodyWriter writer) {
        return frame(type.code(), body(writer));
    }

    /** The frames of {@code messages}, in order, as a MessageWriter writes them. */
    public static byte[] encode(DeltaMessage... messages) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MessageWriter writer = new MessageWriter(bytes);
        try {
            for (DeltaMessage message : messages) {
                writer.write(message);
            }
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Optional<DeltaMessage> decode(byte[] bytes) throws IOException {
        return new MessageReader(new ByteArrayInputStream(bytes)).read();
    }

    static void writeUtf8(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeShort(bytes.length);
        out.write(bytes);
    }

    static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i * 31);
        }
        return bytes;
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    /** The groups named, as a bit set. */
    public static BitSet groups(int... groups) {
        BitSet bits = new BitSet();
        for (int group : groups) {
            bits.set(group);
        }
        return bits;
    }

    /** One message of every type, most with values near their limits. */
    static List<DeltaMessage> samples() {
        return List.of(
                Hello.current(Set.of(Hello.ZSTD, "sha256")),
                new Hello(7, Set.of()),
                new Failure("no such file: /srv/data/é.bin"),
                new ChunkingSpec(1, 2048, 8192, 65536, 12),
                new OpenUpload("dir/ünïcødé 文件.bin", Limits.MAX_FILE_SIZE, 0644, -1_000L, 256, 8,
                        SignatureRequest.STOPPABLE),
                new OpenUpload("x".repeat(Limits.MAX_PATH_BYTES), 0, 07777, Long.MAX_VALUE, Limits.MAX_CHUNK_SIZE, 16,
                        SignatureRequest.NONE),
                new OpenDownload("/abs/path with spaces", 65536, 16, true),
                new OpenDownload("grouped/disk.img", 8192, 8, false, true),
                new OpenDownload("grouped/stoppable.img", Limits.MAX_CHUNK_SIZE, 32, true, true),
                new OpenDownload("sha/stoppable.img", 8192, 8, true, true, FileDigest.SHA256),
                new OpenUpload("sha/file.bin", 1, 0644, 0, 8192, 8, SignatureRequest.GROUPED, FileDigest.SHA256),
                new OpenUpload("synced.bin", 10, 0600, 0, 8192, 8, SignatureRequest.NONE, FileDigest.XXH3_128, true),
                new SignatureBatch(8, 8192 + 1 + Limits.MAX_CHUNK_SIZE, bytes(24, 1)),
                new SignatureBatch(4, 300, bytes(4, 2)),
                new SignatureBatch(32, 100, bytes(32, 4)),
                new GroupBatch(129L * Limits.MAX_CHUNK_SIZE, new long[] {Long.MIN_VALUE, -1L}, new int[] {1, 128}),
                new GroupBatch(1, new long[] {0x0123_4567_89ab_cdefL}, new int[] {1}),
                new GroupBatch(5000, new long[] {0, 1, Long.MAX_VALUE}, new int[] {Limits.MAX_GROUP_CHUNKS, 2, 127}),
                DetailRequest.of(13, groups(0, 12)),
                new DetailRequest(1, new byte[] {1}),
                new DetailRequest(16, new byte[] {(byte) 0xff, (byte) 0x80}),
                new ListRequest("src/main"),
                new ListBatch(List.of(new ListEntry("a", true, 0, 1_000L, 0755),
                        new ListEntry("a/b.txt", false, 12, -5L, 0644),
                        new ListEntry("a/b.txt2", false, Limits.MAX_FILE_SIZE, Long.MAX_VALUE, 07777),
                        new ListEntry("a/ünï/文件", false, 0, 0, 0),
                        ListEntry.link("a/to-ünï", 7, 0777, "../ünï/文件"),
                        ListEntry.link("abs", 0, 0777, "/" + "x".repeat(Limits.MAX_PATH_BYTES - 1)),
                        new ListEntry("z", false, 1, 1, 0600))),
                new ListEnd(Limits.MAX_LIST_ENTRIES),
                new SignatureEnd(true, 123_456, 17),
                SignatureEnd.NO_OLD_FILE,
                new SignatureEnd(true, 0, 0),
                SignatureStop.INSTANCE,
                new CopyChunks(0, 1),
                new CopyChunks(Limits.MAX_FILE_SIZE - Integer.MAX_VALUE, Integer.MAX_VALUE),
                Literal.raw(bytes(1, 5)),
                Literal.raw(bytes(Limits.MAX_LITERAL_BYTES, 6)),
                new Literal(bytes(300, 7), LiteralCodec.ZSTD, Limits.MAX_LITERAL_BYTES),
                new FileEnd(42, bytes(32, 8), 0755, 1_700_000_000_000L),
                new FileEnd(42, FileDigest.XXH3_128, bytes(16, 9), 0644, 0),
                new Result(true, 1000, 99_000, 12_345_678),
                new Result(false, 0, 0, 0),
                new Retry(32));
    }
}
