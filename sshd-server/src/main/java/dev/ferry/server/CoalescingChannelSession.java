package dev.ferry.server;

import java.io.IOException;
import java.util.function.Consumer;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.channel.ChannelDataReceiver;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.command.AsyncCommandInputStreamAware;
import org.apache.sshd.server.command.Command;

import dev.ferry.server.log.ServerEvent;
import dev.ferry.transport.ReceiveBudget;
import dev.ferry.transport.WindowCredit;

/**
 * A session channel (SFTP, scp, refused exec) whose receive window is few, large adjustments and
 * bounded by the server's {@link ReceiveBudget}: see {@link WindowCredit}. Its initial window is what
 * the budget has left when it opens, at most the transport profile's window. Counts are reported
 * when the channel closes.
 */
final class CoalescingChannelSession extends ChannelSession {

    private final Consumer<ServerEvent> events;
    private final ReceiveBudget budget;
    private volatile WindowCredit credit; // set once, when MINA configures the window

    private CoalescingChannelSession(Consumer<ServerEvent> events, ReceiveBudget budget) {
        this.events = events;
        this.budget = budget;
    }

    /** Creates these channels for "session" channel requests. */
    static ChannelSessionFactory factory(Consumer<ServerEvent> events, ReceiveBudget budget) {
        return new ChannelSessionFactory() {
            @Override
            public Channel createChannel(Session session) {
                return new CoalescingChannelSession(events, budget);
            }
        };
    }

    /** MINA configures the window at init and again at open; the budget is asked once. */
    @Override
    protected synchronized void configureWindow() {
        if (credit == null) {
            long wanted = CoreModuleProperties.WINDOW_SIZE.getRequired(this);
            credit = new WindowCredit(budget, budget.open(wanted));
            CoreModuleProperties.WINDOW_SIZE.set(this, credit.window()); // read by the window below
        }
        super.configureWindow();
    }

    /**
     * Blocking commands (scp, ferry-delta, refusals) read through {@link ChannelInput} instead of
     * MINA's pipe; SFTP and other commands that take the data themselves are left alone.
     */
    @Override
    protected Command prepareCommand(String requestType, Command command) throws IOException {
        if (command != null && !(command instanceof AsyncCommandInputStreamAware)
                && !(command instanceof ChannelDataReceiver)) {
            ChannelInput input = new ChannelInput(getLocalWindow());
            setDataReceiver(input.receiver());
            command.setInputStream(input);
        }
        return super.prepareCommand(requestType, command);
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        credit.received(len);
        super.doWriteData(data, off, len);
    }

    @Override
    protected void sendWindowAdjust(long len) throws IOException {
        long grant = credit.release(len);
        if (grant > 0) {
            super.sendWindowAdjust(grant);
        }
    }

    @Override
    protected void preClose() {
        WindowCredit c;
        synchronized (this) {
            c = credit;
        }
        if (c != null && c.close()) {
            if (c.receivedBytes() > 0) {
                Session session = getSession();
                events.accept(new ServerEvent.ChannelWindow(session.getUsername(),
                        ServerEvent.address(session.getRemoteAddress()), c.receivedBytes(), c.adjusts(), c.window()));
            }
        }
        super.preClose();
    }
}
