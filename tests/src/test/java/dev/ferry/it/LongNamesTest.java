package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerryCli;
import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.SshdFixture;

/**
 * Names as long as the file system takes (255 bytes) go where scp takes them, although Ferry
 * writes each file under a longer temporary name first: ferry cp, cp -r and sync, up and down, to
 * ferryd and to OpenSSH's sshd. Two long names that differ only at their end stay apart.
 */
class LongNamesTest {

    @RegisterExtension
    static final SshdFixture sshd = new SshdFixture();
    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    private static final List<String> NAMES = List.of("n".repeat(255), "é".repeat(127),
            "x".repeat(245) + "-one", "x".repeat(245) + "-two");

    private static Path tree(Path under) throws Exception {
        Path top = Files.createDirectories(under.resolve("long"));
        for (String name : NAMES) {
            Files.writeString(top.resolve(name), "content of " + name.substring(name.length() - 4) + "\n");
        }
        Files.createDirectories(top.resolve("d".repeat(255)));
        Files.writeString(top.resolve("d".repeat(255)).resolve("m".repeat(250)), "deep\n");
        return top;
    }

    private static List<String> contents(Path top) throws Exception {
        List<String> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(top)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                all.add(top.relativize(f) + "=" + Files.readString(f));
            }
        }
        return all;
    }

    private static Proc.Result ferry(Path cwd, String verb, List<String> options, String... rest) {
        List<String> args = new ArrayList<>(List.of(verb));
        args.addAll(options);
        args.addAll(List.of(rest));
        return FerryCli.run(cwd, args.toArray(String[]::new));
    }

    @Test
    void longNamesGoUpAndDownWithCpAndSyncOnBothServers() throws Exception {
        for (boolean openSsh : new boolean[] {true, false}) {
            Path local = openSsh ? sshd.newLocalDir() : ferryd.newLocalDir();
            Path src = tree(local);
            Path remoteRoot = openSsh ? sshd.root() : ferryd.rootOf("alice");
            String prefix = openSsh ? sshd.user() + "@127.0.0.1:" + remoteRoot + "/" : "alice@127.0.0.1:";
            List<String> options = openSsh ? sshd.ferryOptions() : ferryd.ferryOptions();
            String what = openSsh ? "sshd: " : "ferryd: ";

            Proc.Result one = ferry(local, "cp", options, "long/" + NAMES.get(0), prefix + NAMES.get(0));
            assertEquals(0, one.exit(), what + one.all());
            assertEquals(Files.readString(src.resolve(NAMES.get(0))), Files.readString(remoteRoot.resolve(NAMES.get(0))));

            Proc.Result up = ferry(local, "cp", options, "-r", "long", prefix + "cp-up");
            assertEquals(0, up.exit(), what + up.all());
            assertEquals(contents(src), contents(remoteRoot.resolve("cp-up")), what);
            Proc.Result down = ferry(local, "cp", options, "-r", prefix + "cp-up", "cp-down");
            assertEquals(0, down.exit(), what + down.all());
            assertEquals(contents(src), contents(local.resolve("cp-down")), what);

            Proc.Result syncUp = ferry(local, "sync", options, "-r", "long/", prefix + "sync-up");
            assertEquals(0, syncUp.exit(), what + syncUp.all());
            assertEquals(contents(src), contents(remoteRoot.resolve("sync-up")), what);
            for (String name : NAMES) { // changed, so that a delta (to ferryd) writes its temporary file
                Files.writeString(src.resolve(name), "changed " + name.substring(name.length() - 4) + "\n".repeat(2000));
            }
            Proc.Result again = ferry(local, "sync", options, "-r", "--mode", "delta", "long/", prefix + "sync-up");
            assertEquals(0, again.exit(), what + again.all());
            assertEquals(contents(src), contents(remoteRoot.resolve("sync-up")), what);
            Proc.Result syncDown = ferry(local, "sync", options, "-r", prefix + "sync-up/", "sync-down");
            assertEquals(0, syncDown.exit(), what + syncDown.all());
            assertEquals(contents(src), contents(local.resolve("sync-down")), what);
        }
    }
}
