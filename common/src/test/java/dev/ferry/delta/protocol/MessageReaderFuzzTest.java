package dev.ferry.delta.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of what a peer sends on a ferry-delta channel: any bytes, read as frames
 * until the end or the first error. For every input:
 * <ul>
 * <li>the only failure is a {@link ProtocolException} with a message (no other exception, no
 *     OutOfMemoryError: the fuzzing run's heap is 512 MiB, and a length field trusted before its
 *     bytes arrived would ask for up to 4 GiB);</li>
 * <li>every message that decodes is within its type's limit, and written back by
 *     {@link MessageWriter} and read again it is an equal message; its frame is exactly the one it
 *     was read from (one message, one encoding: no two readers can disagree on what a frame said),
 *     but for a hello, whose capabilities are a set, in any order;</li>
 * <li>the same bytes arriving a few at a time (so that {@code available()} says nothing) give the
 *     same messages and the same failure.</li>
 * </ul>
 * Seeds: {@code MessageReaderFuzzTestInputs/}, one valid frame of each message type.
 */
class MessageReaderFuzzTest {

    @FuzzTest
    void whateverAPeerSendsIsMessagesOrOneProtocolException(byte[] input) throws IOException {
        Outcome whole = readAll(new Source(input, false), input);
        if (input.length <= 64 * 1024) {
            Outcome trickled = readAll(new Source(input, true), input);
            assertEquals(whole, trickled, "the same bytes, arriving in small pieces, read differently");
        }
    }

    /** The frames read and the failure that ended them, if any, comparable between two readings. */
    private record Outcome(int frames, Optional<String> failure) {
    }

    private static Outcome readAll(Source in, byte[] input) throws IOException {
        MessageReader reader = new MessageReader(in);
        int frames = 0;
        int start = 0;
        try {
            for (Optional<DeltaMessage> next = reader.read(); next.isPresent(); next = reader.read()) {
                int end = in.consumed();
                roundTrips(next.get(), Arrays.copyOfRange(input, start, end));
                start = end;
                frames++;
            }
            assertEquals(input.length, start, "the reader stopped before the end without an error");
            return new Outcome(frames, Optional.empty());
        } catch (ProtocolException expected) {
            assertFalse(expected.getMessage() == null || expected.getMessage().isBlank(), "a failure without a sentence");
            return new Outcome(frames, Optional.of(expected.getMessage()));
        }
    }

    private static void roundTrips(DeltaMessage message, byte[] frame) throws IOException {
        assertTrue(frame.length - 5 <= message.type().maxBodyLength());
        byte[] written = write(message); // an IllegalStateException beyond the type's limit
        DeltaMessage again = new MessageReader(new ByteArrayInputStream(written)).read().orElseThrow();
        assertEquals(message, again, "a message written and read again changed");
        assertArrayEquals(written, write(again), () -> message + " has two encodings");
        if (!(message instanceof Hello)) {
            // A hello's capabilities are a set: their order on the wire carries nothing.
            assertArrayEquals(frame, written, () -> message + " was read from one frame and written as another");
        }
    }

    private static byte[] write(DeltaMessage message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MessageWriter writer = new MessageWriter(bytes);
        writer.write(message);
        writer.flush();
        return bytes.toByteArray();
    }

    /**
     * The input, all of it at once or in pieces of one to seven bytes with nothing ever available
     * ahead (a peer whose bytes arrive one packet at a time); {@link #consumed()} tells the test
     * how far the reader has got.
     */
    private static final class Source extends InputStream {
        private final byte[] bytes;
        private final boolean trickle;
        private int position;

        Source(byte[] bytes, boolean trickle) {
            this.bytes = bytes;
            this.trickle = trickle;
        }

        int consumed() {
            return position;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= bytes.length) {
                return -1;
            }
            int n = Math.min(trickle ? Math.min(len, 1 + position % 7) : len, bytes.length - position);
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return trickle ? 0 : bytes.length - position;
        }
    }
}
