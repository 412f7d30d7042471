package dev.ferry.server.cli;

import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import picocli.CommandLine;

/**
 * The entry point of {@code ferryd}. Builds the command line in one place, with its error mapping:
 * a bad option exits 2 with picocli's usage message, an ordinary failure exits 1 with one sentence
 * ({@code --verbose} adds the stack trace).
 */
public final class FerrydMain {

    private FerrydMain() {
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0) {
            System.exit(code);
        }
        // 0: a subcommand finished, or the server is running on non-daemon threads until stopped.
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new FerrydCommand());
        cmd.setExpandAtFiles(false); // "@key.pub" names a key file for --key, not an argument file
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("ferryd: " + sentence(e));
            if (parseResult.hasMatchedOption("--verbose")) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cmd;
    }

    static String sentence(Throwable e) {
        String message = e.getMessage();
        if (e instanceof NoSuchFileException nsf) {
            return nsf.getFile() + ": " + (nsf.getReason() == null ? "no such file or directory" : nsf.getReason());
        }
        if (e instanceof AccessDeniedException ade) {
            return ade.getFile() + ": permission denied";
        }
        if (e instanceof BindException) {
            return "cannot listen: " + message;
        }
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
