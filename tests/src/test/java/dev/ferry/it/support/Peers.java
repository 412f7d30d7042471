package dev.ferry.it.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the external programs the tests drive. A missing one skips the test on a developer's
 * machine but fails it when {@code CI=true}, so CI can never pass by skipping interop tests.
 */
public final class Peers {

    private static final String[] PATH = System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":");

    private Peers() {
    }

    /** The absolute path of {@code program}, or a skip (a failure under CI) when it is not installed. */
    public static String require(String program) {
        for (String dir : PATH) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        missing(program + " is not installed");
        return null;
    }

    /** IPv6's loopback address, ::1, usable for listening, or a skip (a failure under CI). */
    public static void requireIpv6Loopback() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
            return;
        } catch (java.io.IOException e) {
            missing("IPv6 loopback (::1) is not available: " + e.getMessage());
        }
    }

    /** {@code program} at a fixed path (for programs outside PATH, such as /usr/sbin/sshd), or a skip (a failure under CI). */
    public static String requireAt(Path program) {
        if (!Files.isExecutable(program)) {
            missing(program + " is not installed");
        }
        return program.toString();
    }

    /** Debian's python3 with the module {@code module} importable. */
    public static String requirePython(String module) {
        String python = "/usr/bin/python3";
        if (!Files.isExecutable(Path.of(python))) {
            missing(python + " is not installed");
        }
        Proc.Result r = Proc.run(java.util.List.of(python, "-c", "import " + module), null, 30);
        if (r.exit() != 0) {
            missing("python module " + module + " is not installed (" + r.err().strip() + ")");
        }
        return python;
    }

    private static void missing(String what) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(what + ", and CI=true requires every interop peer (.ci/run installs them)");
        }
        assumeTrue(false, what + "; skipped (set up by .ci/run)");
    }
}
