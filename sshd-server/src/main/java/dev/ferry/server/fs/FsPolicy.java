package dev.ferry.server.fs;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a user may do inside their root.
 *
 * @param readOnly   no write, create, delete, rename or attribute change of any kind
 * @param umask      bits removed from the mode of every file and directory the user creates
 * @param allowLinks whether the user may create symbolic and hard links (always only inside the root)
 */
public record FsPolicy(boolean readOnly, int umask, boolean allowLinks) {

    public static final int DEFAULT_UMASK = 0022;
    public static final FsPolicy DEFAULT = new FsPolicy(false, DEFAULT_UMASK, false);

    public FsPolicy {
        if ((umask & ~0777) != 0) {
            throw new IllegalArgumentException("umask must be within 0777: " + Integer.toOctalString(umask));
        }
    }

    /** {@code requested} with the umask applied. */
    public Set<PosixFilePermission> mask(Set<PosixFilePermission> requested) {
        return Modes.toPermissions(Modes.toMode(requested) & ~umask);
    }

    /** The mode a new file or directory gets when the client asked for none. */
    public Set<PosixFilePermission> defaultFor(boolean directory) {
        return Modes.toPermissions((directory ? 0777 : 0666) & ~umask);
    }

    /** Permission sets, as Java models them, to and from the octal modes users write. */
    public static final class Modes {
        private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };

        private Modes() {
        }

        public static int toMode(Set<PosixFilePermission> permissions) {
            int mode = 0;
            for (int i = 0; i < BITS.length; i++) {
                if (permissions.contains(BITS[i])) {
                    mode |= 1 << i;
                }
            }
            return mode;
        }

        public static Set<PosixFilePermission> toPermissions(int mode) {
            Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
            for (int i = 0; i < BITS.length; i++) {
                if ((mode & (1 << i)) != 0) {
                    set.add(BITS[i]);
                }
            }
            return set;
        }

        /** Parses an octal mode such as {@code 022} or {@code 0644}. */
        public static int parseOctal(String text) {
            try {
                int mode = Integer.parseInt(text.strip(), 8);
                if (mode < 0 || mode > 07777) {
                    throw new NumberFormatException();
                }
                return mode;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an octal mode: " + text);
            }
        }
    }
}
