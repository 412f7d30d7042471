package dev.ferry.client.transfer;

import java.io.IOException;

import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpErrorDataHandler;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;
import org.apache.sshd.sftp.client.impl.DefaultSftpClientFactory;

import dev.ferry.client.sftp.Tally;
import dev.ferry.client.sftp.WindowAccount;
import dev.ferry.transport.WindowCredit;

/**
 * Opens SFTP clients whose channel grants its receive window back in few, large adjustments (see
 * {@link WindowCredit}, through {@link WindowAccount}) instead of MINA's one per three packets, and
 * counts them in the session's {@link Tally} when there is one.
 */
public final class SftpClients {

    private static final Factory FACTORY = new Factory();

    private SftpClients() {
    }

    /** An SFTP client on a new channel of {@code session}, version negotiated. */
    public static SftpClient open(ClientSession session) throws IOException {
        return FACTORY.createSftpClient(session);
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
