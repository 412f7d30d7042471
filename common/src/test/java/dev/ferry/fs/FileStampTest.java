package dev.ferry.fs;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStampTest {

    @TempDir
    Path dir;

    /** A file of 1000 bytes dated a minute back, so that a write now moves its time. */
    private Path file(String name) throws IOException {
        Path f = Files.write(dir.resolve(name), new byte[1000]);
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
        return f;
    }

    @Test
    void aFileReadWholeAndLeftAloneVerifies() throws IOException {
        Path f = file("still");
        FileStamp before = FileStamp.of(f);
        assertDoesNotThrow(() -> before.verify("still", 1000, FileStamp.after(f)));
        FileStamp unix = FileStamp.ofUnix(f);
        assertFalse(unix.changed(1000, FileStamp.ofUnix(f)));
    }

    @Test
    void aRewriteOfTheSameSizeIsToldByItsTime() throws IOException {
        Path f = file("rewritten");
        FileStamp before = FileStamp.of(f);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(1);
        }
        assertEquals(before.size(), Files.size(f));
        SourceChangedException e = assertThrows(SourceChangedException.class,
                () -> before.verify("dir/rewritten", 1000, FileStamp.after(f)));
        assertEquals("dir/rewritten: changed while it was being copied; the copy was not kept", e.getMessage());
    }

    @Test
    void bytesReadOtherThanTheSizeAreAChangeEvenWithTheSameStamp() throws IOException {
        Path f = file("short");
        FileStamp before = FileStamp.of(f);
        assertTrue(before.changed(999, FileStamp.after(f)), "shrank and grew back");
        assertTrue(before.changed(1001, FileStamp.after(f)), "grew");
    }

    @Test
    void aFileGoneOrReplacedByARenameCountsAsChanged() throws IOException {
        Path f = file("replaced");
        FileStamp before = FileStamp.ofUnix(f);
        Path other = file("other");
        Files.setLastModifiedTime(other, Files.getLastModifiedTime(f)); // same size and time: only identity differs
        Files.move(other, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertTrue(before.changed(1000, FileStamp.ofUnix(f)));
        Files.delete(f);
        assertTrue(before.changed(1000, FileStamp.ofUnix(f)));
        assertNull(FileStamp.after(f));
    }
}
