package dev.ferry.client.connect;

import java.io.IOException;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;

import dev.ferry.client.FerryException;
import dev.ferry.client.operand.Operand;
import dev.ferry.client.transfer.SftpClients;

/**
 * Where a command gets its sessions: a {@link Connector} of its own that connects for this run, or
 * a control master's, whose session outlives the run. Commands hold a {@link Lease} while they copy.
 */
public interface Sessions extends AutoCloseable {

    /** The host, port, user and policies {@code remote} resolves to, without connecting. */
    Connector.Target resolve(Operand.Remote remote) throws FerryException;

    /** The session to copy over, connected and authenticated; closing the lease ends this run's use of it. */
    Lease open(Connector.Target target) throws FerryException;

    /** A session of the caller's own, closed by the caller: the extra connections of {@code --streams}. */
    ClientSession connect(Connector.Target target) throws FerryException;

    @Override
    void close() throws IOException;

    /** A session held for one run. */
    interface Lease extends AutoCloseable {
        ClientSession session();

        /**
         * An SFTP client on the session: a new channel, or one a control master kept from an
         * earlier run (OpenSSH's sshd starts an sftp-server process for each new channel).
         */
        default SftpClient sftp() throws IOException {
            return SftpClients.open(session());
        }

        /** Ends this run's use of {@code sftp}: closed, or kept for a later run when {@code reusable}. */
        default void release(SftpClient sftp, boolean reusable) throws IOException {
            sftp.close();
        }

        @Override
        void close() throws IOException;

        /** A lease of a session of the run's own: closing it closes the session. */
        static Lease closing(ClientSession session) {
            return new Lease() {
                @Override
                public ClientSession session() {
                    return session;
                }

                @Override
                public void close() throws IOException {
                    session.close();
                }
            };
        }
    }
}
