package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;

/**
 * The launchers at the repository root ({@code ./ferryd}, {@code ./ferry}, both through
 * {@code scripts/launch}) run the packaged jar with its dependencies on the newest JDK they find, with
 * an ahead-of-time cache (JDK 24 and later) or a class-data-sharing archive (JDK 17).
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
     * than the archive must make the next run write a new one. Runs the real {@code scripts/launch},
     * on this JDK (17), on a made-up module whose jar prints the JVM options it was given.
     */
    @Test
    void anArchiveOlderThanALibraryJarIsMadeAgain(@TempDir Path repo) throws Exception {
        Path library = probeModule(repo);
        Map<String, String> env = Map.of("FERRY_JAVA", System.getProperty("java.home"));
        int feature = Runtime.version().feature();

        Proc.Result first = launch(repo, env);
        assertEquals(0, first.exit(), first.all());
        assertTrue(first.out().contains("-XX:ArchiveClassesAtExit="), first.all());
        Path archive = repo.resolve("scp-client/target/ferry-jdk" + feature + ".jsa");
        assertTrue(Files.exists(archive), "the first run wrote the archive, named for its JDK");
        Proc.Result second = launch(repo, env);
        assertTrue(second.out().contains("-XX:SharedArchiveFile=" + archive), second.all());

        // A build after the archive was made: the archive is older than a library jar.
        Files.setLastModifiedTime(archive, FileTime.from(PAST.plusSeconds(120)));
        Files.setLastModifiedTime(library, FileTime.from(PAST.plusSeconds(180)));
        Proc.Result afterBuild = launch(repo, env);
        assertEquals(0, afterBuild.exit(), afterBuild.all());
        assertTrue(afterBuild.out().contains("-XX:ArchiveClassesAtExit="), "a library jar newer than the archive"
                + " makes the run write it again: " + afterBuild.all());
        Proc.Result fourth = launch(repo, env);
        assertTrue(fourth.out().contains("-XX:SharedArchiveFile="), fourth.all());
    }

    /**
     * A build started by the launcher (the sources changed) while another Ferry process runs from the
     * same jars: the running process keeps reading the jars it opened, as they were, because the old
     * files are renamed aside before the build writes new ones; nothing is left beside them after.
     * The build here is a stand-in mvn that rewrites the jars in place, as Maven's plugins do.
     */
    @Test
    void aBuildUnderARunningProcessLeavesItsOpenJarsAsTheyWere(@TempDir Path repo) throws Exception {
        Path library = probeModule(repo);
        Path jar = repo.resolve("scp-client/target/ferry.jar");
        Path fresh = Files.createDirectories(repo.resolve("fresh"));
        Files.copy(jar, fresh.resolve("ferry.jar"));
        Files.write(fresh.resolve("library.jar"), Files.readAllBytes(library));
        Files.write(library, new byte[] {'o', 'l', 'd'}); // what the running process has open
        Path bin = Files.createDirectories(repo.resolve("fake-bin"));
        Path mvn = Files.writeString(bin.resolve("mvn"), "#!/bin/sh\n"
                + "cp " + fresh.resolve("ferry.jar") + " " + jar + "\n" // cp onto an existing file writes in place
                + "cp " + fresh.resolve("library.jar") + " " + library + "\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(repo.resolve("scp-client/src/main/Changed.java"), "// newer than the jar\n");

        try (FileChannel running = FileChannel.open(library)) {
            Proc.Result r = launch(repo, Map.of("FERRY_JAVA", System.getProperty("java.home"),
                    "PATH", bin + ":" + System.getenv("PATH")));
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.err().contains("building"), r.all());
            ByteBuffer seen = ByteBuffer.allocate(16);
            running.read(seen, 0);
            assertEquals("old", new String(seen.array(), 0, seen.position(), StandardCharsets.US_ASCII),
                    "the running process still reads the jar it opened");
        }
        assertTrue(Files.size(library) > 3, "the build wrote a new library jar");
        try (Stream<Path> left = Files.walk(repo.resolve("scp-client/target"))) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().contains(".old-")).toList());
        }
    }

    /**
     * JDK 24 and later: before the first run after a build, a training run (ferry demo, a copy through
     * an embedded ferryd) records what a copy loads and how its code runs; the cache is assembled from
     * it and the first run already has it; a build makes the cycle start again. The JVM's own
     * messages about the cache must not reach standard output, where they would mix with {@code --json}.
     */
    @Test
    void aNewJdkRunsWithAnAheadOfTimeCacheTrainedByACopy(@TempDir Path repo) throws Exception {
        Path jdk = newestInstalledJdk(24);
        Path library = probeModule(repo);
        Map<String, String> env = Map.of("FERRY_JAVA", jdk.toString());
        int feature = feature(jdk);
        Path conf = repo.resolve("scp-client/target/ferry-jdk" + feature + ".aotconf");
        Path cache = repo.resolve("scp-client/target/ferry-jdk" + feature + ".aot");
        Path runs = repo.resolve("runs.log");

        Proc.Result first = launch(repo, env);
        assertEquals(0, first.exit(), first.all());
        assertTrue(first.err().contains("training the start-up cache"), first.all());
        assertTrue(first.err().contains("making the start-up cache"), first.all());
        assertEquals(List.of("demo --size 128", "go"), Files.readAllLines(runs), "the training ran first");
        assertTrue(first.out().contains("-XX:AOTCache=" + cache), "the first run has the cache: " + first.all());
        assertEquals(1, first.out().lines().count(), "only the program's own line on stdout: " + first.all());
        assertTrue(first.out().contains("-XX:CompilerDirectivesFile=" + repo.resolve("scripts/jit-directives.json")),
                "a run of ferry gets the short-run compiler directives: " + first.all());
        assertTrue(Files.exists(cache) && !Files.exists(conf), "the cache replaced the recording");

        Proc.Result cached = launch(repo, env);
        assertTrue(cached.out().contains("-XX:AOTCache=" + cache), cached.all());
        assertFalse(cached.err().contains("training") || cached.err().contains("making"),
                "the cache is made once: " + cached.all());
        assertEquals(3, Files.readAllLines(runs).size(), "no second training");

        Files.setLastModifiedTime(cache, FileTime.from(PAST.plusSeconds(120)));
        Files.setLastModifiedTime(library, FileTime.from(PAST.plusSeconds(180)));
        Proc.Result version = launch(repo, env, "--version");
        assertFalse(version.err().contains("training"), "printing the version trains nothing: " + version.all());
        Proc.Result afterBuild = launch(repo, env);
        assertTrue(afterBuild.err().contains("training the start-up cache"), "a library jar newer than the cache"
                + " makes the launcher train it again: " + afterBuild.all());
        assertTrue(afterBuild.out().contains("-XX:AOTCache=" + cache), afterBuild.all());
    }

    /**
     * A copy handed to a control master (ControlMaster or ControlPath on the command line or in an
     * ssh_config file) runs with a small cache of its own, recorded from the first such run after
     * a build, and names the copy's cache for the master it may start; other copies keep the
     * copy's cache.
     */
    @Test
    void anAttachingRunHasACacheOfItsOwn(@TempDir Path repo) throws Exception {
        Path jdk = newestInstalledJdk(24);
        probeModule(repo);
        Map<String, String> env = Map.of("FERRY_JAVA", jdk.toString(), "HOME", repo.toString());
        int feature = feature(jdk);
        Path cache = repo.resolve("scp-client/target/ferry-jdk" + feature + ".aot");
        Path attachConf = repo.resolve("scp-client/target/ferry-jdk" + feature + "-attach.aotconf");
        Path attachCache = repo.resolve("scp-client/target/ferry-jdk" + feature + "-attach.aot");
        List<String> muxed = List.of("cp", "-o", "ControlMaster=auto", "a", "h:b");

        Proc.Result first = launch(repo, env, muxed);
        assertEquals(0, first.exit(), first.all());
        assertTrue(first.out().contains("-XX:AOTConfiguration=" + attachConf) && first.out().contains(
                "-Dferry.aot.master=" + cache), "the first attaching run records: " + first.all());
        Proc.Result second = launch(repo, env, muxed);
        assertTrue(second.err().contains("making the start-up cache of attaching runs"), second.all());
        assertTrue(second.out().contains("-XX:AOTCache=" + attachCache) && second.out().contains(
                "-Dferry.aot.master=" + cache), second.all());
        assertFalse(Files.exists(attachConf), "the cache replaced the recording");

        Proc.Result plain = launch(repo, env, List.of("cp", "a", "h:b"));
        assertTrue(plain.out().contains("-XX:AOTCache=" + cache + ",") || plain.out().contains("-XX:AOTCache=" + cache + "]"),
                "a copy without multiplexing keeps the copy's cache: " + plain.all());
        Files.createDirectories(repo.resolve(".ssh"));
        Files.writeString(repo.resolve(".ssh/config"), "Host *\n  ControlPath ~/.ssh/cm-%C\n");
        Proc.Result configured = launch(repo, env, List.of("sync", "a", "h:b"));
        assertTrue(configured.out().contains("-XX:AOTCache=" + attachCache), "ssh_config's ControlPath: "
                + configured.all());
        Proc.Result other = launch(repo, env, List.of("cp", "-F", "/dev/null", "a", "h:b"));
        assertTrue(other.out().contains("-XX:AOTCache=" + cache), "-F replaces ~/.ssh/config: " + other.all());
    }

    /**
     * Without FERRY_JAVA the launcher takes the newest JDK of 17 or later among JAVA_HOME and the JDKs
     * under FERRY_JVM_DIR (/usr/lib/jvm by default), reading each one's release file; FERRY_JAVA, a
     * JDK's home or its java, wins over all. Made-up JDKs whose java prints which one ran.
     */
    @Test
    void theNewestJdkAtSeventeenOrLaterRuns(@TempDir Path dir) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        probeModule(repo);
        Path jvms = Files.createDirectories(dir.resolve("jvm"));
        Path home17 = fakeJdk(dir.resolve("home-17"), "17.0.15");
        fakeJdk(jvms.resolve("java-8"), "1.8.0_402");
        fakeJdk(jvms.resolve("jdk-21"), "21.0.5");
        fakeJdk(jvms.resolve("jdk-25"), "25.0.3");
        Path broken = Files.createDirectories(jvms.resolve("jdk-26-no-java"));
        Files.writeString(broken.resolve("release"), "JAVA_VERSION=\"26\"\n");

        Proc.Result newest = launch(repo, Map.of("JAVA_HOME", home17.toString(), "FERRY_JVM_DIR", jvms.toString()));
        assertEquals(0, newest.exit(), newest.all());
        assertTrue(newest.out().startsWith("jdk-25 ran"), newest.all());
        assertTrue(newest.out().contains("-XX:AOTMode=record"), "a JDK 25 whose training recorded nothing (this"
                + " made-up java) records the run itself: " + newest.all());

        Path home27 = fakeJdk(dir.resolve("home-27"), "27-ea");
        Proc.Result javaHome = launch(repo, Map.of("JAVA_HOME", home27.toString(), "FERRY_JVM_DIR", jvms.toString()));
        assertTrue(javaHome.out().startsWith("home-27 ran"), "JAVA_HOME is taken when it is the newest: " + javaHome.all());

        Proc.Result chosen = launch(repo, Map.of("FERRY_JAVA", home17.toString(), "FERRY_JVM_DIR", jvms.toString()));
        assertTrue(chosen.out().startsWith("home-17 ran"), chosen.all());
        assertTrue(chosen.out().contains("-XX:ArchiveClassesAtExit="), "a JDK 17 writes a CDS archive: " + chosen.all());
        Proc.Result executable = launch(repo, Map.of("FERRY_JAVA", home17.resolve("bin/java").toString()));
        assertTrue(executable.out().startsWith("home-17 ran"), executable.all());

        // Last, as the real JDK writes its own archive into the repository.
        Proc.Result none = launch(repo, Map.of("JAVA_HOME", dir.resolve("none").toString(),
                "FERRY_JVM_DIR", Files.createDirectories(dir.resolve("only-old")).toString()));
        assertEquals(0, none.exit(), none.all());
        assertTrue(none.out().startsWith("[") && none.out().contains("-XX:ArchiveClassesAtExit="),
                "with no JDK found, java on PATH runs: " + none.all());
    }

    private static final Instant PAST = Instant.now().minusSeconds(3600);

    private static Proc.Result launch(Path repo, Map<String, String> env) {
        return launch(repo, env, "go");
    }

    private static Proc.Result launch(Path repo, Map<String, String> env, String argument) {
        return launch(repo, env, List.of(argument));
    }

    private static Proc.Result launch(Path repo, Map<String, String> env, List<String> arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("bash", repo.resolve("scripts/launch").toString(),
                "scp-client", "ferry"));
        command.addAll(arguments);
        return Proc.run(command, repo, env, null, 180);
    }

    /**
     * A repository holding the real launcher and a made-up, up-to-date scp-client module whose jar
     * prints the JVM options it was given; returns its library jar (lib/library.jar).
     */
    private static Path probeModule(Path repo) throws Exception {
        Path real = Path.of(System.getProperty("user.dir")).getParent();
        Files.createDirectories(repo.resolve("scripts"));
        Files.copy(real.resolve("scripts/launch"), repo.resolve("scripts/launch"));
        Files.copy(real.resolve("scripts/jvm.bash"), repo.resolve("scripts/jvm.bash"));
        Files.copy(real.resolve("scripts/jit-directives.json"), repo.resolve("scripts/jit-directives.json"));
        for (String dir : List.of("common/src/main", "scp-client/src/main", "sshd-server/src/main")) {
            Files.createDirectories(repo.resolve(dir));
        }
        for (String pom : List.of("pom.xml", "common/pom.xml", "scp-client/pom.xml")) {
            Files.setLastModifiedTime(Files.writeString(repo.resolve(pom), "<project/>\n"), FileTime.from(PAST));
        }
        Path target = Files.createDirectories(repo.resolve("scp-client/target/lib"));
        Path library = target.resolve("library.jar");
        jar(library, null, null);
        Files.setLastModifiedTime(library, FileTime.from(PAST));
        Path classes = Files.createDirectories(repo.resolve("probe"));
        // prints the JVM's options, and notes its own arguments in runs.log (the training run's output is not shown)
        Path source = Files.writeString(classes.resolve("Probe.java"), "public class Probe { public static void"
                + " main(String[] a) throws Exception { System.out.println(java.lang.management.ManagementFactory"
                + ".getRuntimeMXBean().getInputArguments()); java.nio.file.Files.writeString(java.nio.file.Path.of("
                + "\"runs.log\"), String.join(\" \", a) + \"\\n\", java.nio.file.StandardOpenOption.CREATE,"
                + " java.nio.file.StandardOpenOption.APPEND); } }");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
                classes.toString(), source.toString()));
        Path jar = repo.resolve("scp-client/target/ferry.jar");
        jar(jar, "Probe", classes.resolve("Probe.class"));
        Files.setLastModifiedTime(jar, FileTime.from(PAST.plusSeconds(60)));
        return library;
    }

    /** A JDK's home with a release file and a java that prints the home's name and its arguments. */
    private static Path fakeJdk(Path home, String version) throws IOException {
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"" + home.getFileName() + " ran: $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    /** The newest real JDK under /usr/lib/jvm of at least {@code min}, or a skip (a failure under CI). */
    private static Path newestInstalledJdk(int min) throws IOException {
        Path best = null;
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : homes.sorted().toList()) {
                if (Files.isExecutable(home.resolve("bin/java")) && feature(home) >= min
                        && (best == null || feature(home) > feature(best))) {
                    best = home;
                }
            }
        }
        if (best == null) {
            Peers.requireAt(Path.of("/usr/lib/jvm/a JDK " + min + " or later"));
        }
        return best;
    }

    private static int feature(Path home) throws IOException {
        for (String line : Files.readAllLines(home.resolve("release"))) {
            if (line.startsWith("JAVA_VERSION=\"")) {
                String v = line.substring("JAVA_VERSION=\"".length()).replaceFirst("^1\\.", "");
                return Integer.parseInt(v.split("[.\"-]")[0]);
            }
        }
        return 0;
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
