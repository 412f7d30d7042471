package dev.ferry.it.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.it.support.FerrydProcess;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.it.support.TestData;
import dev.ferry.security.KeyFiles;
import dev.ferry.server.cli.FerrydMain;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The archive {@code mvn package} makes, unpacked into a temporary directory and run from there as a
 * person runs it after unpacking it into /opt/ferry (README.md, Install).
 */
class DistributionArchiveTest {

    @TempDir
    static Path dir;

    /** The unpacked archive's top directory (ferry-VERSION). */
    private static Path home;

    /** Where the launchers keep the JVM's class archive: here rather than in the home directory of whoever runs the tests. */
    private static Map<String, String> env;

    @BeforeAll
    static void unpack() throws IOException {
        Path target = Path.of(System.getProperty("user.dir")).resolveSibling("scp-client").resolve("target");
        List<Path> archives;
        try (Stream<Path> files = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
            archives = files.filter(f -> f.getFileName().toString().matches("ferry-.+\\.tar\\.gz")).toList();
        }
        if (archives.size() != 1) {
            fail("expected one distribution archive ferry-VERSION.tar.gz in " + target + ", found " + archives
                    + ": the reactor makes it when it packages scp-client (mvn -B verify, or -pl tests -am)");
        }
        Path opt = Files.createDirectories(dir.resolve("opt"));
        // as root with a strict umask, as an admin may unpack it: the archive's own modes must hold
        Proc.Result untar = Proc.run(List.of(Peers.require("bash"), "-c", "umask 077 && exec \"$0\" -xzf \"$1\" -C \"$2\"",
                Peers.require("tar"), archives.get(0).toString(), opt.toString()), null, 120);
        assertEquals(0, untar.exit(), untar.all());
        try (Stream<Path> top = Files.list(opt)) {
            List<Path> dirs = top.toList();
            assertEquals(1, dirs.size(), "the archive holds one directory: " + dirs);
            home = dirs.get(0);
        }
        assertTrue(home.getFileName().toString().startsWith("ferry-"), home.toString());
        env = Map.of("FERRY_CACHE_DIR", Files.createDirectories(dir.resolve("cache")).toString());
    }

    private static String program(String name) {
        return home.resolve("bin").resolve(name).toString();
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void everyoneMayReadTheInstallAndRunItsProgramsWhateverTheUmaskOfWhoUnpackedIt() throws IOException {
        assumeTrue(root(), "tar keeps the archive's modes for root only (CI runs as root)");
        try (Stream<Path> walk = Files.walk(home)) {
            for (Path p : walk.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                boolean program = Files.isDirectory(p) || p.getParent().getFileName().toString().equals("bin");
                assertEquals(program ? "rwxr-xr-x" : "rw-r--r--", mode, home.relativize(p).toString());
            }
        }
    }

    @Test
    void theArchiveHoldsBothProgramsEveryJarOnceAndTheFilesAnInstallNeeds() throws IOException {
        for (String name : List.of("ferry", "ferryd")) {
            assertTrue(Files.isExecutable(home.resolve("bin").resolve(name)), name);
        }
        for (String file : List.of("etc/ferryd.yaml", "lib/systemd/system/ferryd.service", "lib/jvm.bash",
                "share/man/man1/ferry.1", "share/man/man1/ferryd.1", "share/man/man1/ferry-cp.1",
                "share/bash-completion/completions/ferry", "share/bash-completion/completions/ferryd")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file);
        }
        List<String> jars;
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            jars = lib.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
        Map<String, String> byArtifact = new HashMap<>();
        for (String jar : jars) {
            String artifact = jar.replaceFirst("-\\d[^-]*(-SNAPSHOT)?\\.jar$", "");
            String other = byArtifact.put(artifact, jar);
            assertTrue(other == null, "one version of each library: " + other + " and " + jar);
        }
        for (String ours : List.of("ferry-common", "ferry-sshd-server", "ferry-scp-client")) {
            assertTrue(byArtifact.containsKey(ours), ours + " in " + jars);
        }
    }

