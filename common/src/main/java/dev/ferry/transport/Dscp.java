package dev.ferry.transport;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;

/**
 * Sets and reads the IP TOS byte of MINA's sockets. Java's {@link AsynchronousSocketChannel} (which
 * MINA's NIO2 transport uses) does not offer IP_TOS, though the kernel does; the JDK's own
 * {@code sun.nio.ch.Net} sets it on the channel's descriptor. That needs
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, which the launchers pass; without it the
 * mark is not set and {@link #set} says why.
 */
final class Dscp {

    private Dscp() {
    }

    /** Sets the TOS byte; returns null on success, else why it could not be set. */
    static String set(AsynchronousSocketChannel socket, int tos) {
        try {
            Method m = net().getDeclaredMethod("setSocketOption", FileDescriptor.class, ProtocolFamily.class,
                    SocketOption.class, Object.class);
            m.setAccessible(true);
            m.invoke(null, fd(socket), family(socket), StandardSocketOptions.IP_TOS, tos);
            return null;
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            return "IP_TOS not set (" + e.getClass().getSimpleName()
                    + "; run with --add-opens java.base/sun.nio.ch=ALL-UNNAMED)";
        }
    }

    /** The TOS byte the kernel has for the socket, or -1 when it cannot be read. */
    static int get(AsynchronousSocketChannel socket) {
        try {
            Method m = net().getDeclaredMethod("getSocketOption", FileDescriptor.class, ProtocolFamily.class,
                    SocketOption.class);
            m.setAccessible(true);
            return (Integer) m.invoke(null, fd(socket), family(socket), StandardSocketOptions.IP_TOS);
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Class<?> net() throws ClassNotFoundException {
        return Class.forName("sun.nio.ch.Net");
    }

    private static FileDescriptor fd(AsynchronousSocketChannel socket) throws ReflectiveOperationException {
        for (Class<?> c = socket.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("fd");
                f.setAccessible(true);
                return (FileDescriptor) f.get(socket);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException("fd");
    }

    private static ProtocolFamily family(AsynchronousSocketChannel socket) throws IOException {
        return socket.getLocalAddress() instanceof InetSocketAddress a && a.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }
}
