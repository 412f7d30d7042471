package dev.ferry.client.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.channels.SocketChannel;
import java.util.EnumSet;
import java.util.Set;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import dev.ferry.client.FerryException;

/**
 * Who may use a control socket: only the user who runs Ferry. The directory is private, the socket
 * is 0600, and each end checks the other's uid with SO_PEERCRED, so nobody else can run copies
 * on the user's connection nor pose as the user's master.
 */
final class Owners {

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private Owners() {
    }

    /** The user this process runs as (the owner of {@code /proc/self}: the effective uid). */
    static UserPrincipal me() throws IOException {
        return Files.getOwner(Path.of("/proc/self"));
    }

    /** Refuses a socket directory that is not the user's own or that others may enter or list. */
    static void requirePrivateDirectory(Path dir) throws FerryException {
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
            if (!a.isDirectory()) {
                throw new FerryException("ferry: ControlPath directory " + dir + " is not a directory");
            }
            if (!a.owner().getName().equals(me().getName())) {
                throw new FerryException("ferry: ControlPath directory " + dir + " belongs to " + a.owner().getName()
                        + "; put control sockets in a directory of your own such as ~/.ssh");
            }
            if (a.permissions().stream().anyMatch(OTHERS::contains)) {
                throw new FerryException("ferry: ControlPath directory " + dir + " is open to other users; "
                        + "chmod 700 it or put control sockets in a private directory such as ~/.ssh");
            }
        } catch (IOException e) {
            throw new FerryException("ferry: ControlPath directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether the socket file at {@code path} is a socket owned by this user. */
    static boolean ownSocket(Path path) throws IOException {
        PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.isOther() && a.owner().getName().equals(me().getName());
    }

    /** The user at the other end of a Unix socket, by the kernel's word (SO_PEERCRED). */
    static String peer(SocketChannel channel) throws IOException {
        UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        return peer.user().getName();
    }

    static boolean peerIsMe(SocketChannel channel) throws IOException {
        return peer(channel).equals(me().getName());
    }
}