    @Test
    void theLaunchersRunOnTheNewestJdkOnAGivenOneAndThroughALink() throws IOException {
        Proc.Result ferryd = Proc.run(List.of(program("ferryd"), "--version"), dir, env, null, 120);
        assertEquals(0, ferryd.exit(), ferryd.all());
        assertTrue(ferryd.out().startsWith("ferryd "), ferryd.all());

        Map<String, String> jdk17 = new HashMap<>(env);
        jdk17.put("FERRY_JAVA", System.getProperty("java.home"));
        Proc.Result ferry = Proc.run(List.of(program("ferry"), "--version"), dir, jdk17, null, 120);
        assertEquals(0, ferry.exit(), ferry.all());
        assertTrue(ferry.out().startsWith("ferry "), ferry.all());

        // as after `ln -s /opt/ferry/bin/ferry /usr/local/bin/`: the link's directory holds no lib/
        Path links = Files.createDirectories(dir.resolve("usr-local-bin"));
        Path link = Files.createSymbolicLink(links.resolve("ferry"), Path.of(program("ferry")));
        Proc.Result linked = Proc.run(List.of(link.toString(), "--version"), dir, env, null, 120);
        assertEquals(0, linked.exit(), linked.all());
        assertEquals(ferry.out(), linked.out());
    }

    @Test
    void theUnpackedServerServesWhatTheUnpackedClientCopiesUpAndBackAndNeitherWritesIntoTheInstall()
            throws Exception {
        Map<String, String> installed = listing(home);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path state = work.resolve("state");
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        Path key = work.resolve("id_ed25519");
        KeyFiles.write(pair, key, "tester");
        byte[] data = TestData.random(3 * 1024 * 1024 + 17, 19);
        Files.write(work.resolve("up.bin"), data);

        try (FerrydProcess ferryd = FerrydProcess.launch(work, env, List.of(program("ferryd"), "--listen",
                "127.0.0.1:0", "--state-dir", state.toString(), "--user", "tester", "--authorized-keys", key + ".pub"))) {
            String fingerprint = KeyFiles.fingerprint(KeyFiles.load(state.resolve("host_ed25519_key")).getPublic());
            List<String> cp = List.of(program("ferry"), "cp", "-B", "-q", "-F", "/dev/null", "-P",
                    String.valueOf(ferryd.port()), "-i", key.toString(), "--host-key", fingerprint,
                    "-o", "UserKnownHostsFile=" + work.resolve("known_hosts"), "-o", "GlobalKnownHostsFile=/dev/null");

            Proc.Result up = Proc.run(with(cp, "up.bin", "tester@127.0.0.1:up.bin"), work, env, null, 120);
            assertEquals(0, up.exit(), up.all());
            assertArrayEquals(data, Files.readAllBytes(state.resolve("files/up.bin")));

            Proc.Result down = Proc.run(with(cp, "tester@127.0.0.1:up.bin", "down.bin"), work, env, null, 120);
            assertEquals(0, down.exit(), down.all());
            assertArrayEquals(data, Files.readAllBytes(work.resolve("down.bin")));
            assertTrue(ferryd.alive(), String.join("\n", ferryd.stderr()));
        }
        // installed under /opt by root, the programs run as users who may not write there
        assertEquals(installed, listing(home), "nothing was written into the unpacked archive");
    }

