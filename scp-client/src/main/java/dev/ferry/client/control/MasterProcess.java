package dev.ferry.client.control;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.ferry.client.FerryException;

/**
 * Starts a master in the background. A JVM cannot fork, so the master is a second JVM started like
 * this one (same java, options, class path), in a session of its own ({@code setsid}) so that a
 * Ctrl-C or a closed terminal meant for the run does not reach it, with its output going nowhere.
 * It says {@code ready} (or {@code exists}) on a pipe once it listens, then detaches from the pipe.
 */
public final class MasterProcess {

    /** The master's first words: it listens at the path, or another master already does. */
    public static final String READY = "ready";
    public static final String EXISTS = "exists";

    /** Enough for a JVM to start and bind on a loaded machine; the run connects by itself after. */
    private static final Duration START_LIMIT = Duration.ofSeconds(20);

    private MasterProcess() {
    }

    /**
     * @param mainClass the master's entry point; its arguments are the socket, the idle timeout
     *                  and the command line of the run that starts it
     */
    public static void start(String mainClass, ControlSettings settings, List<String> argv, Path cwd)
            throws FerryException {
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString());
        }
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.add(settings.socket().orElseThrow().toString());
        command.add(ControlSettings.format(settings.idleTimeout()));
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process master;
        try {
            master = pb.start();
        } catch (IOException e) {
            throw new FerryException("ferry: cannot start a control master: " + e.getMessage(), e);
        }
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(master.getInputStream(), StandardCharsets.UTF_8));
                String line = r.readLine();
                return line == null ? "" : line;
            } catch (IOException e) {
                return "";
            }
        });
        String said;
        try {
            said = first.get(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            master.destroyForcibly();
            throw new FerryException("ferry: the control master did not start in " + START_LIMIT.toSeconds() + " s");
        }
        if (said.equals(READY) || said.equals(EXISTS)) {
            return;
        }
        String why;
        try {
            master.waitFor(5, TimeUnit.SECONDS);
            why = new String(master.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
        } catch (IOException | InterruptedException e) {
            why = "";
        }
        throw new FerryException(why.isEmpty() ? "ferry: the control master ended as it started" : why);
    }

    /**
     * This JVM's options, minus those that belong to this run alone: recording an AOT or CDS
     * archive (the master would write the same file), a debugger's port, a flight recording, and the
     * launcher's compiler directives for short runs (scripts/jit-directives.json: C2 for little but
     * the ciphers); the master serves many runs, so C2 compiles all of its hot code.
     */
    private static List<String> jvmOptions() {
        // The launcher gives a run that attaches a small cache of its own and names the copy's cache,
        // the one a master needs, in this property (scripts/launch says why).
        String masterCache = System.getProperty(MASTER_CACHE);
        List<String> kept = new ArrayList<>();
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (option.startsWith("-XX:AOTMode=record") || option.startsWith("-XX:AOTConfiguration=")
                    || option.startsWith("-XX:AOTCacheOutput=") || option.startsWith("-XX:ArchiveClassesAtExit=")
                    || option.startsWith("-agentlib:jdwp") || option.startsWith("-XX:StartFlightRecording")
                    || option.startsWith("-XX:CompilerDirectivesFile=")
                    || (masterCache != null && option.startsWith("-XX:AOTCache="))) {
                continue;
            }
            kept.add(option);
        }
        if (masterCache != null && Files.isReadable(Path.of(masterCache))) {
            kept.add(0, "-XX:AOTCache=" + masterCache);
        }
        return kept;
    }

    /** The system property naming the cache a master starts with (set by scripts/launch). */
    static final String MASTER_CACHE = "ferry.aot.master";
}
