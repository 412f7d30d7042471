package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.FileDigest;
import dev.ferry.delta.protocol.FileEnd;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.fs.FileStamp;

/**
 * A sender whose file changed since its request went out ends it so that no receiver can keep it:
 * the digest in its FileEnd matches neither what it sent nor the file now.
 */
class ChangedSourceTest {

    @TempDir
    Path dir;

    private Path file() throws IOException {
        byte[] data = new byte[100_000];
        new Random(5).nextBytes(data);
        Path f = Files.write(dir.resolve("f.bin"), data);
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
        return f;
    }

    private static FileEnd end(ByteArrayOutputStream sent) throws IOException {
        MessageReader r = new MessageReader(new ByteArrayInputStream(sent.toByteArray()));
        FileEnd end = null;
        for (var m = r.read(); m.isPresent(); m = r.read()) {
            DeltaMessage message = m.get();
            if (message instanceof FileEnd e) {
                end = e;
            }
        }
        return end;
    }

    private static Diff.Stats send(Path f, FileStamp before, boolean whole, ByteArrayOutputStream bytes)
            throws IOException {
        MessageWriter w = new MessageWriter(bytes);
        Diff.Stats stats = whole ? Diff.sendWhole(f, before, false, FileDigest.DEFAULT, 0644, 0, w)
                : Diff.send(f, before, ChunkerParams.ofAverage(1024), new ChunkIndex(8), false, FileDigest.DEFAULT, 0644, 0,
                        w);
        w.flush();
        return stats;
    }

    @Test
    void aFileThatHeldStillEndsWithItsOwnDigest() throws IOException {
        Path f = file();
        for (boolean whole : new boolean[] {true, false}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            assertFalse(send(f, Diff.stampOf(FileFacts.of(f)), whole, bytes).changed());
            assertArrayEquals(FileHash.of(f, FileDigest.DEFAULT), end(bytes).digest());
        }
    }

    @Test
    void aFileChangedSinceItsRequestEndsWithADigestNothingMatches() throws IOException {
        Path f = file();
        for (boolean whole : new boolean[] {true, false}) {
            FileStamp before = Diff.stampOf(FileFacts.of(f));
            Files.write(f, new byte[10], StandardOpenOption.APPEND); // after the request, before the read ends
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            assertTrue(send(f, before, whole, bytes).changed());
            byte[] read = FileHash.of(f, FileDigest.DEFAULT); // what was read: the file as it is now
            byte[] ended = end(bytes).digest();
            for (int i = 0; i < read.length; i++) {
                assertTrue(read[i] == (byte) ~ended[i], "every bit inverted");
            }
        }
    }
}
