package dev.ferry.client.transfer;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.channel.AbstractChannel;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpErrorDataHandler;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;
import org.apache.sshd.sftp.client.impl.DefaultSftpClientFactory;

import dev.ferry.transport.ReceiveBudget;
import dev.ferry.transport.WindowCredit;

/**
 * Opens SFTP clients whose channel grants its receive window back in few, large adjustments (see
 * {@link WindowCredit}) instead of MINA's one per three packets, and counts them in the session's
 * {@link Tally} when there is one.
 */
public final class SftpClients {

    /** Where the channels of a session add up what they received and the adjustments it took. */
    public static final AttributeKey<Tally> TALLY = new AttributeKey<>();

    private static final Factory FACTORY = new Factory();

    private SftpClients() {
    }

    /** An SFTP client on a new channel of {@code session}, version negotiated. */
    public static SftpClient open(ClientSession session) throws IOException {
        return FACTORY.createSftpClient(session);
    }

    /** Bytes received over channels and the window adjustments sent for them. */
    public static final class Tally {
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong adjusts = new AtomicLong();
        private final AtomicLong window = new AtomicLong();

        void add(WindowCredit credit) {
            bytes.addAndGet(credit.receivedBytes());
            adjusts.addAndGet(credit.adjusts());
            window.accumulateAndGet(credit.window(), Math::max);
        }

        public long bytes() {
            return bytes.get();
        }

        public long adjusts() {
            return adjusts.get();
        }

        /** The largest window a counted channel had. */
        public long window() {
            return window.get();
        }
    }

    /**
     * A client channel's window adjustments through {@link WindowCredit}, added to the session's
     * {@link Tally} when the channel closes. Used by this class's channels and by
     * {@code dev.ferry.client.sftp.SftpPipe}'s.
     */
    public static final class WindowAccount {
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
            Tally tally = channel.getSession().getAttribute(TALLY);
            if (c != null && c.close() && tally != null) {
                tally.add(c);
            }
        }
    }

    private static final class Factory extends DefaultSftpClientFactory {
        @Override
        protected DefaultSftpClient createDefaultSftpClient(ClientSession session, SftpVersionSelector selector,
                SftpErrorDataHandler errors) throws IOException {
            return new Client(session, selector, errors);
        }
    }

    private static final class Client extends DefaultSftpClient {
        Client(ClientSession session, SftpVersionSelector selector, SftpErrorDataHandler errors) throws IOException {
            super(session, selector, errors);
        }

        @Override
        protected ChannelSubsystem createSftpChannelSubsystem(ClientSession session) {
            return new SftpChannelSubsystem() {
                private final WindowAccount account = new WindowAccount();

                @Override
                protected void doWriteData(byte[] data, int off, long len) throws IOException {
                    account.received(this, len);
                    super.doWriteData(data, off, len);
                }

                @Override
                protected void sendWindowAdjust(long len) throws IOException {
                    long grant = account.grant(this, len);
                    if (grant > 0) {
                        super.sendWindowAdjust(grant);
                    }
                }

                @Override
                protected void preClose() {
                    account.close(this);
                    super.preClose();
                }
            };
        }
    }
}
