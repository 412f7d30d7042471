package dev.ferry.server.fs;

import static java.nio.file.attribute.PosixFilePermissions.fromString;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ferry.server.fs.FsPolicy.Modes;

class FsPolicyTest {

    private static final FsPolicy UMASK_022 = new FsPolicy(false, 0022, false);
    private static final FsPolicy UMASK_077 = new FsPolicy(false, 0077, false);

    @Test
    void umask022RemovesWriteForGroupAndOthers() {
        assertEquals(fromString("rwxr-xr-x"), UMASK_022.mask(fromString("rwxrwxrwx")));
        assertEquals(fromString("rw-r--r--"), UMASK_022.mask(fromString("rw-rw-rw-")));
        assertEquals(fromString("r--------"), UMASK_022.mask(fromString("r--------")));
    }

    @Test
    void umask077RemovesEverythingForGroupAndOthers() {
        assertEquals(fromString("rwx------"), UMASK_077.mask(fromString("rwxrwxrwx")));
        assertEquals(fromString("rw-------"), UMASK_077.mask(fromString("rw-r--r--")));
    }

    @Test
    void defaultModesAre777ForDirectoriesAnd666ForFilesLessTheUmask() {
        assertEquals(fromString("rwxr-xr-x"), UMASK_022.defaultFor(true));
        assertEquals(fromString("rw-r--r--"), UMASK_022.defaultFor(false));
        assertEquals(fromString("rwx------"), UMASK_077.defaultFor(true));
        assertEquals(fromString("rw-------"), UMASK_077.defaultFor(false));
    }

    @Test
    void modesConvertBothWays() {
        assertEquals(0754, Modes.toMode(fromString("rwxr-xr--")));
        assertEquals(fromString("rw-r-----"), Modes.toPermissions(0640));
        assertEquals(fromString("---------"), Modes.toPermissions(0));
    }

    @Test
    void parseOctalReadsOctalModes() {
        assertEquals(18, Modes.parseOctal("022"));
        assertEquals(0644, Modes.parseOctal("0644"));
        assertEquals(0755, Modes.parseOctal(" 755 "));
        assertEquals(07777, Modes.parseOctal("7777"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "8", "089", "abc", "-1", "10000", "0x1f", "6 4 4"})
    void parseOctalRefusesAnythingElse(String text) {
        assertThrows(IllegalArgumentException.class, () -> Modes.parseOctal(text));
    }

    @Test
    void aUmaskBeyond0777IsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new FsPolicy(false, 01000, false));
        assertThrows(IllegalArgumentException.class, () -> new FsPolicy(false, 02022, false));
        assertThrows(IllegalArgumentException.class, () -> new FsPolicy(false, -1, false));
        assertDoesNotThrow(() -> new FsPolicy(false, 0777, false));
    }
}
