package dev.ferry.client.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.ConnectOptions;
import dev.ferry.client.connect.Connector;
import dev.ferry.client.connect.Interaction;
import dev.ferry.client.connect.Sessions;
import dev.ferry.client.transfer.TransferListener;

/**
 * What one run of a command works with: where it prints, whom it asks, the directory its relative
 * local operands are in, and where its sessions come from. A standalone run has this process's
 * own; a run inside a control master has those of the {@code ferry} that attached.
 *
 * @param workingDirectory empty: this process's own; else the attached run's directory
 * @param terminal         who answers password and host-key questions when not in batch mode
 * @param columns          the width of the attached run's terminal, 0 when this process's own is used
 * @param cancelled        whether the run should stop (Ctrl-C in the ferry that attached); a standalone
 *                         run is simply ended by its signal
 */
record Invocation(PrintStream out, PrintStream err, Optional<Path> workingDirectory, Supplier<Interaction> terminal,
        boolean stderrIsTerminal, int columns, SessionSource sessions, BooleanSupplier cancelled) {

    /** Gives a run the sessions it copies over. */
    @FunctionalInterface
    interface SessionSource {
        Sessions open(ConnectOptions options, Interaction interaction) throws FerryException;
    }

    static Invocation standalone() {
        return new Invocation(System.out, System.err, Optional.empty(), Interaction::terminal,
                ProgressBars.stderrIsTerminal(), 0, Connector::new, () -> false);
    }

    /**
     * A local operand as a path. A JVM has one working directory, so in a control master a
     * relative operand becomes {@code <dir>/./<operand>}: the {@code /./} marks the prefix that
     * {@link MarkedPrefixFilter} takes out of everything the run prints, so its messages name the
     * file as the user wrote it, as a standalone run's do.
     */
    Path local(String operand) {
        Path path = Path.of(operand);
        return workingDirectory.isEmpty() || path.isAbsolute() ? path
                : workingDirectory.get().resolve(".").resolve(path);
    }

    /** Stops a copy at its next step once the run is cancelled; its usual error path then cleans up. */
    TransferListener cancellation() {
        return new TransferListener() {
            @Override
            public void started(FileTransfer transfer) {
                stopIfCancelled();
            }

            @Override
            public void progress(FileTransfer transfer, long bytes) {
                stopIfCancelled();
            }
        };
    }

    /** Ends the run at this step once it is cancelled; its usual error path then cleans up. */
    void stopIfCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("interrupted");
        }
    }

    /** The directory relative local paths of a sync start from ({@code ""} for this process's own). */
    Path localBase() {
        return workingDirectory.map(d -> d.resolve(".")).orElse(Path.of(""));
    }
}
