package dev.ferry.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Where a socket write's completion runs, with and without a binding (the surefire JVM opens sun.nio.ch). */
class InlineCompletionsTest {

    private ExecutorService pool;
    private AsynchronousChannelGroup group;
    private AsynchronousServerSocketChannel server;
    private AsynchronousSocketChannel client;
    private AsynchronousSocketChannel accepted;

    @BeforeEach
    void connect() throws Exception {
        // as MINA's NIO2 transport: a group on a thread pool of its own
        pool = Executors.newFixedThreadPool(2);
        group = AsynchronousChannelGroup.withThreadPool(pool);
        server = AsynchronousServerSocketChannel.open(group).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = AsynchronousSocketChannel.open(group);
        var acceptedFuture = server.accept();
        client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
        accepted = acceptedFuture.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        accepted.close();
        server.close();
        group.shutdownNow();
        group.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aBoundThreadCompletesItsOwnWrites() throws Exception {
        assertTrue(InlineCompletions.available(), "the test JVM runs with --add-opens java.base/sun.nio.ch");
        List<Thread> completedOn = new ArrayList<>();
        try (InlineCompletions.Binding binding = InlineCompletions.bind(client)) {
            for (int i = 0; i < 40; i++) { // more than the JDK's 16 handlers in a row: refresh() restarts the count
                binding.refresh();
                completedOn.add(write());
            }
        }
        for (Thread t : completedOn) {
            assertEquals(Thread.currentThread(), t);
        }
        // closed: this is a plain thread again, and completions go back to the pool
        assertNotEquals(Thread.currentThread(), write());
    }

    @Test
    void withoutABindingAWriteCompletesOnAPoolThread() throws Exception {
        assertNotEquals(Thread.currentThread(), write());
    }

    @Test
    void aThreadBoundAlreadyIsLeftAsItIs() throws Exception {
        // a binding inside another (or on a pool thread the JDK bound) must not undo the outer one
        try (InlineCompletions.Binding outer = InlineCompletions.bind(client)) {
            try (InlineCompletions.Binding inner = InlineCompletions.bind(client)) {
                assertEquals(Thread.currentThread(), write());
            }
            assertEquals(Thread.currentThread(), write(), "the inner binding's close left the outer one");
        }
        assertNotEquals(Thread.currentThread(), write());
    }

    /** Writes a few bytes (the peer drains them) and returns the thread its handler ran on. */
    private Thread write() throws Exception {
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        client.write(ByteBuffer.wrap(new byte[64]), null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void a) {
                ran.complete(Thread.currentThread());
            }

            @Override
            public void failed(Throwable e, Void a) {
                ran.completeExceptionally(e);
            }
        });
        accepted.read(ByteBuffer.allocate(64)).get(10, TimeUnit.SECONDS);
        return ran.get(10, TimeUnit.SECONDS);
    }
}
