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
}
