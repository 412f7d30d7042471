package dev.ferry.delta.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A peer that closed between messages is told apart from a stream cut inside one. */
class FrameEndOfStreamTest {

    private static final byte[] COPY = WireBytes.encode(new CopyChunks(5, 6));

    @Test
    void anEmptyStreamIsAPeerThatClosed() throws IOException {
        assertEquals(Optional.empty(), WireBytes.decode(new byte[0]));
    }

    @Test
    void theEndRightAfterAFrameIsAPeerThatClosed() throws IOException {
        MessageReader reader = new MessageReader(new ByteArrayInputStream(COPY));

        assertEquals(Optional.of(new CopyChunks(5, 6)), reader.read());
        assertEquals(Optional.empty(), reader.read());
        assertEquals(Optional.empty(), reader.read(), "the end stays the end");
    }

    @ParameterizedTest(name = "cut after {0} bytes: {1}")
    @CsvSource(delimiter = '|', value = {
        "1|truncated message: expected 4 bytes of length, got 1",
        "3|truncated message: expected 4 bytes of length, got 3",
        "4|truncated message: expected a type byte after the length, got the end of the stream",
        "5|truncated message: expected 12 bytes of body, got 0",
        "12|truncated message: expected 12 bytes of body, got 7",
        "16|truncated message: expected 12 bytes of body, got 11"})
    void aStreamCutInsideAFrameIsTruncated(int keep, String sentence) {
        byte[] cut = Arrays.copyOf(COPY, keep);

        ProtocolException e = assertThrows(ProtocolException.class, () -> WireBytes.decode(cut));
        assertEquals(sentence, e.getMessage());
    }

    @Test
    void aSecondFrameCutShortIsTruncatedAfterTheFirstIsRead() throws IOException {
        byte[] stream = Arrays.copyOf(WireBytes.encode(new CopyChunks(1, 1), new Retry(32)), 17 + 5);
        MessageReader reader = new MessageReader(new ByteArrayInputStream(stream));

        assertEquals(Optional.of(new CopyChunks(1, 1)), reader.read());
        ProtocolException e = assertThrows(ProtocolException.class, reader::read);
        assertEquals("truncated message: expected 1 byte of body, got 0", e.getMessage());
    }

    @Test
    void aRequiredMessageTreatsAPeerThatClosedAsAnError() {
        MessageReader reader = new MessageReader(new ByteArrayInputStream(new byte[0]));

        ProtocolException e = assertThrows(ProtocolException.class, () -> reader.readRequired("awaiting the signature"));
        assertEquals("the peer closed the stream while awaiting the signature", e.getMessage());
    }

    @Test
    void theReaderTakesNoByteBeyondItsFrame() throws IOException {
        byte[] stream = WireBytes.encode(new CopyChunks(1, 1), new Retry(32));
        ByteArrayInputStream in = new ByteArrayInputStream(stream);

        new MessageReader(in).read();

        assertEquals(stream.length - COPY.length, in.available());
        assertTrue(new MessageReader(in).read().orElseThrow() instanceof Retry);
    }
}
