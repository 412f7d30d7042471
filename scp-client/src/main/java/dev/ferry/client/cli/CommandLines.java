package dev.ferry.client.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import picocli.CommandLine;

/**
 * ferry's picocli command lines, kept in a class of their own: a run that hands its command to a
 * control master decides so without picocli ({@link QuickArgs}), and then loads none of it. Code
 * that hands picocli a class of ours as one of its types (a factory, a caught exception) makes the
 * JVM load picocli when it loads that class from the start-up cache, to check the types, and so
 * does a method of the main class that names a picocli type (the launcher lists the main class's
 * methods): in FerryMain and Multiplexing they read picocli from its jar at every attached run.
 */
final class CommandLines {

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

    private CommandLines() {
    }

    /**
     * The command line for one run of {@code args} in {@code invocation} (a control master makes
     * one per attached run): with only the subcommand {@code args} names, or all when it names none.
     */
    static CommandLine of(Invocation invocation, String[] args) {
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

    /**
     * The copy {@code args} name, parsed; empty when they name none, ask for help or a version, or
     * do not parse (a standalone run then says what is wrong).
     */
    static Optional<RemoteCommand> remoteCommand(String[] args) {
        try {
            CommandLine.ParseResult sub = of(Invocation.standalone(), args).parseArgs(args).subcommand();
            if (sub == null || sub.isUsageHelpRequested() || sub.isVersionHelpRequested()
                    || !(sub.commandSpec().userObject() instanceof RemoteCommand command)) {
                return Optional.empty();
            }
            return Optional.of(command);
        } catch (CommandLine.ParameterException e) {
            return Optional.empty();
        }
    }
}
