package dev.ferry.server.scp;

import java.util.List;
import java.util.Optional;

import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.shell.ShellFactory;

import dev.ferry.fs.TemporaryFiles;
import dev.ferry.scp.AtomicScpFileOpener;
import dev.ferry.server.exec.ChecksumCommand;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/**
 * Answers exec and shell requests: {@code scp -t}/{@code scp -f} run the SCP engine,
 * {@code md5sum}/{@code sha1sum}/{@code sha256sum} the checksums of {@link ChecksumCommand},
 * everything else is refused with one sentence on stderr. No request ever reaches a shell.
 */
public final class ExecCommands implements CommandFactory, ShellFactory {

    /** OpenSSH's scp default is 8 KiB; larger buffers mean fewer, larger writes to the channel. */
    public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;

    private final RefusalLog refusals;
    private final ScpTransferLog transferLog;
    private final AtomicScpFileOpener opener;
    private final int bufferSize;

    /** @param temps told of each SCP upload's temporary file (ferryd's journal) */
    public ExecCommands(EventSink events, RefusalLog refusals, int bufferSize, TemporaryFiles temps) {
        this.refusals = refusals;
        this.opener = new AtomicScpFileOpener(temps);
        this.transferLog = new ScpTransferLog(events);
        this.bufferSize = bufferSize;
    }

    @Override
    public Command createCommand(ChannelSession channel, String command) {
        Optional<Command> checksum = checksum(channel, command);
        if (checksum.isPresent()) {
            return checksum.get();
        }
        if (!ScpCommandLine.isScp(command)) {
            refusals.report(channel.getSession(), new ServerEvent.ExecRefused(channel.getSession().getUsername(),
                    ServerEvent.address(ClientAddress.of(channel.getSession())), RefusalLog.clip(command)));
            return new Refusal("ferryd: this server offers only SFTP and SCP (and md5sum, sha1sum, sha256sum); it does not run commands");
        }
        ScpCommandLine line;
        try {
            line = ScpCommandLine.parse(command);
        } catch (IllegalArgumentException e) {
            refusals.refused(channel.getSession(), "scp", command, e.getMessage());
            return new Refusal("scp: " + e.getMessage());
        }
        return new FerryScpCommand(command, line, null, bufferSize, opener, transferLog, refusals);
    }

    /** md5sum, sha1sum or sha256sum of files in the root, if that is what {@code command} asks. */
    private Optional<Command> checksum(ChannelSession channel, String command) {
        List<String> words;
        try {
            words = ShellWords.split(command);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a pipe or the like: refused below as any other command
        }
        if (words.isEmpty()) {
            return Optional.empty();
        }
        return ChecksumCommand.Program.named(words.get(0)).map(program -> {
            List<String> names = words.subList(1, words.size());
            Optional<String> refusal = ChecksumCommand.check(program, names);
            refusal.ifPresent(why -> refusals.refused(channel.getSession(), "exec", command, why));
            return refusal.<Command>map(Refusal::new).orElseGet(() -> new ChecksumCommand(command, program, names));
        });
    }

    @Override
    public Command createShell(ChannelSession channel) {
        refusals.report(channel.getSession(), new ServerEvent.ExecRefused(channel.getSession().getUsername(),
                ServerEvent.address(ClientAddress.of(channel.getSession())), "(shell)"));
        return new Refusal("ferryd: this server offers only SFTP and SCP; there is no shell");
    }
}