    /**
     * The systemd unit runs ferryd as its own user with no capability, or with CAP_NET_BIND_SERVICE
     * alone (as an ambient capability) to listen on port 22; the same, done here with setpriv: as
     * nobody, a port below 1024 is refused without the capability and served with it. And nobody
     * has no home to keep a class archive in, which the launcher takes in its stride.
     */
    @Test
    void asAnUnprivilegedUserFerrydListensBelowPort1024OnlyWithTheBindCapability() throws Exception {
        assumeTrue(root(), "needs root to become another user (CI runs as root)");
        String setpriv = Peers.require("setpriv");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody reaches the install
        Path work = Files.createDirectories(dir.resolve("unprivileged"));
        Path state = Files.createDirectories(work.resolve("state"));
        Files.setAttribute(state, "unix:uid", NOBODY);
        Files.setAttribute(state, "unix:gid", NOBODY);
        KeyPair pair = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        KeyFiles.write(pair, work.resolve("id_ed25519"), "tester");
        Path keys = work.resolve("id_ed25519.pub");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> asNobody = List.of(setpriv, "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups");
        List<String> ferryd = List.of(program("ferryd"), "--state-dir", state.toString(), "--user", "tester",
                "--authorized-keys", keys.toString(), "--listen");

        Proc.Result refused = Proc.run(with(with(asNobody, ferryd.toArray(String[]::new)), "127.0.0.1:1023"), work,
                Map.of("HOME", "/nonexistent"), null, 120);
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.err().contains("ferryd: cannot listen: Permission denied"), refused.all());
        // ferryd's logging settings, not ferry's (each jar has a simplelogger.properties): MINA's line is dated
        List<String> library = refused.err().lines().filter(l -> l.contains(" ERROR org.apache.sshd")).toList();
        assertFalse(library.isEmpty(), refused.all());
        assertTrue(library.stream().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT.*")), refused.all());

        List<String> capable = with(asNobody, "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service");
        capable.addAll(ferryd);
        for (int port = 1023; port > 1000; port--) { // the first free one: the refusal above came before any port check
            try (FerrydProcess served = FerrydProcess.launch(work, Map.of("HOME", "/nonexistent"),
                    with(capable, "127.0.0.1:" + port))) {
                assertEquals(port, served.port());
                String status = Files.readString(Path.of("/proc", String.valueOf(served.pid()), "status"));
                assertTrue(status.contains("\nUid:\t" + NOBODY + "\t"), status);
                assertTrue(status.contains("\nCapEff:\t0000000000000400\n"), "CAP_NET_BIND_SERVICE alone: " + status);
                return;
            } catch (AssertionError e) {
                if (!String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
        fail("no free port from 1001 to 1023");
    }

    private static final int NOBODY = 65534;

    private static List<String> with(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    /** Every file and directory under {@code root} with its size and time of change. */
    private static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                all.put(root.relativize(p).toString(), a.size() + " " + a.lastModifiedTime());
            }
        }
        return all;
    }

    @Test
    void eachManualPageRendersAndNamesEveryOptionOfItsCommand() {
        String man = Peers.require("man");
        Map<String, String> wide = Map.of("MANWIDTH", "200", "MANPAGER", "cat");
        CommandLine ferryd = FerrydMain.commandLine();
        List<CommandSpec> commands = new ArrayList<>();
        collect(ferryd.getCommandSpec(), commands);
        assertTrue(commands.size() > 3, "ferryd and its subcommands: " + commands.size());
        for (CommandSpec command : commands) {
            Path page = home.resolve("share/man/man1").resolve(command.qualifiedName("-") + ".1");
            Proc.Result shown = Proc.run(List.of(man, "--warnings", "-l", page.toString()), dir, wide, null, 60);
            assertEquals(0, shown.exit(), shown.all());
            assertEquals("", shown.err(), "groff has nothing to warn of in " + page);
            for (String section : List.of("NAME", "SYNOPSIS", "OPTIONS")) {
                assertTrue(shown.out().contains("\n" + section + "\n"), section + " in " + page + ":\n" + shown.out());
            }
            command.options().stream().filter(o -> !o.hidden()).flatMap(o -> Stream.of(o.names())).forEach(name ->
                    assertTrue(shown.out().contains(name), page + " names " + name + ":\n" + shown.out()));
        }
        // the layout man looks in: `man -M /opt/ferry/share/man ferry-cp`, or MANPATH
        Proc.Result byName = Proc.run(List.of(man, "-M", home.resolve("share/man").toString(), "ferry-cp"), dir, wide,
                null, 60);
        assertEquals(0, byName.exit(), byName.all());
        assertTrue(byName.out().contains("--resume"), byName.all());
    }

    private static void collect(CommandSpec command, List<CommandSpec> into) {
        into.add(command);
        command.subcommands().values().stream().map(CommandLine::getCommandSpec).distinct()
                .forEach(sub -> collect(sub, into));
    }

    private static final Pattern COMPLETION_FUNCTION = Pattern.compile("complete .*-F (\\S+) (\\S+)$");

    @Test
    void theCompletionScriptsCompleteSubcommandsAndOptionsInBash() {
        assertEquals(List.of("cp"), complete("ferry", "c"));
        assertEquals(List.of("add", "add-key"), complete("ferryd", "user", "a"));
        assertEquals(List.of("--listen"), complete("ferryd", "--liste"));
    }

    /** What bash offers for the last of {@code words} once the archive's completion script for {@code program} is sourced. */
    private static List<String> complete(String program, String... words) {
        Path script = home.resolve("share/bash-completion/completions").resolve(program);
        Proc.Result registered = Proc.run(List.of(Peers.require("bash"), "-c", "source \"$0\" && complete -p " + program,
                script.toString()), dir, 30);
        assertEquals(0, registered.exit(), registered.all());
        Matcher m = COMPLETION_FUNCTION.matcher(registered.out().strip());
        assertTrue(m.find() && m.group(2).equals(program), registered.all());
        String line = program + " " + String.join(" ", words);
        // what bash sets before it calls a completion function; compopt then complains outside of one
        String call = "source \"$0\"; COMP_WORDS=(" + line + "); COMP_CWORD=" + words.length + "; COMP_LINE='" + line
                + "'; COMP_POINT=" + line.length() + "; " + m.group(1) + " 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Proc.Result offered = Proc.run(List.of(Peers.require("bash"), "-c", call, script.toString()), dir, 30);
        assertEquals(0, offered.exit(), offered.all());
        return offered.out().lines().map(String::strip).filter(s -> !s.isEmpty()).sorted().toList();
    }

    @Test
    void theServiceRunsFerrydAsItsOwnUserInASandboxAndSystemdAcceptsIt() throws IOException {
        Path unit = home.resolve("lib/systemd/system/ferryd.service");
        String text = Files.readString(unit);
        List<String> settings = text.lines().map(String::strip).filter(l -> !l.startsWith("#") && l.contains("="))
                .toList();
        for (String expected : List.of("User=ferry", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                "PrivateTmp=yes", "CapabilityBoundingSet=", "KillSignal=SIGTERM", "Restart=on-failure",
                "ExecReload=/bin/kill -HUP $MAINPID")) {
            assertTrue(settings.contains(expected), expected + " in " + unit);
        }
        assertTrue(settings.stream().anyMatch(s -> s.startsWith("ReadWritePaths=") && s.contains("/var/lib/ferry")),
                settings.toString());
        assertFalse(settings.stream().anyMatch(s -> s.startsWith("AmbientCapabilities=")),
                "no capability unless the admin asks for port 22: " + settings);
        assertTrue(text.contains("\n#AmbientCapabilities=CAP_NET_BIND_SERVICE\n"), "how to allow port 22 is shown");
        String start = settings.stream().filter(s -> s.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertTrue(start.startsWith("ExecStart=/opt/ferry/bin/ferryd ") && start.contains("--state-dir /var/lib/ferry"),
                start);
        // ferryd takes the unit's arguments (a flag it does not know would throw here)
        dev.ferry.server.cli.FerrydMain.commandLine().parseArgs(
                start.substring("ExecStart=/opt/ferry/bin/ferryd ".length()).split(" "));

        // systemd's own check of the unit, as installed here: the programs it names exist, its
        // settings parse, and its Documentation= page is found (man ferryd, through MANPATH)
        String analyze = Peers.require("systemd-analyze");
        Path units = Files.createDirectories(dir.resolve("units"));
        Path here = Files.writeString(units.resolve("ferryd.service"), text.replace("/opt/ferry/", home + "/"));
        Proc.Result verified = Proc.run(List.of(analyze, "verify", here.toString()), dir,
                Map.of("MANPATH", home.resolve("share/man").toString()), null, 120);
        assertEquals(0, verified.exit(), verified.all());
        assertFalse(verified.all().contains("ferryd.service:"), "no complaint about the unit: " + verified.all());
    }
}
