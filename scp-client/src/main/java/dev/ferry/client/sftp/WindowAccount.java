package dev.ferry.client.sftp;

import org.apache.sshd.common.channel.AbstractChannel;

import dev.ferry.transport.ReceiveBudget;
import dev.ferry.transport.WindowCredit;

/**
 * A client channel's window adjustments through {@link WindowCredit} (few and large, where MINA
 * sends one per three packets), added to the session's {@link Tally} when the channel closes.
 * Used by {@link SftpPipe}'s channel and by the channels of MINA's SftpClient that Ferry opens.
 */
public final class WindowAccount {
    private WindowCredit credit;

    private synchronized WindowCredit credit(AbstractChannel channel) {
        if (credit == null) { // the window is known once the channel is initialised
            credit = new WindowCredit(ReceiveBudget.unlimited(), channel.getLocalWindow().getMaxSize());
        }
        return credit;
    }

    /** The server sent {@code len} bytes of channel data. */
    public void received(AbstractChannel channel, long len) {
        credit(channel).received(len);
    }

    /** MINA would adjust the window by {@code len}: what to grant now (0: later, in a larger step). */
    public long grant(AbstractChannel channel, long len) {
        return credit(channel).release(len);
    }

    /** The channel closes: its counts go to the session's tally. */
    public void close(AbstractChannel channel) {
        WindowCredit c;
        synchronized (this) {
            c = credit;
        }
        Tally tally = channel.getSession().getAttribute(Tally.KEY);
        if (c != null && c.close() && tally != null) {
            tally.add(c);
        }
    }
}
