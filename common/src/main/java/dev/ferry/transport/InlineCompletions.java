package dev.ferry.transport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;

import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.nio2.Nio2Session;

/**
 * Lets a thread that writes a session's packets (a copy's upload loop) run the completion of its
 * own socket writes, as the transport's pool threads do.
 *
 * <p>Why: MINA writes each SSH packet with an asynchronous socket write. The write itself happens at
 * once on the calling thread, but the JDK runs its completion handler on the caller only when the
 * caller is a pool thread of the socket's channel group; from any other thread it hands the
 * completion to a pool thread (a wake-up), which completes MINA's write future and wakes the caller
 * waiting on it (a second one). Against OpenSSH's 32 KiB packets that is 65,000 wake-ups per GiB:
 * profiled, 37% of the client's CPU on an upload to sshd went to parking and unparking threads.
 * Bound to the group, the caller completes its own writes and nobody is woken; a write the kernel
 * cannot take at once still completes on a pool thread, as before.
 *
 * <p>How: the JDK marks its pool threads with a thread-local group binding
 * ({@code sun.nio.ch.Invoker}) and counts the handlers a thread runs in a row (at most 16, to bound
 * the stack), resetting the count for each event it serves. A bound thread that is not a pool thread
 * has nobody to reset it, so the loop calls {@link Binding#refresh()} once per block it writes. This
 * needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} (the launchers pass it, as for
 * {@link Dscp}); without it, or on another transport, {@link #bind} returns a binding that does
 * nothing and writes complete as before.
 */
public final class InlineCompletions {

    /** A binding of the calling thread; close it on the same thread when the loop ends. */
    public interface Binding extends AutoCloseable {
        /** Restarts the count of handlers run in a row (call between blocks, not inside a handler). */
        void refresh();

        @Override
        void close();
    }

    private static final Binding NONE = new Binding() {
        @Override
        public void refresh() {
        }

        @Override
        public void close() {
        }
    };

    /** Null when the JDK's internals are not reachable (no --add-opens, another JDK). */
    private static final Internals INTERNALS = Internals.find();

    private InlineCompletions() {
    }

    /** Whether bindings take effect in this JVM. */
    public static boolean available() {
        return INTERNALS != null;
    }

    /**
     * Binds the calling thread to the channel group of {@code io}'s socket, unless it is bound to a
     * group already (a pool thread, or an outer binding), in which case nothing changes.
     */
    public static Binding bind(IoSession io) {
        return io instanceof Nio2Session nio2 ? bind(nio2.getSocket()) : NONE;
    }

    /** As {@link #bind(IoSession)}, for a socket of the JDK's asynchronous channels. */
    public static Binding bind(AsynchronousSocketChannel socket) {
        if (INTERNALS == null) {
            return NONE;
        }
        try {
            return INTERNALS.bind(socket);
        } catch (Throwable e) {
            return NONE; // an unexpected JDK: writes complete as without the binding
        }
    }

    /** The JDK's handles, looked up once. */
    private record Internals(MethodHandle group, MethodHandle bindToGroup, MethodHandle current,
            MethodHandle resetCount, ThreadLocal<?> slot) {

        static Internals find() {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                Class<?> groupable = Class.forName("sun.nio.ch.Groupable");
                Class<?> groupImpl = Class.forName("sun.nio.ch.AsynchronousChannelGroupImpl");
                Class<?> invoker = Class.forName("sun.nio.ch.Invoker");
                Class<?> count = Class.forName("sun.nio.ch.Invoker$GroupAndInvokeCount");
                Method group = groupable.getDeclaredMethod("group");
                group.setAccessible(true);
                Method bind = invoker.getDeclaredMethod("bindToGroup", groupImpl);
                bind.setAccessible(true);
                Method current = invoker.getDeclaredMethod("getGroupAndInvokeCount");
                current.setAccessible(true);
                Method reset = count.getDeclaredMethod("resetInvokeCount");
                reset.setAccessible(true);
                Field slot = invoker.getDeclaredField("myGroupAndInvokeCount");
                slot.setAccessible(true);
                return new Internals(
                        lookup.unreflect(group).asType(MethodType.methodType(Object.class, Object.class)),
                        lookup.unreflect(bind).asType(MethodType.methodType(void.class, Object.class)),
                        lookup.unreflect(current).asType(MethodType.methodType(Object.class)),
                        lookup.unreflect(reset).asType(MethodType.methodType(void.class, Object.class)),
                        (ThreadLocal<?>) slot.get(null));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // InaccessibleObjectException without --add-opens
            }
        }

        Binding bind(AsynchronousSocketChannel socket) throws Throwable {
            Object group = this.group.invoke((Object) socket);
            if (!(group instanceof AsynchronousChannelGroup) || current.invoke() != null) {
                return NONE;
            }
            bindToGroup.invoke(group);
            Object binding = current.invoke();
            return new Binding() {
                @Override
                public void refresh() {
                    try {
                        resetCount.invoke(binding);
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public void close() {
                    slot.remove(); // the thread is a plain thread again
                }
            };
        }
    }
}
