package dev.ferry.server.scp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.scp.common.ScpException;
import org.apache.sshd.scp.common.ScpFileOpener;
import org.apache.sshd.scp.common.ScpHelper;
import org.apache.sshd.scp.common.ScpTransferEventListener;
import org.apache.sshd.scp.common.helpers.ScpAckInfo;
import org.apache.sshd.server.command.AbstractFileSystemCommand;

import dev.ferry.server.lifecycle.TransfersInFlight;
import dev.ferry.fs.QuotaExceededException;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.quota.QuotaLog;

/**
 * Runs one already parsed scp command with MINA's SCP engine on the session's confined file system.
 * MINA's own {@code ScpCommand} splits the command at spaces and so misreads quoted names; this
 * one takes the words from {@link ScpCommandLine}, and checks what the client sends as OpenSSH's
 * scp does ({@link CheckedScpHelper}). A failure is sent to the client and logged.
 */
final class FerryScpCommand extends AbstractFileSystemCommand {

    private final ScpCommandLine line;
    private final int bufferSize;
    private final ScpFileOpener opener;
    private final ScpTransferEventListener listener;
    private final RefusalLog refusals;

    FerryScpCommand(String command, ScpCommandLine line, CloseableExecutorService executor, int bufferSize,
            ScpFileOpener opener, ScpTransferEventListener listener, RefusalLog refusals) {
        super(command, executor);
        this.line = line;
        this.bufferSize = bufferSize;
        this.opener = opener;
        this.listener = listener;
        this.refusals = refusals;
    }

    @Override
    public void run() {
        TransfersInFlight inFlight = TransfersInFlight.of(getServerSession());
        inFlight.begin();
        try {
            transfer();
        } finally {
            inFlight.end();
        }
    }

    private void transfer() {
        int exit = ScpAckInfo.OK;
        String message = "";
        ScpHelper helper = new CheckedScpHelper(getServerSession(), getInputStream(), getOutputStream(), fileSystem, opener,
                listener);
        try {
            if (line.sink()) {
                helper.receive(getCommand(), helper.resolveLocalPath(line.paths().get(0)), line.recursive(),
                        line.targetIsDir(), line.preserve(), bufferSize);
            } else {
                helper.send(line.paths(), line.recursive(), line.preserve(), bufferSize);
            }
        } catch (IOException | RuntimeException e) {
            // A status the client sent (ScpException carries the reply code it read) is passed on
            // only as what the protocol knows: 1, a warning, or 2. Any other byte, echoed, made an
            // answer no scp client can read, and the command's exit status that byte.
            exit = e instanceof ScpException se && se.getExitStatus() != null
                    && se.getExitStatus() == ScpAckInfo.WARNING ? ScpAckInfo.WARNING : ScpAckInfo.ERROR;
            message = ScpErrors.describe(e);
            if (QuotaExceededException.in(e) != null) {
                QuotaLog.report(event -> refusals.report(getServerSession(), event), getServerSession(), "scp", e);
            } else {
                refusals.refused(getServerSession(), "scp", getCommand(), message);
            }
            try {
                ScpAckInfo.sendAck(getOutputStream(), StandardCharsets.UTF_8, exit, message);
            } catch (IOException ignored) {
                // the client has gone; the exit status below is all that is left to report
            }
        } finally {
            onExit(exit, message);
        }
    }
}
