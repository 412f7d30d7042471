package dev.ferry.client.sftp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.sshd.common.util.buffer.Buffer;

/**
 * What is done with one request's reply, on MINA's I/O thread as it arrives. Handlers must not
 * block on the network (the thread that calls them is the one that reads it); writing to a local
 * file is fine.
 */
public interface Reply {

    /** A piece of a DATA reply's payload, in order; the array is MINA's and is reused after the call. */
    default void data(byte[] bytes, int off, int len) throws IOException {
        throw new IOException("the server sent data where none was asked for");
    }

    /** The reply is complete: its type and what follows its id (null for DATA, whose payload went to {@link #data}). */
    void complete(int type, Buffer body) throws IOException;

    /** The channel failed before the reply came. */
    void failed(IOException cause);

    /** For requests whose answer changes nothing (a cleanup, a close after a failure). */
    Reply IGNORED = new Reply() {
        @Override
        public void complete(int type, Buffer body) {
        }

        @Override
        public void failed(IOException cause) {
        }
    };

    /** A reply's type and body. */
    record Received(int type, Buffer body) {
    }

    /** A reply a thread waits for (requests outside the bulk path: open, close, rename). */
    final class Waiting implements Reply {
        private final CompletableFuture<Received> result = new CompletableFuture<>();

        @Override
        public void complete(int type, Buffer body) {
            result.complete(new Received(type, body));
        }

        @Override
        public void failed(IOException cause) {
            result.completeExceptionally(cause);
        }

        /** The reply, or the channel's failure. */
        public Received await(Duration timeout) throws IOException {
            try {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the server");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("the server did not answer in " + timeout.toSeconds() + " s");
            }
        }
    }
}
