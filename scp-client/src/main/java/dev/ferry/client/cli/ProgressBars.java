package dev.ferry.client.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.ferry.client.transfer.TransferListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per file on stderr (name, percent, bytes, rate, ETA), drawn by the progressbar library. */
final class ProgressBars implements TransferListener {

    private final PrintStream err;
    private final int columns;
    /** One bar per file being copied (several when files go side by side). */
    private final Map<FileTransfer, ProgressBar> bars = new HashMap<>();

    /** @param columns the terminal's width, or 0 to let the library ask this process's terminal */
    ProgressBars(PrintStream err, int columns) {
        this.err = err;
        this.columns = columns;
    }

    /** Where a bar is drawn: {@code err}, as wide as {@code columns} when that is known. */
    static ConsoleProgressBarConsumer consumer(PrintStream err, int columns) {
        return columns > 0 ? new ConsoleProgressBarConsumer(err, columns - 1) : new ConsoleProgressBarConsumer(err);
    }

    /**
     * Whether stderr is a terminal. Java 17 can only tell for stdin and stdout together
     * ({@code System.console()}), so on Linux the descriptor itself is asked.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }

    @Override
    public void started(FileTransfer transfer) {
        String name = Path.of(transfer.source().substring(transfer.source().indexOf(':') + 1)).getFileName()
                .toString();
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(name.length() > 24 ? name.substring(0, 21) + "..." : name)
                .setInitialMax(Math.max(transfer.size(), 0))
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" MiB", 1 << 20)
                .showSpeed()
                .setUpdateIntervalMillis(200)
                .setConsumer(consumer(err, columns))
                .build();
        bars.put(transfer, bar);
    }

    @Override
    public void progress(FileTransfer transfer, long bytes) {
        ProgressBar bar = bars.get(transfer);
        if (bar != null) {
            bar.stepTo(bytes);
        }
    }

    @Override
    public void finished(FileTransfer transfer, long bytes, double seconds, Throwable error) {
        ProgressBar bar = bars.remove(transfer);
        if (bar != null) {
            bar.stepTo(bytes);
            bar.close();
        }
    }
}
