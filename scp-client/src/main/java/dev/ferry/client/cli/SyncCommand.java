package dev.ferry.client.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.sshd.sftp.client.SftpClient;


import dev.ferry.client.FerryException;
import dev.ferry.client.connect.ConnectionFailedException;
import dev.ferry.client.connect.Connector;
import dev.ferry.client.connect.Interaction;
import dev.ferry.client.connect.Sessions;
import dev.ferry.client.operand.Operand;
import dev.ferry.client.operand.Operands;
import dev.ferry.client.sync.SyncListener;
import dev.ferry.client.sync.SyncOptions;
import dev.ferry.client.sync.SyncSummary;
import dev.ferry.client.sync.Syncer;
import dev.ferry.client.sync.WalkAhead;
import dev.ferry.delta.DeltaMode;
import dev.ferry.delta.protocol.FileDigest;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry sync}: rsync's job (send what changed) over Ferry's chunk-delta subsystem. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Bring TARGET up to date with SOURCE, sending only what changed: ferry sync [options] SOURCE "
                + "TARGET.",
            "One operand is remote ([user@]host:path). As with rsync, a source directory with a trailing slash "
                + "syncs its contents, without one the directory itself.",
            "Against a server without the ferry-delta subsystem (OpenSSH's sshd) changed files go whole over SFTP."})
public final class SyncCommand extends RemoteCommand implements Callable<Integer> {

    @Parameters(arity = "2", paramLabel = "SOURCE TARGET")
    List<String> operands;

    @Option(names = {"-r", "--recursive"}, description = "Sync directories recursively.")
    boolean recursive;

    @Option(names = "--delete", description = "Delete files in the target that the source does not have (with -r).")
    boolean delete;

    @Option(names = {"-n", "--dry-run"}, description = "Say what would be sent and deleted; change nothing.")
    boolean dryRun;

    @Option(names = "--checksum", description = "Compare contents, not size and modification time: files of equal"
            + " size are read through (the remote one over SFTP) and their SHA-256s compared.")
    boolean checksum;

    @Option(names = "--digest", paramLabel = "xxh128|sha256", defaultValue = "xxh128",
            description = "The whole-file digest both ends compare after each transfer: XXH3-128, fast and enough"
                    + " against accidents (default), or SHA-256, cryptographic and slower.")
    String digest;

    @Option(names = "--mode", paramLabel = "auto|delta|whole", defaultValue = "auto",
            description = "How changed files travel: as chunk deltas, whole, or chosen per file (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = {"-z", "--compress"}, negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Compress new bytes with zstd where that saves bytes, when the server can (default;"
                    + " --no-compress sends them as they are).")
    boolean compress;

    @Option(names = "--fsync", description = "Sync every received file to disk before it replaces the old one"
            + " (without it only files of 1 MiB or more are; rsync syncs none unless told).")
    boolean fsync;

    @Option(names = "--progress", description = "Show a progress bar.")
    boolean progress;

    @Option(names = "--json", description = "One JSON object per file and one for the summary, on stdout.")
    boolean json;

    @Option(names = "-q", description = "Quiet: no summary, no notes.")
    boolean quiet;

    @Option(names = "-v", description = "Verbose: a line per file; the cause of errors.")
    boolean verbose;

    @Override
    List<Operand.Remote> remotes() {
        return remotesOf(operands);
    }

