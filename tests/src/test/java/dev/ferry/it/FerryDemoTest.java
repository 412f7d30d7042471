package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.Proc;

/** {@code ferry demo}, the README's first command: it serves, copies both ways, verifies and reports speeds. */
class FerryDemoTest {

    @TempDir
    Path dir;

    @Test
    void theDemoCopiesUpAndDownVerifiesAndPrintsTheSpeeds() {
        Proc.Result r = FerryCli.run(dir, "demo", "--size", "8");
        assertEquals(0, r.exit(), r.all());
        assertTrue(Pattern.compile("upload +8,388,608 bytes in [0-9.]+ s: \\d+ MB/s").matcher(r.out()).find(), r.all());
        assertTrue(Pattern.compile("download +8,388,608 bytes in [0-9.]+ s: \\d+ MB/s").matcher(r.out()).find(), r.all());
        assertTrue(r.out().contains("both copies verified"), r.all());
        assertTrue(r.out().contains("./ferry cp -P 2222"), r.all());
    }
}
