package dev.ferry.delta.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
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
        assertArrayEquals(WireBytes.bytes(32, 3), end.sha256());
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
