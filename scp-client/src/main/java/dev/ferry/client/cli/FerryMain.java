package dev.ferry.client.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The entry point of {@code ferry}. The command line is built in one place, with scp's exit codes:
 * 0 on success, 1 when anything failed (one sentence per failure on stderr), and 255 when the
 * connection itself failed, as ssh reports it.
 */
@Command(name = "ferry", mixinStandardHelpOptions = true, version = "ferry 0.1",
        description = {"Ferry's client: scp-compatible copies with a tuned transport.",
            "ferry -O check|exit|stop [options] [user@]host asks the control master of a host (ControlPath)."})
public final class FerryMain implements Runnable {

    /** Exit status when a session could not be set up, as ssh and scp use it. */
    public static final int CONNECTION_FAILED = 255;

    /**
     * The subcommands. picocli builds a command's model by reflection when it is added, which
     * costs tens of milliseconds each on a cold JVM, so a run builds only the one it names.
     */
    private static final Map<String, Class<?>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("cp", CpCommand.class);
        COMMANDS.put("sync", SyncCommand.class);
        COMMANDS.put("demo", DemoCommand.class);
        COMMANDS.put("relay", RelayCommand.class);
    }

    public static void main(String[] args) {
        // MINA's own log would print what a server sends (names, messages) unfiltered, terminal
        // escapes included; ferry prints every failure itself, made safe. (Set before any logger
        // exists; it overrides whichever simplelogger.properties is first on the class path.)
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "off");
        quietBackgroundThreads(args);
        if (args.length > 0 && args[0].equals("-O")) {
            System.exit(Multiplexing.control(args));
        }
        OptionalInt attached = Multiplexing.attached(args);
        System.exit(attached.isPresent() ? attached.getAsInt()
                : commandLine(Invocation.standalone(), args).execute(args));
    }

    /**
     * A background thread's uncaught exception is printed only with -v. Every failure a user must
     * hear of reaches the command's own thread and is said there in one sentence; what is left is
     * noise such as the JDK's asynchronous-socket thread handing a last read to MINA's executor
     * while the client shuts down ("Executor has been shut down", a stack trace after a good copy).
     */
    private static void quietBackgroundThreads(String[] args) {
        boolean verbose = java.util.Arrays.asList(args).contains("-v");
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (verbose) {
                System.err.println("ferry: on thread " + thread.getName() + ":");
                e.printStackTrace();
            }
        });
    }

    /** The configured command line with every subcommand, shared by {@link #main} and the tests. */
    public static CommandLine commandLine() {
        return commandLine(Invocation.standalone(), new String[0]);
    }

    /**
     * The command line for one run of {@code args} in {@code invocation} (a control master makes
     * one per attached run): with only the subcommand {@code args} names, or all when it names none.
     */
    static CommandLine commandLine(Invocation invocation, String[] args) {
        CommandLine.IFactory commands = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = CommandLine.defaultFactory().create(type);
                if (made instanceof RemoteCommand command) {
                    command.invocation = invocation;
                }
                return made;
            }
        };
        CommandLine cmd = new CommandLine(new FerryMain(), commands);
        String named = args.length > 0 && COMMANDS.containsKey(args[0]) ? args[0] : null;
        for (Map.Entry<String, Class<?>> c : COMMANDS.entrySet()) {
            if (named == null || named.equals(c.getKey())) {
                cmd.addSubcommand(c.getKey(), new CommandLine(c.getValue(), commands));
            }
        }
        // set after the subcommands are added: picocli passes these settings on to those it has
        cmd.setOut(new PrintWriter(invocation.out(), true));
        cmd.setErr(new PrintWriter(invocation.err(), true));
        cmd.setExpandAtFiles(false);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err.println(e instanceof IllegalArgumentException ? "ferry: " + message : message);
            if (parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("-v")) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        // scp exits 1 on a usage error
        cmd.setParameterExceptionHandler((ex, given) -> {
            ex.getCommandLine().getErr().println("ferry: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return 1;
        });
        return cmd;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
