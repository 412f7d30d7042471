package dev.ferry.server.scp;

import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.shell.ShellFactory;

import dev.ferry.scp.AtomicScpFileOpener;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;

/**
 * Answers exec and shell requests: {@code scp -t}/{@code scp -f} run the SCP engine, everything else
 * is refused with one sentence on stderr. No request ever reaches a shell.
 */
public final class ExecCommands implements CommandFactory, ShellFactory {

    /** OpenSSH's scp default is 8 KiB; larger buffers mean fewer, larger writes to the channel. */
    public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;

    private final EventSink events;
    private final ScpTransferLog transferLog;
    private final AtomicScpFileOpener opener = new AtomicScpFileOpener();
    private final int bufferSize;

    public ExecCommands(EventSink events, int bufferSize) {
        this.events = events;
        this.transferLog = new ScpTransferLog(events);
        this.bufferSize = bufferSize;
    }

    @Override
    public Command createCommand(ChannelSession channel, String command) {
        if (!ScpCommandLine.isScp(command)) {
            events.accept(new ServerEvent.ExecRefused(channel.getSession().getUsername(),
                    ServerEvent.address(channel.getSession().getRemoteAddress()), command));
            return new Refusal("ferryd: this server offers only SFTP and SCP; it does not run commands");
        }
        ScpCommandLine line;
        try {
            line = ScpCommandLine.parse(command);
        } catch (IllegalArgumentException e) {
            return new Refusal("scp: " + e.getMessage());
        }
        return new FerryScpCommand(command, line, null, bufferSize, opener, transferLog);
    }

    @Override
    public Command createShell(ChannelSession channel) {
        events.accept(new ServerEvent.ExecRefused(channel.getSession().getUsername(),
                ServerEvent.address(channel.getSession().getRemoteAddress()), "(shell)"));
        return new Refusal("ferryd: this server offers only SFTP and SCP; there is no shell");
    }
}
