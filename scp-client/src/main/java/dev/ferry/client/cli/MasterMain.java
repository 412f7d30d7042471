package dev.ferry.client.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.ferry.client.FerryException;
import dev.ferry.client.control.ControlMaster;
import dev.ferry.client.control.ControlSettings;
import dev.ferry.client.control.MasterProcess;
import dev.ferry.client.control.SharedSessions;

/**
 * The background control master: {@code MasterMain SOCKET IDLE ferry-arguments...}, started by
 * {@link MasterProcess} for the run whose arguments it is given. Their connection options make the
 * master's connector; each attached run is then parsed and run here as a standalone run would be,
 * but printing, asking and finding its local files through the {@code ferry} that attached.
 */
public final class MasterMain {

    private MasterMain() {
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "off");
        Path socket = Path.of(args[0]);
        Duration idle = ControlSettings.parseFormatted(args[1]);
        String[] first = Arrays.copyOfRange(args, 2, args.length);
        Optional<RemoteCommand> parsed = CommandLines.remoteCommand(first);
        if (parsed.isEmpty()) {
            System.err.println("ferry: the control master cannot use the command line it was given");
            System.exit(2);
            return;
        }
        RemoteCommand command = parsed.get();
        ControlMaster master;
        try {
            master = ControlMaster.bind(socket, idle);
        } catch (ControlMaster.AlreadyRunning e) {
            System.out.println(MasterProcess.EXISTS);
            System.exit(0);
            return;
        } catch (FerryException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        // Building MINA's client takes a few hundred ms: done beside the attaching run's request.
        CompletableFuture<SharedSessions> sessions = CompletableFuture.supplyAsync(() -> {
            try {
                return new SharedSessions(command.connection.connectOptions(), master::shutdown);
            } catch (FerryException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
        System.out.println(MasterProcess.READY);
        System.out.flush();
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(nowhere);
        System.setErr(nowhere);
        String logFile = System.getenv("FERRY_CONTROL_LOG");
        if (logFile != null && !logFile.isBlank()) {
            try {
                PrintStream log = new PrintStream(new FileOutputStream(logFile, true), true, StandardCharsets.UTF_8);
                System.setErr(log);
                long pid = ProcessHandle.current().pid();
                master.log(line -> log.println(Instant.now() + " master " + pid + ": " + line));
            } catch (IOException e) {
                // no log, then
            }
        }

        Charset charset = Charset.forName(System.getProperty("native.encoding", "UTF-8"));
        master.serve(run -> {
            String prefix = run.cwd().resolve(".") + "/";
            PrintStream out = new PrintStream(new MarkedPrefixFilter(run.out(), prefix, charset), true, charset);
            PrintStream err = new PrintStream(new MarkedPrefixFilter(run.err(), prefix, charset), true, charset);
            SharedSessions shared;
            try {
                shared = sessions.join();
            } catch (RuntimeException e) {
                err.println(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                return 1;
            }
            master.connectedTo(shared.description());
            Invocation invocation = new Invocation(out, err, Optional.of(run.cwd()),
                    () -> run.interaction(err::println), run.stderrIsTerminal(), run.columns(),
                    (options, interaction) -> shared.view(interaction), run::interrupted);
            int status = CommandLines.of(invocation, run.argv().toArray(String[]::new))
                    .execute(run.argv().toArray(String[]::new));
            master.connectedTo(shared.description());
            out.flush();
            err.flush();
            return status;
        });
        if (!master.exitRequested()) { // -O exit ends the runs in progress with the master, as ssh's does
            try {
                master.awaitRuns(Duration.ofSeconds(5));
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
        System.exit(0);
    }
}
