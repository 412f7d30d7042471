package dev.ferry.client.cli;

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
                : CommandLines.of(Invocation.standalone(), args).execute(args));
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

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
