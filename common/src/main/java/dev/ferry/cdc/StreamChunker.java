package dev.ferry.cdc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * Chunks a stream or a channel with a {@link GearChunker}, giving the same chunks as
 * {@link GearChunker#chunks(byte[])} on the whole input, whatever the sizes of the reads.
 *
 * <p>A cursor, so that a caller can digest each chunk in place without a copy:
 * <pre>{@code
 * StreamChunker chunks = new StreamChunker(params, in);
 * while (chunks.next()) {
 *     digest(chunks.buffer(), chunks.bufferOffset(), chunks.length());
 * }
 * }</pre>
 * The bytes stay in one buffer of at least {@code max} bytes: when the chunker needs more than the
 * buffer holds, the unchunked tail moves to the front and the rest is filled from the source, and
 * the chunker runs again from the chunk's start (at most {@code max} bytes scanned twice per fill).
 * Not thread-safe; it does not close its source.
 */
public final class StreamChunker {

    /** The buffer unless the caller says otherwise: 1 MiB, or 2 * max if that is larger. */
    public static int defaultBufferSize(ChunkerParams params) {
        return Math.max(ChunkerParams.MIB, 2 * params.max());
    }

    /** A source of bytes: an {@code InputStream}'s or a channel's read. */
    private interface Source {
        /** Reads up to {@code length} bytes into {@code buf} at {@code offset}; -1 at the end. */
        int read(byte[] buf, int offset, int length) throws IOException;
    }

    private final GearChunker chunker;
    private final Source source;
    private final byte[] buf;
    /** The unchunked bytes are buf[start..limit). */
    private int start;
    private int limit;
    private boolean endOfInput;
    /** Offset in the input of buf[0]. */
    private long bufferBase;
    private int chunkStart;
    private int chunkLength;

    public StreamChunker(ChunkerParams params, InputStream in) {
        this(params, in, defaultBufferSize(params));
    }

    public StreamChunker(ChunkerParams params, InputStream in, int bufferSize) {
        this(params, bufferSize, Objects.requireNonNull(in, "in")::read);
    }

    public StreamChunker(ChunkerParams params, ReadableByteChannel channel) {
        this(params, channel, defaultBufferSize(params));
    }

    public StreamChunker(ChunkerParams params, ReadableByteChannel channel, int bufferSize) {
        this(params, bufferSize, channelSource(Objects.requireNonNull(channel, "channel")));
    }

    private StreamChunker(ChunkerParams params, int bufferSize, Source source) {
        this.chunker = new GearChunker(params);
        if (bufferSize < params.max()) {
            throw new IllegalArgumentException("buffer size must be at least the maximum chunk size ("
                    + params.max() + "), got " + bufferSize);
        }
        this.buf = new byte[bufferSize];
        this.source = source;
    }

    private static Source channelSource(ReadableByteChannel channel) {
        return new Source() {
            private ByteBuffer view;

            @Override
            public int read(byte[] buf, int offset, int length) throws IOException {
                if (view == null || view.array() != buf) {
                    view = ByteBuffer.wrap(buf);
                }
                view.limit(offset + length).position(offset);
                return channel.read(view);
            }
        };
    }

    /**
     * Moves to the next chunk. Returns false at the end of the input, after the last chunk (at once
     * for an empty input).
     */
    public boolean next() throws IOException {
        start += chunkLength;
        chunkLength = 0;
        while (true) {
            int length = chunker.nextCut(buf, start, limit);
            if (length != GearChunker.NEED_MORE) {
                return found(length);
            }
            if (endOfInput) {
                return limit > start && found(limit - start);
            }
            fill();
        }
    }

    private boolean found(int length) {
        chunkStart = start;
        chunkLength = length;
        return true;
    }

    /** Moves the unchunked tail to the front and reads until the buffer is full or the input ends. */
    private void fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, limit - start);
            bufferBase += start;
            limit -= start;
            start = 0;
        }
        while (limit < buf.length) {
            int n = source.read(buf, limit, buf.length - limit);
            if (n < 0) {
                endOfInput = true;
                return;
            }
            limit += n;
        }
    }

    /** The current chunk's offset in the input. */
    public long offset() {
        return bufferBase + chunkStart;
    }

    /** The current chunk's length. */
    public int length() {
        return chunkLength;
    }

    /** The buffer holding the current chunk, valid until the next call to {@link #next()}. */
    public byte[] buffer() {
        return buf;
    }

    /** Where the current chunk starts in {@link #buffer()}. */
    public int bufferOffset() {
        return chunkStart;
    }

    /** The current chunk's place in the input. */
    public Chunk chunk() {
        if (chunkLength == 0) {
            throw new IllegalStateException("no current chunk: call next() first");
        }
        return new Chunk(offset(), chunkLength);
    }
}
