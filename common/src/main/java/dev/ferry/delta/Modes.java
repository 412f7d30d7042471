package dev.ferry.delta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Unix permission bits as a number (0644) and as the JDK's set of permissions, both ways. */
public final class Modes {

    /** OWNER_READ first: the JDK's order, from bit 8 down to bit 0. */
    private static final PosixFilePermission[] ORDER = PosixFilePermission.values();

    private Modes() {
    }

    /**
     * Sets the permission bits (never setuid, setgid or sticky) where the file system has them, and
     * the modification time, through one view: one look-up of the path where each costs a realpath
     * (ferryd's confined root).
     */
    static void set(Path file, int mode, long mtimeMillis) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix == null) {
            Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeMillis));
            return;
        }
        set(posix, mode, mtimeMillis);
    }

    /** The same through a view already at hand (one relative to an open directory, say). */
    public static void set(PosixFileAttributeView posix, int mode, long mtimeMillis) throws IOException {
        posix.setPermissions(permissions(mode & 0777));
        posix.setTimes(FileTime.fromMillis(mtimeMillis), null, null);
    }

    public static int bits(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (int i = 0; i < ORDER.length; i++) {
            if (permissions.contains(ORDER[i])) {
                mode |= 1 << (ORDER.length - 1 - i);
            }
        }
        return mode;
    }

    /** The permissions of the low nine bits (setuid, setgid and sticky are never set this way). */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < ORDER.length; i++) {
            if ((mode & (1 << (ORDER.length - 1 - i))) != 0) {
                set.add(ORDER[i]);
            }
        }
        return set;
    }
}
