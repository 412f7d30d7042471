package dev.ferry.client.transfer;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;

import dev.ferry.client.sftp.Download;
import dev.ferry.client.sftp.SftpPipe;
import dev.ferry.transport.InlineCompletions;

/**
 * {@code --streams N}: one large file copied as N byte ranges, each over a connection of its own,
 * written in place at its offsets. Against a server whose per-channel window cannot be changed
 * (stock OpenSSH: 2 MiB), N connections carry N windows. A range whose connection fails is copied
 * again, from its start, over a new connection; if that fails too, the copy fails.
 */
public final class ParallelRanges {

    /** Opens a fresh, authenticated connection for one stream; it is closed when the range is done. */
    @FunctionalInterface
    public interface Streams {
        ClientSession connect() throws IOException;
    }

    record Range(long start, long end) {
        long length() {
            return end - start;
        }
    }

    private final Streams streams;
    private final int count;
    private final int requestSize;

    ParallelRanges(Streams streams, int count, int requestSize) {
        this.streams = streams;
        this.count = count;
        this.requestSize = requestSize;
    }

    /** {@code size} split into at most {@code count} ranges, each a multiple of the request size but the last. */
    static List<Range> split(long size, int count, int align) {
        long per = Math.max(align, (size / count + align - 1) / align * align);
        List<Range> ranges = new ArrayList<>();
        for (long start = 0; start < size; start += per) {
            ranges.add(new Range(start, Math.min(size, start + per)));
        }
        return ranges;
    }

    /** Returns the bytes copied (the file's size). */
    long upload(Path local, String remote, long size, LongConsumer progress) throws IOException {
        run(split(size, count, requestSize), range -> {
            ClientSession connection = streams.connect();
            try (connection; SftpClient sftp = SftpClients.open(connection);
                    FileChannel in = FileChannel.open(local, StandardOpenOption.READ)) {
                SftpOutputStreamAsync out = new SftpOutputStreamAsync((AbstractSftpClient) sftp, requestSize, remote,
                        sftp.open(remote, EnumSet.of(OpenMode.Write)));
                try (out; InlineCompletions.Binding inline = InlineCompletions.bind(connection.getIoSession())) {
                    out.setOffset(range.start());
                    ByteBuffer buffer = ByteBuffer.allocate(requestSize);
                    long position = range.start();
                    while (position < range.end()) {
                        inline.refresh();
                        buffer.clear().limit((int) Math.min(requestSize, range.end() - position));
                        int n = in.read(buffer, position);
                        if (n < 0) {
                            throw new EOFException(local + " shrank while it was copied");
                        }
                        out.write(buffer.array(), 0, n);
                        position += n;
                        progress.accept(n);
                    }
                }
            }
        });
        return size;
    }

    /**
     * Returns the bytes copied (the file's size). Each range goes through an {@link SftpPipe} on
     * its stream's connection, written at its offsets as the replies arrive (Download says why).
     */
    long download(String remote, Path local, long size, LongConsumer progress) throws IOException {
        try (FileChannel out = FileChannel.open(local, StandardOpenOption.WRITE)) {
            run(split(size, count, requestSize), range -> {
                // Only Ferry's own channel on this connection: a stock server starts one SFTP
                // process per channel, and each was seen to wait seconds for its turn to start
                // while the other streams' data took both cores.
                ClientSession connection = streams.connect();
                Duration timeout = SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.getRequired(connection);
                long[] reported = {0};
                try (connection; SftpPipe pipe = SftpPipe.open(connection, timeout)) {
                    Download.copyRange(pipe, remote, out, range.start(), range.end(), requestSize,
                            CoreModuleProperties.IDLE_TIMEOUT.getRequired(connection), bytes -> {
                                progress.accept(bytes - reported[0]);
                                reported[0] = bytes;
                            });
                }
            });
        }
        return size;
    }

    @FunctionalInterface
    private interface RangeCopy {
        void copy(Range range) throws IOException;
    }

    private void run(List<Range> ranges, RangeCopy copy) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(ranges.size(), r -> {
            Thread t = new Thread(r, "ferry-stream");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Range range : ranges) {
                futures.add(pool.submit(() -> {
                    try {
                        copy.copy(range);
                    } catch (IOException first) {
                        copy.copy(range); // once more, over a new connection; a second failure fails the copy
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw cause instanceof IOException io ? io : new IOException(cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
