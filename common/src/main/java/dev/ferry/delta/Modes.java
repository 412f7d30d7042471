package dev.ferry.delta;

import java.util.EnumSet;
import java.util.Set;
import java.nio.file.attribute.PosixFilePermission;

/** Unix permission bits as a number (0644) and as the JDK's set of permissions, both ways. */
public final class Modes {

    /** OWNER_READ first: the JDK's order, from bit 8 down to bit 0. */
    private static final PosixFilePermission[] ORDER = PosixFilePermission.values();

    private Modes() {
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
