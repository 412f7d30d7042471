package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ferry.it.support.Proc;

/** The {@code ./ferryd} launcher at the repository root runs the packaged jar with its dependencies. */
class LauncherTest {

    @Test
    void theLauncherRunsThePackagedServer() {
        Path repo = Path.of(System.getProperty("user.dir")).getParent();
        Path launcher = repo.resolve("ferryd");
        assertTrue(Files.isExecutable(launcher), launcher + " is executable");
        // The reactor packaged sshd-server before these tests, so the launcher finds the jar current
        // and does not build; a stale jar would be rebuilt here (slower, same result).
        Proc.Result r = Proc.run(List.of(launcher.toString(), "--version"), repo, 600);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("ferryd 0.1"), r.all());
        Proc.Result help = Proc.run(List.of(launcher.toString(), "user", "--help"), repo, 120);
        assertTrue(help.out().contains("add-key"), help.all());
    }
}
