package dev.ferry.it.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ferry} run as its own process, as a user runs it (the test's class path stands in for the
 * launcher's jar), so that exit codes, stdout and stderr are the real ones.
 */
public final class FerryCli {

    private FerryCli() {
    }

    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.ferry.client.cli.FerryMain"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static Proc.Result run(Path cwd, String... args) {
        return run(cwd, Map.of(), args);
    }

    public static Proc.Result run(Path cwd, Map<String, String> env, String... args) {
        return Proc.run(command(args), cwd, env, null, 120);
    }

    /**
     * {@code ferry} as a user who is refused what file modes refuse: the tests run as root, whom
     * {@code chmod 000} does not stop, so the process gives up the capabilities that override
     * file modes (setpriv drops them from its bounding set; still uid 0, it owns the test's files
     * and reads them through their owner bits, so a mode of 000 refuses it as it would refuse a user).
     */
    public static Proc.Result runBoundByModes(Path cwd, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Peers.require("setpriv"),
                "--bounding-set=-dac_override,-dac_read_search", "--"));
        cmd.addAll(command(args));
        return Proc.run(cmd, cwd, Map.of(), null, 120);
    }
}
