package dev.ferry.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file channel whose growth is told to a {@link SpaceAccount} before it happens: a write past the
 * end of the file is counted, or refused with {@link QuotaExceededException} and nothing written;
 * a truncation is counted as freed. Once refused, every later write that would grow the file is
 * refused with the same exception (so that the refusal is reported once per upload, however many
 * writes a client has sent ahead).
 *
 * <p>Writes that grow a file are counted under the account's lock, each between two looks at the
 * file's size: two handles extending one file at once (a client writing ranges in parallel) count
 * what the file grew by, not what each thought it would. Writes inside the file take no lock.
 */
public final class AccountedChannel extends FileChannel {

    /** One operation on the channel that may grow the file. */
    @FunctionalInterface
    private interface Growing<T> {
        T run() throws IOException;
    }

    private final FileChannel delegate;
    private final SpaceAccount account;
    private final String path;
    private final long allowance;
    private volatile QuotaExceededException refused;

    private AccountedChannel(FileChannel delegate, SpaceAccount account, String path, long allowance) {
        this.delegate = delegate;
        this.account = account;
        this.path = path;
        this.allowance = Math.max(0, allowance);
    }

    /**
     * {@code channel}, counted in {@code account} ({@code channel} itself when the account counts
     * nothing).
     *
     * @param path      the file's name as the user sees it, for a refusal
     * @param allowance the size of the file this one will replace (see {@link SpaceAccount#growing})
     */
    public static FileChannel of(FileChannel channel, SpaceAccount account, String path, long allowance) {
        return account.counts() ? new AccountedChannel(channel, account, path, allowance) : channel;
    }

    private <T> T growing(long end, Growing<T> op) throws IOException {
        if (end <= delegate.size()) {
            return op.run();
        }
        synchronized (account) {
            long before = delegate.size();
            long growth = end - before;
            if (growth <= 0) {
                return op.run();
            }
            if (refused != null) {
                throw refused;
            }
            try {
                account.growing(path, growth, allowance);
            } catch (QuotaExceededException e) {
                refused = e;
                throw e;
            }
            try {
                return op.run();
            } finally {
                long grown = delegate.isOpen() ? delegate.size() - before : 0;
                if (grown < growth) {
                    account.shrunk(growth - Math.max(0, grown)); // written short, or not at all
                }
            }
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return growing(delegate.position() + src.remaining(), () -> delegate.write(src));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
        }
        return growing(delegate.position() + n, () -> delegate.write(srcs, offset, length));
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return growing(position + src.remaining(), () -> delegate.write(src, position));
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return growing(position + count, () -> delegate.transferFrom(src, position, count));
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        // a mapping past the end extends the file
        return growing(position + size, () -> delegate.map(mode, position, size));
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        synchronized (account) {
            long before = delegate.size();
            delegate.truncate(size);
            long freed = before - delegate.size();
            if (freed > 0) {
                account.shrunk(freed);
            }
        }
        return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public void force(boolean metaData) throws IOException {
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
