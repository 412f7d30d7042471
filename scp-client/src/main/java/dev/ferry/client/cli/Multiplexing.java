package dev.ferry.client.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.ConnectOptions;
import dev.ferry.client.connect.HostSettings;
import dev.ferry.client.connect.Interaction;
import dev.ferry.client.control.ControlClient;
import dev.ferry.client.control.ControlSettings;
import dev.ferry.client.control.MasterProcess;
import dev.ferry.client.operand.Operand;
import dev.ferry.client.operand.Operands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code ControlMaster}/{@code ControlPath}/{@code ControlPersist} for {@code ferry cp} and
 * {@code ferry sync}, decided before anything heavy loads: the command line is parsed, the
 * settings read from {@code -o} and ssh_config, and a master found (or started) at the path runs
 * the copy. Anything this cannot decide (a usage error, a bad option) is left to the standalone
 * run, which reports it as it always does.
 */
final class Multiplexing {

    private Multiplexing() {
    }

    /** The run's exit status when a master ran it; empty when this process should run it itself. */
    static OptionalInt attached(String[] args) {
        List<Operand.Remote> remotes = new ArrayList<>();
        ConnectOptions options;
        QuickArgs.Look look = QuickArgs.look(args);
        try {
            if (look instanceof QuickArgs.NotACopy) {
                return OptionalInt.empty();
            } else if (look instanceof QuickArgs.Copy copy) {
                int n = copy.args().operands().size();
                if (n < 2 || (copy.args().command().equals("sync") && n != 2)) {
                    return OptionalInt.empty(); // a usage error, which the standalone run explains
                }
                remotes.addAll(RemoteCommand.remotesOf(copy.args().operands()));
                options = copy.args().options();
            } else {
                Optional<RemoteCommand> command = CommandLines.remoteCommand(args);
                if (command.isEmpty()) {
                    return OptionalInt.empty();
                }
                remotes.addAll(command.get().remotes());
                options = command.get().connection.connectOptions();
            }
        } catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
        Operand.Remote remote;
        HostSettings.Resolved target;
        try {
            if (remotes.isEmpty() || remotes.stream().map(Operand.Remote::server).distinct().count() > 1) {
                return OptionalInt.empty(); // local only, or two servers (cp -3): no one master serves it
            }
            remote = remotes.get(0);
            target = new HostSettings(options).resolve(remote);
        } catch (FerryException | RuntimeException e) {
            return OptionalInt.empty(); // the standalone run says what is wrong
        }
        try {
            ControlSettings control = ControlSettings.of(target, remote.host());
            if (control.socket().isEmpty()) {
                return OptionalInt.empty();
            }
            Path socket = control.socket().get();
            boolean mayStart = control.mode() != ControlSettings.Mode.NO;
            Optional<ControlClient> master = ControlClient.attach(socket, mayStart);
            if (master.isPresent() && control.mode() == ControlSettings.Mode.YES) {
                master.get().close();
                System.err.println("ControlSocket " + socket + " already exists, disabling multiplexing");
                return OptionalInt.empty();
            }
            for (int attempt = 0; attempt < 2; attempt++) {
                if (master.isEmpty() && mayStart) {
                    MasterProcess.start(MasterMain.class.getName(), control, Arrays.asList(args), cwd());
                    master = ControlClient.attach(socket, false);
                }
                if (master.isEmpty()) {
                    return OptionalInt.empty();
                }
                int status;
                try (ControlClient client = master.get()) {
                    boolean batch = options.batchMode();
                    Interaction asker = batch ? Interaction.none(System.err::println) : Interaction.terminal();
                    status = client.run(Arrays.asList(args), cwd(), ProgressBars.stderrIsTerminal(), columns(), asker);
                }
                if (status != ControlClient.STALE) {
                    return OptionalInt.of(status);
                }
                // A master from before a rebuild: it ends, and a new one (when allowed) takes its place.
                retire(socket);
                master = Optional.empty();
            }
            return OptionalInt.empty();
        } catch (FerryException | IOException e) {
            System.err.println(e.getMessage() + "; connecting directly");
            return OptionalInt.empty();
        } catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }

    private static void retire(Path socket) throws FerryException, IOException {
        Optional<ControlClient> old = ControlClient.attach(socket, true);
        if (old.isPresent()) {
            try (ControlClient client = old.get()) {
                long pid = client.exit().pid();
                ProcessHandle.of(pid).ifPresent(h -> {
                    try {
                        h.onExit().get(5, TimeUnit.SECONDS);
                    } catch (InterruptedException | ExecutionException | TimeoutException e) {
                        // it has removed its socket before exiting; a new master can bind already
                    }
                });
            }
        }
    }

    private static Path cwd() {
        return Path.of(System.getProperty("user.dir"));
    }

    /** The terminal's width from $COLUMNS, for the progress bar the master draws; 0 when not known. */
    private static int columns() {
        try {
            return Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "0").strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code ferry -O check|exit|stop [options] [user@]host}, as ssh's {@code -O}. */
    @Command(name = "ferry -O", description = "Ask the control master for a host: check that it runs, make it exit,"
            + " or make it stop taking new runs.")
    static final class ControlCommand implements java.util.concurrent.Callable<Integer> {

        @Mixin
        ConnectionOptions connection;

        @Parameters(index = "0", paramLabel = "check|exit|stop")
        String operation;

        @Parameters(index = "1", paramLabel = "[user@]host")
        String destination;

        @Override
        public Integer call() {
            if (!List.of("check", "exit", "stop").contains(operation)) {
                System.err.println("ferry: -O " + operation + ": use check, exit or stop");
                return 1;
            }
            Path socket;
            try {
                Operand operand = Operands.parse(destination.contains(":") && !destination.endsWith("]")
                        ? destination : destination + ":");
                if (!(operand instanceof Operand.Remote remote)) {
                    System.err.println("ferry: -O needs a host");
                    return 1;
                }
                ControlSettings control = ControlSettings.of(new HostSettings(connection.connectOptions()).resolve(remote),
                        remote.host());
                if (control.socket().isEmpty()) {
                    System.err.println("No ControlPath specified for \"-O\" command");
                    return FerryMain.CONNECTION_FAILED;
                }
                socket = control.socket().get();
                Optional<ControlClient> master = ControlClient.attach(socket, false);
                if (master.isEmpty()) {
                    System.err.println("Control socket connect(" + socket + "): No such file or directory");
                    return FerryMain.CONNECTION_FAILED;
                }
                try (ControlClient client = master.get()) {
                    switch (operation) {
                        case "check" -> {
                            ControlClient.Info info = client.check();
                            System.err.println("Master running (pid=" + info.pid() + ")"
                                    + (info.connectedTo().isEmpty() ? "" : ", connected to " + info.connectedTo()));
                        }
                        case "exit" -> {
                            client.exit();
                            System.err.println("Exit request sent.");
                        }
                        default -> {
                            client.stop();
                            System.err.println("Stop listening request sent.");
                        }
                    }
                }
                return 0;
            } catch (FerryException e) {
                System.err.println(e.getMessage());
                return FerryMain.CONNECTION_FAILED;
            } catch (IOException e) {
                System.err.println("ferry: the control master did not answer: " + e.getMessage());
                return FerryMain.CONNECTION_FAILED;
            }
        }
    }

    static int control(String[] args) {
        CommandLine cmd = new CommandLine(new ControlCommand());
        cmd.setExpandAtFiles(false);
        cmd.setParameterExceptionHandler((ex, rest) -> {
            ex.getCommandLine().getErr().println("ferry: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return 1;
        });
        return cmd.execute(Arrays.copyOfRange(args, 1, args.length));
    }
}
