package dev.ferry.delta.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageRoundTripTest {

    static List<DeltaMessage> samples() {
        return WireBytes.samples();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMessageDecodesToAnEqualMessage(DeltaMessage message) throws IOException {
        byte[] frame = WireBytes.encode(message);

        DeltaMessage decoded = WireBytes.decode(frame).orElseThrow();

        assertEquals(message, decoded);
        assertEquals(message.hashCode(), decoded.hashCode());
        assertNotSame(message, decoded);
        assertEquals(frame.length - 4, readLength(frame), "the length counts the type byte and the body");
        assertEquals(message.type().code(), frame[4] & 0xff);
    }

    @Test
    void theSamplesCoverEveryMessageType() {
        Set<MessageType> covered = samples().stream().map(DeltaMessage::type).collect(Collectors.toSet());
        assertEquals(EnumSet.allOf(MessageType.class), covered);
    }

    @Test
    void messagesFollowEachOtherOnOneStream() throws IOException {
        List<DeltaMessage> sent = samples();
        MessageReader reader = new MessageReader(
                new ByteArrayInputStream(WireBytes.encode(sent.toArray(DeltaMessage[]::new))));

        List<DeltaMessage> received = new ArrayList<>();
        for (Optional<DeltaMessage> next = reader.read(); next.isPresent(); next = reader.read()) {
            received.add(next.get());
        }

        assertEquals(sent, received);
    }

    @Test
    void aCopyChunksFrameHasTheDocumentedBytes() {
        byte[] frame = WireBytes.encode(new CopyChunks(0x0102030405L, 7));

        assertArrayEquals(WireBytes.hex("0000000d" + "1e" + "0000000102030405" + "00000007"), frame);
    }

    @Test
    void aHelloEncodesItsCapabilitiesSortedSoEqualHellosAreEqualBytes() {
        byte[] frame = WireBytes.encode(new Hello(1, Set.of("zstd", "abc")));

        assertArrayEquals(WireBytes.hex("0000000f" + "01" + "00000001" + "02" + "03616263" + "047a737464"), frame);
    }

    @Test
    void aLiteralFrameCarriesCodecRawLengthAndData() {
        byte[] frame = WireBytes.encode(new Literal(WireBytes.hex("aabb"), LiteralCodec.ZSTD, 100));

        assertArrayEquals(WireBytes.hex("0000000c" + "1f" + "01" + "00000064" + "00000002" + "aabb"), frame);
    }

    @Test
    void recordsHoldingArraysCopyThemInAndOut() {
        byte[] digests = WireBytes.bytes(16, 1);
        SignatureBatch batch = new SignatureBatch(8, 10, digests);
        digests[0] ^= 1;
        batch.digests()[1] ^= 1;
        assertArrayEquals(WireBytes.bytes(16, 1), batch.digests());

        byte[] data = WireBytes.bytes(5, 2);
        Literal literal = Literal.raw(data);
        data[0] ^= 1;
        literal.data()[1] ^= 1;
        assertArrayEquals(WireBytes.bytes(5, 2), literal.data());
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> literal.dataView().put((byte) 0));

        byte[] sha = WireBytes.bytes(32, 3);
        FileEnd end = new FileEnd(1, sha, 0600, 0);
        sha[0] ^= 1;
        assertArrayEquals(WireBytes.bytes(32, 3), end.digest());
        end.digest()[0] ^= 1;
        assertArrayEquals(WireBytes.bytes(32, 3), end.digest());
    }

    @Test
    void aLiteralFromPartOfABufferHoldsACopyOfThatPartOnly() throws Exception {
        byte[] buffer = WireBytes.bytes(12, 4);
        Literal part = Literal.raw(buffer, 3, 4);
        Literal same = Literal.raw(java.util.Arrays.copyOfRange(buffer, 3, 7));
        java.util.Arrays.fill(buffer, (byte) 0);
        assertEquals(same, part);
        assertEquals(same.hashCode(), part.hashCode());
        assertEquals(4, part.dataView().remaining());
        assertArrayEquals(same.data(), part.data());

        // read back from a frame, it is a view of that frame's body: the same bytes, no more
        Literal read = (Literal) new MessageReader(new java.io.ByteArrayInputStream(WireBytes.encode(part)))
                .read().orElseThrow();
        assertEquals(part, read);
        assertEquals(4, read.dataView().remaining());
        assertArrayEquals(same.data(), read.data());
    }

    @Test
    void recordsWithArraysCompareByContent() {
        assertEquals(Literal.raw(WireBytes.bytes(9, 1)), Literal.raw(WireBytes.bytes(9, 1)));
        assertNotEquals(Literal.raw(WireBytes.bytes(9, 1)), Literal.raw(WireBytes.bytes(9, 2)));
        assertEquals(new FileEnd(1, new byte[32], 0, 0), new FileEnd(1, new byte[32], 0, 0));
        assertEquals(new FileEnd(1, FileDigest.XXH3_128, new byte[16], 0, 0),
                new FileEnd(1, FileDigest.XXH3_128, new byte[16], 0, 0));
        assertNotEquals(new FileEnd(1, new byte[32], 0, 0), new FileEnd(1, WireBytes.bytes(32, 1), 0, 0));
        assertEquals(new SignatureBatch(8, 1, new byte[8]), new SignatureBatch(8, 1, new byte[8]));
        assertNotEquals(new SignatureBatch(8, 2, new byte[16]), new SignatureBatch(16, 2, new byte[16]));
    }

    @Test
    void aListingBatchSendsEachPathAsWhatItSharesWithTheLastAndTheRest() {
        byte[] frame = WireBytes.encode(new ListBatch(List.of(new ListEntry("ab", true, 0, 0, 0755),
                new ListEntry("ab/c", false, 1, 2, 0644))));
        String entries = "0000" + "0002" + "6162" + "01" + "0000000000000000" + "0000000000000000" + "01ed"
                + "0002" + "0002" + "2f63" + "00" + "0000000000000001" + "0000000000000002" + "01a4";
        assertArrayEquals(WireBytes.hex(String.format("%08x", 1 + 4 + entries.length() / 2) + "32" + "00000002"
                + entries), frame);
    }

    @Test
    void aListedPathEqualToTheLastStillHasOneByteOfItsOwn() throws IOException {
        ListBatch batch = new ListBatch(List.of(new ListEntry("same", false, 1, 0, 0644),
                new ListEntry("same", false, 2, 0, 0644)));
        assertEquals(batch, WireBytes.decode(WireBytes.encode(batch)).orElseThrow());
    }

    @Test
    void aFullListingBatchOfTheLongestPathsFitsInAFrame() throws IOException {
        List<ListEntry> entries = new ArrayList<>();
        for (int i = 0; i < Limits.MAX_LIST_BATCH; i++) {
            entries.add(new ListEntry(String.format("%04d", i) + "x".repeat(Limits.MAX_PATH_BYTES - 4), false,
                    Limits.MAX_FILE_SIZE, Long.MIN_VALUE, 07777));
        }
        ListBatch batch = new ListBatch(entries);
        byte[] frame = WireBytes.encode(batch);
        assertTrue(frame.length - 4 <= Limits.MAX_FRAME_LENGTH);
        assertEquals(batch, WireBytes.decode(frame).orElseThrow());
        assertTrue(batch.toString().length() < 4300, "one entry, not 512");
    }

    @Test
    void aMegabyteLiteralPrintsAShortLine() {
        String text = Literal.raw(new byte[Limits.MAX_LITERAL_BYTES]).toString();

        assertTrue(text.length() < 200, text);
        assertTrue(text.contains("1048576 bytes"), text);
    }

    @Test
    void aFullSignatureBatchPrintsAShortLineAndFitsInAFrame() throws IOException {
        SignatureBatch batch = new SignatureBatch(Limits.MAX_DIGEST_BYTES,
                (long) Limits.MAX_CHUNKS_PER_BATCH * Limits.MAX_CHUNK_SIZE,
                new byte[Limits.MAX_CHUNKS_PER_BATCH * Limits.MAX_DIGEST_BYTES]);

        assertTrue(batch.toString().length() < 300, batch.toString());
        byte[] frame = WireBytes.encode(batch);
        assertTrue(frame.length - 4 <= Limits.MAX_FRAME_LENGTH);
        assertEquals(batch, WireBytes.decode(frame).orElseThrow());
    }

    @Test
    void anOpenDownloadSendsItsGroupedFlagAfterMayStop() throws IOException {
        byte[] grouped = WireBytes.encode(new OpenDownload("f", 8192, 8, true, true));
        byte[] plain = WireBytes.encode(new OpenDownload("f", 8192, 8, true));

        assertArrayEquals(WireBytes.hex("0000000c" + "0c" + "000166" + "00002000" + "08" + "01" + "01" + "01"), grouped);
        assertArrayEquals(WireBytes.hex("0000000c" + "0c" + "000166" + "00002000" + "08" + "01" + "00" + "01"), plain);
        assertEquals(new OpenDownload("f", 8192, 8, true, false), new OpenDownload("f", 8192, 8, true));
        assertTrue(((OpenDownload) WireBytes.decode(grouped).orElseThrow()).grouped());
        assertFalse(((OpenDownload) WireBytes.decode(plain).orElseThrow()).grouped());
    }

    @Test
    void aGroupBatchFrameHasTheDocumentedBytes() throws IOException {
        GroupBatch batch = new GroupBatch(300, new long[] {0x0102030405060708L, -2L}, new int[] {1, 128});

        byte[] frame = WireBytes.encode(batch);

        assertArrayEquals(WireBytes.hex("0000001f" + "17" + "00000002" + "000000000000012c"
                + "0102030405060708" + "01" + "fffffffffffffffe" + "80"), frame);
        GroupBatch read = (GroupBatch) WireBytes.decode(frame).orElseThrow();
        assertEquals(batch, read);
        assertEquals(2, read.count());
        assertEquals(129, read.chunks());
        assertEquals(128, read.chunkCount(1), "a chunk count is unsigned on the wire");
        assertEquals(-2L, read.name(1));
        assertArrayEquals(new int[] {1, 128}, read.chunkCounts());
    }

    @Test
    void aDetailRequestPutsGroupZeroInTheLowBitOfTheFirstByte() throws IOException {
        DetailRequest request = DetailRequest.of(13, WireBytes.groups(0, 12));

        byte[] frame = WireBytes.encode(request);

        assertArrayEquals(WireBytes.hex("00000007" + "18" + "0000000d" + "01" + "10"), frame);
        DetailRequest read = (DetailRequest) WireBytes.decode(frame).orElseThrow();
        assertEquals(request, read);
        assertEquals(13, read.groupCount());
        assertArrayEquals(WireBytes.hex("0110"), read.wanted());
        assertEquals(WireBytes.groups(0, 12), read.groups());
        for (int group = -1; group <= 16; group++) {
            assertEquals(group == 0 || group == 12, read.wants(group), "group " + group);
        }
    }

    @Test
    void aDetailRequestFromABitSetKeepsTheBitmapAsLongAsTheGroupCountNeeds() {
        // BitSet.toByteArray() stops at the last set bit; the bitmap must still cover every group.
        DetailRequest first = DetailRequest.of(100, WireBytes.groups(0));
        DetailRequest last = DetailRequest.of(100, WireBytes.groups(99));

        assertEquals(13, first.wanted().length);
        assertArrayEquals(WireBytes.hex("01" + "00".repeat(12)), first.wanted());
        assertArrayEquals(WireBytes.hex("00".repeat(12) + "08"), last.wanted());
        assertTrue(last.wants(99));
        assertFalse(last.wants(98));
        assertEquals(new DetailRequest(100, WireBytes.hex("00".repeat(12) + "08")), last);
    }

    @Test
    void groupedRecordsCompareByContent() {
        assertEquals(new GroupBatch(3, new long[] {1, 2}, new int[] {1, 2}), new GroupBatch(3, new long[] {1, 2}, new int[] {1, 2}));
        assertEquals(new GroupBatch(3, new long[] {1, 2}, new int[] {1, 2}).hashCode(),
                new GroupBatch(3, new long[] {1, 2}, new int[] {1, 2}).hashCode());
        assertNotEquals(new GroupBatch(3, new long[] {1, 2}, new int[] {1, 2}), new GroupBatch(3, new long[] {1, 3}, new int[] {1, 2}));
        assertNotEquals(new GroupBatch(3, new long[] {1, 2}, new int[] {1, 2}), new GroupBatch(3, new long[] {1, 2}, new int[] {2, 1}));
        assertNotEquals(new GroupBatch(3, new long[] {1, 2}, new int[] {1, 2}), new GroupBatch(4, new long[] {1, 2}, new int[] {1, 2}));

        assertEquals(new DetailRequest(13, WireBytes.hex("0110")), DetailRequest.of(13, WireBytes.groups(0, 12)));
        assertEquals(new DetailRequest(13, WireBytes.hex("0110")).hashCode(), DetailRequest.of(13, WireBytes.groups(0, 12)).hashCode());
        assertNotEquals(new DetailRequest(13, WireBytes.hex("0110")), new DetailRequest(13, WireBytes.hex("0108")));
        assertNotEquals(new DetailRequest(13, WireBytes.hex("0110")), new DetailRequest(14, WireBytes.hex("0110")));
    }

    @Test
    void groupedRecordsCopyTheirArraysInAndOut() {
        long[] names = {5, 6};
        int[] counts = {1, 2};
        GroupBatch batch = new GroupBatch(3, names, counts);
        names[0] = 99;
        counts[0] = 0;
        batch.names()[1] = 99;
        batch.chunkCounts()[1] = 0;
        assertArrayEquals(new long[] {5, 6}, batch.names());
        assertArrayEquals(new int[] {1, 2}, batch.chunkCounts());
        assertEquals(3, batch.chunks());

        byte[] wanted = WireBytes.hex("0110");
        DetailRequest request = new DetailRequest(13, wanted);
        wanted[0] = 0;
        request.wanted()[1] = 0;
        request.groups().clear(12);
        assertArrayEquals(WireBytes.hex("0110"), request.wanted());
        assertTrue(request.wants(0));
        assertTrue(request.wants(12));

        BitSet bits = WireBytes.groups(3);
        DetailRequest fromBits = DetailRequest.of(8, bits);
        bits.set(4);
        assertFalse(fromBits.wants(4));
    }

    @Test
    void aFullGroupBatchPrintsAShortLineAndFitsInAFrame() throws IOException {
        long[] names = new long[Limits.MAX_GROUPS_PER_BATCH];
        int[] counts = new int[Limits.MAX_GROUPS_PER_BATCH];
        for (int i = 0; i < names.length; i++) {
            names[i] = i * 0x9e37_79b9_7f4a_7c15L;
            counts[i] = Limits.MAX_GROUP_CHUNKS;
        }
        GroupBatch batch = new GroupBatch((long) Limits.MAX_GROUPS_PER_BATCH * Limits.MAX_GROUP_CHUNKS * Limits.MAX_CHUNK_SIZE,
                names, counts);

        assertTrue(batch.toString().length() < 300, batch.toString());
        assertTrue(batch.toString().contains("65536 groups"), batch.toString());
        byte[] frame = WireBytes.encode(batch);
        assertTrue(frame.length - 4 <= Limits.MAX_FRAME_LENGTH);
        assertEquals(MessageType.GROUP_BATCH.maxBodyLength(), frame.length - 5, "the limit is the largest batch");
        assertEquals(batch, WireBytes.decode(frame).orElseThrow());
    }

    @Test
    void theLargestDetailRequestPrintsAShortLineAndFitsInAFrame() throws IOException {
        BitSet all = new BitSet();
        all.set(0, Limits.MAX_GROUPED_CHUNKS);
        DetailRequest request = DetailRequest.of(Limits.MAX_GROUPED_CHUNKS, all);

        assertTrue(request.toString().length() < 300, request.toString());
        assertTrue(request.toString().contains("2097152 of 2097152 groups"), request.toString());
        byte[] frame = WireBytes.encode(request);
        assertTrue(frame.length - 4 <= Limits.MAX_FRAME_LENGTH);
        assertEquals(MessageType.DETAIL_REQUEST.maxBodyLength(), frame.length - 5, "the limit is the largest request");
        DetailRequest read = (DetailRequest) WireBytes.decode(frame).orElseThrow();
        assertEquals(request, read);
        assertTrue(read.wants(Limits.MAX_GROUPED_CHUNKS - 1));
        assertFalse(read.wants(Limits.MAX_GROUPED_CHUNKS));
    }

    @Test
    void aSmallGroupedMessagePrintsWhatItHolds() {
        assertEquals("GroupBatch[2 groups of 129 chunks, 300 bytes]",
                new GroupBatch(300, new long[] {1, 2}, new int[] {1, 128}).toString());
        assertEquals("DetailRequest[2 of 13 groups]", DetailRequest.of(13, WireBytes.groups(0, 12)).toString());
    }

    @Test
    void theCurrentVersionListsSymbolicLinks() {
        assertEquals(8, Hello.CURRENT_VERSION);
        assertEquals(8, Hello.current(Set.of()).version());
    }

    @Test
    void anUploadSaysLastWhetherASmallFileMustBeSyncedNotByDefault() throws IOException {
        OpenUpload plain = new OpenUpload("f", 1, 0644, 0, 8192, 8, SignatureRequest.NONE, FileDigest.DEFAULT);
        OpenUpload synced = new OpenUpload("f", 1, 0644, 0, 8192, 8, SignatureRequest.NONE, FileDigest.DEFAULT, true);
        assertFalse(plain.fsync());
        byte[] frame = WireBytes.encode(synced);
        assertEquals(1, frame[frame.length - 1]);
        assertEquals(synced, WireBytes.decode(frame).orElseThrow());
        assertEquals(0, WireBytes.encode(plain)[frame.length - 1]);
        frame[frame.length - 1] = 2; // a flag is 0 or 1
        assertThrows(ProtocolException.class, () -> WireBytes.decode(frame));
    }

    @Test
    void aRequestNamesItsFileDigestLastXxh3ByDefault() throws IOException {
        assertEquals(FileDigest.XXH3_128, FileDigest.DEFAULT);
        for (FileDigest kind : FileDigest.values()) {
            OpenUpload up = new OpenUpload("f", 1, 0644, 0, 8192, 8, SignatureRequest.FULL, kind);
            OpenDownload down = new OpenDownload("f", 8192, 8, true, true, kind);
            for (DeltaMessage m : List.<DeltaMessage>of(up, down)) {
                byte[] frame = WireBytes.encode(m);
                int at = m == up ? frame.length - 2 : frame.length - 1; // an upload's fsync flag comes after
                assertEquals(kind.code(), frame[at], m.toString());
                assertEquals(m, WireBytes.decode(frame).orElseThrow());
            }
        }
        assertEquals(FileDigest.XXH3_128, new OpenUpload("f", 1, 0644, 0, 8192, 8, SignatureRequest.FULL).fileDigest());
        assertEquals(FileDigest.XXH3_128, new OpenDownload("f", 8192, 8, true).fileDigest());
        assertEquals(0, FileDigest.SHA256.code());
        assertEquals(1, FileDigest.XXH3_128.code());
    }

    @Test
    void aRequestNamingAnUnknownFileDigestIsRefused() throws IOException {
        byte[] frame = WireBytes.encode(new OpenDownload("f", 8192, 8, true, true));
        frame[frame.length - 1] = 2;
        ProtocolException e = assertThrows(ProtocolException.class, () -> WireBytes.decode(frame));
        assertEquals("file digest 2 is unknown", e.getMessage());
    }

    @Test
    void theWriterBuffersUntilFlushed() throws IOException {
        var sink = new java.io.ByteArrayOutputStream() {
            int flushes;

            @Override
            public void flush() {
                flushes++;
            }
        };
        MessageWriter writer = new MessageWriter(sink);
        writer.write(new CopyChunks(1, 2));
        writer.write(new CopyChunks(3, 4));
        assertEquals(0, sink.flushes);
        writer.flush();
        assertEquals(1, sink.flushes);
        assertEquals(2 * 17, sink.size());
    }

    @Test
    void aFailureFromAnyTextIsCleanedAndCut() {
        Failure failure = Failure.of("disk full\n\u001b[2J" + "é".repeat(2000));

        assertTrue(failure.reason().startsWith("disk full  [2J"), failure.reason());
        assertTrue(Utf8.encode(failure.reason(), "x").length <= Limits.MAX_FAILURE_BYTES);
        assertEquals("unknown failure", Failure.of(null).reason());
        assertEquals("a?b", Failure.of("a\ud800b").reason());
    }

    private static long readLength(byte[] frame) {
        return ((frame[0] & 0xffL) << 24) | ((frame[1] & 0xff) << 16) | ((frame[2] & 0xff) << 8) | (frame[3] & 0xff);
    }
}
