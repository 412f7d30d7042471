package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.Proc;

/** {@code ferry demo}, the README's first command: it serves, copies both ways, syncs, verifies and reports. */
class FerryDemoTest {

    @TempDir
    Path dir;

    @Test
    void theDemoCopiesUpAndDownSyncsAnEditVerifiesAndPrintsTheFigures() {
        Proc.Result r = FerryCli.run(dir, "demo", "--size", "8");
        assertEquals(0, r.exit(), r.all());
        assertTrue(Pattern.compile("upload +8,388,608 bytes in [0-9.]+ s: \\d+ MB/s").matcher(r.out()).find(), r.all());
        assertTrue(Pattern.compile("download +8,388,608 bytes in [0-9.]+ s: \\d+ MB/s").matcher(r.out()).find(), r.all());
        // ten one-byte edits of an 8 MiB file: a few chunks go, the rest is reused
        Matcher sync = Pattern.compile("sync +8\\.4 MB file after 10 small edits: ([0-9.]+) kB new, ([0-9.]+) MB reused")
                .matcher(r.out());
        assertTrue(sync.find(), r.all());
        assertTrue(Double.parseDouble(sync.group(1)) < 400, r.all());
        assertTrue(Double.parseDouble(sync.group(2)) > 7.5, r.all());
        assertTrue(r.out().contains("all four verified"), r.all());
        assertTrue(Pattern.compile("tree +400 files, [0-9.]+ [kM]B in 8 directories, synced in [0-9.]+ s").matcher(r.out()).find(), r.all());
        assertTrue(r.out().contains("./ferry cp -P 2222"), r.all());
        assertTrue(r.out().contains("./ferry sync -P 2222"), r.all());
    }
}
