package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.Proc;

/**
 * The launchers at the repository root ({@code ./ferryd}, {@code ./ferry}, both through
 * {@code scripts/launch}) run the packaged jar with its dependencies and a class-data-sharing archive.
 */
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

    /**
     * The JVM ignores a class-data-sharing archive older than a jar of its class path, silently, and
     * starts 0.3 s slower; every build rewrites BouncyCastle's jars in lib/. So a jar in lib/ newer
     * than the archive must make the next run write a new one. Runs the real {@code scripts/launch}
     * on a made-up module whose jar prints the JVM options it was given.
     */
    @Test
    void anArchiveOlderThanALibraryJarIsMadeAgain(@TempDir Path repo) throws Exception {
        Path real = Path.of(System.getProperty("user.dir")).getParent();
        Files.createDirectories(repo.resolve("scripts"));
        Files.copy(real.resolve("scripts/launch"), repo.resolve("scripts/launch"));
        Instant past = Instant.now().minusSeconds(3600);
        for (String dir : List.of("common/src/main", "scp-client/src/main", "sshd-server/src/main")) {
            Files.createDirectories(repo.resolve(dir));
        }
        for (String pom : List.of("pom.xml", "common/pom.xml", "scp-client/pom.xml")) {
            Files.setLastModifiedTime(Files.writeString(repo.resolve(pom), "<project/>\n"), FileTime.from(past));
        }
        Path target = Files.createDirectories(repo.resolve("scp-client/target/lib"));
        Path library = target.resolve("library.jar");
        jar(library, null, null);
        Files.setLastModifiedTime(library, FileTime.from(past));
        Path classes = Files.createDirectories(repo.resolve("probe"));
        Path source = Files.writeString(classes.resolve("Probe.java"), "public class Probe { public static void"
                + " main(String[] a) { System.out.println(java.lang.management.ManagementFactory.getRuntimeMXBean()"
                + ".getInputArguments()); } }");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                source.toString()));
        Path jar = repo.resolve("scp-client/target/ferry.jar");
        jar(jar, "Probe", classes.resolve("Probe.class"));
        Files.setLastModifiedTime(jar, FileTime.from(past.plusSeconds(60)));
        List<String> launch = List.of("bash", repo.resolve("scripts/launch").toString(), "scp-client", "ferry", "go");

        Proc.Result first = Proc.run(launch, repo, 120);
        assertEquals(0, first.exit(), first.all());
        assertTrue(first.out().contains("-XX:ArchiveClassesAtExit="), first.all());
        Path archive = repo.resolve("scp-client/target/ferry.jsa");
        assertTrue(Files.exists(archive), "the first run wrote the archive");
        Proc.Result second = Proc.run(launch, repo, 120);
        assertTrue(second.out().contains("-XX:SharedArchiveFile="), second.all());

        // A build after the archive was made: the archive is older than a library jar.
        Files.setLastModifiedTime(archive, FileTime.from(past.plusSeconds(120)));
        Files.setLastModifiedTime(library, FileTime.from(past.plusSeconds(180)));
        Proc.Result afterBuild = Proc.run(launch, repo, 120);
        assertEquals(0, afterBuild.exit(), afterBuild.all());
        assertTrue(afterBuild.out().contains("-XX:ArchiveClassesAtExit="), "a library jar newer than the archive"
                + " makes the run write it again: " + afterBuild.all());
        Proc.Result fourth = Proc.run(launch, repo, 120);
        assertTrue(fourth.out().contains("-XX:SharedArchiveFile="), fourth.all());
    }

    /** A jar of {@code mainClass} with lib/library.jar on its class path, or of a manifest only. */
    private static void jar(Path jar, String mainClass, Path classFile) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/library.jar");
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            if (classFile != null) {
                out.putNextEntry(new JarEntry(mainClass + ".class"));
                out.write(Files.readAllBytes(classFile));
                out.closeEntry();
            }
        }
    }
}