    @Override
    public Integer call() throws Exception {
        PrintStream err = invocation.err();
        DeltaMode how = switch (mode.toLowerCase(Locale.ROOT)) {
            case "auto" -> DeltaMode.AUTO;
            case "delta" -> DeltaMode.DELTA;
            case "whole" -> DeltaMode.WHOLE;
            default -> throw new IllegalArgumentException("--mode must be auto, delta or whole, not '" + mode + "'");
        };
        FileDigest check = switch (digest.toLowerCase(Locale.ROOT)) {
            case "xxh128" -> FileDigest.XXH3_128;
            case "sha256" -> FileDigest.SHA256;
            default -> throw new IllegalArgumentException("--digest must be xxh128 or sha256, not '" + digest + "'");
        };
        if (delete && !recursive) {
            throw new IllegalArgumentException("--delete needs -r");
        }
        SyncOptions options = new SyncOptions(recursive, delete, dryRun, checksum, how, compress, check, fsync);
        Operand from = Operands.parse(operands.get(0));
        Operand to = Operands.parse(operands.get(1));
        boolean upload = to instanceof Operand.Remote;
        if ((from instanceof Operand.Remote) == upload) {
            err.println("ferry: sync needs one local and one remote operand");
            return 1;
        }
        Operand.Remote remote = (Operand.Remote) (upload ? to : from);
        Interaction interaction = connection.batch ? Interaction.none(err::println) : invocation.terminal().get();
        if (quiet) {
            interaction = Interaction.quiet(interaction);
        }
        Listener listener = new Listener(err);
        WalkAhead ahead = Syncer.walkAhead(invocation.localBase(), upload, from.path(), to.path(), options);
        try (Sessions connector = invocation.sessions().open(connection.connectOptions(), interaction)) {
            Connector.Target target = connector.resolve(remote);
            try (Sessions.Lease lease = connector.open(target)) {
                SftpClient sftp = lease.sftp();
                boolean clean = false;
                try {
                    Syncer syncer = new Syncer(lease.session(), sftp, target.display(), upload, options, listener,
                            invocation.localBase(), ahead);
                    SyncSummary summary = syncer.run(from.path(), to.path());
                    if (syncer.connectionLost()) { // one sentence for the files it took, no summary
                        throw ConnectionFailedException.lostDuringCopy(target.display());
                    }
                    listener.close();
                    report(summary, err);
                    clean = true;
                    return summary.failed() == 0 ? 0 : 1;
                } finally {
                    lease.release(sftp, clean);
                }
            } catch (IOException e) {
                throw new FerryException(target.display() + ": " + (e.getMessage() == null ? "connection lost"
                        : e.getMessage()), e);
            }
        } catch (FerryException e) {
            listener.close();
            err.println(e.getMessage());
            if (verbose && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return e instanceof ConnectionFailedException ? FerryMain.CONNECTION_FAILED : 1;
        }
    }

    private void report(SyncSummary s, PrintStream err) {
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("summary", true);
            line.put("files", s.files());
            line.put("sent", s.sent());
            line.put("skipped", s.skipped());
            line.put("deleted", s.deleted());
            line.put("failed", s.failed());
            line.put("fileBytes", s.fileBytes());
            line.put("literalBytes", s.literalBytes());
            line.put("matchedBytes", s.matchedBytes());
            line.put("wireBytesSent", s.wireSent());
            line.put("wireBytesReceived", s.wireReceived());
            line.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
            line.put("dryRun", dryRun);
            printJson(line);
        }
        if (!quiet) {
            err.printf(Locale.ROOT, "ferry: %s%d of %d files sent (%d up to date, %d deleted%s), %s of files: %s new, "
                    + "%s reused; %s sent and %s received on the wire in %.2f s%n", dryRun ? "(dry run) " : "",
                    s.sent(), s.files(), s.skipped(), s.deleted(), s.failed() > 0 ? ", " + s.failed() + " failed" : "",
                    size(s.fileBytes()), size(s.literalBytes()), size(s.matchedBytes()), size(s.wireSent()),
                    size(s.wireReceived()), s.seconds());
        }
    }

    private void printJson(Map<String, Object> line) {
        invocation.out().println(Json.line(line));
        invocation.out().flush();
    }

    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        if (bytes < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    /** Per-file output: -v lines, --json objects, the --progress bar, and failures always. */
    private final class Listener implements SyncListener {
        private final PrintStream err;
        private ProgressBar bar;

        Listener(PrintStream err) {
            this.err = err;
            if (progress && !quiet) {
                bar = new ProgressBarBuilder().setTaskName("sync").setInitialMax(-1).setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" MB", 1_000_000).showSpeed().setUpdateIntervalMillis(200)
                        .setConsumer(ProgressBars.consumer(err, invocation.columns())).build();
            }
        }

        @Override
        public void sent(String path, String how, long size, long literal, long matched) {
            invocation.stopIfCancelled();
            if (bar != null) {
                bar.stepBy(size);
                bar.setExtraMessage(path);
            }
            if (verbose || dryRun) {
                err.println((dryRun ? "would send " : "sent ") + path + (dryRun ? "" : " (" + how + ", " + size(literal)
                        + " new, " + size(matched) + " reused)"));
            }
            file(path, dryRun ? "would-send" : "sent", how, size, literal, matched, null);
        }

        @Override
        public void skipped(String path, long size) {
            invocation.stopIfCancelled();
            if (verbose) {
                err.println("up to date: " + path);
            }
            file(path, "up-to-date", null, size, 0, 0, null);
        }

        @Override
        public void deleted(String path, boolean dry) {
            if (verbose || dry) {
                err.println((dry ? "would delete " : "deleted ") + path);
            }
            file(path, dry ? "would-delete" : "deleted", null, 0, 0, 0, null);
        }

        @Override
        public void failed(String path, String reason) {
            err.println("ferry: " + path + ": " + reason);
            file(path, "failed", null, 0, 0, 0, reason);
        }

        @Override
        public void note(String text) {
            if (!quiet) {
                err.println("ferry: " + text);
            }
        }

        private void file(String path, String action, String how, long size, long literal, long matched, String error) {
            if (!json) {
                return;
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("path", path);
            line.put("action", action);
            if (how != null) {
                line.put("how", how);
            }
            line.put("bytes", size);
            line.put("literalBytes", literal);
            line.put("matchedBytes", matched);
            if (error != null) {
                line.put("error", error);
            }
            printJson(line);
        }

        void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
