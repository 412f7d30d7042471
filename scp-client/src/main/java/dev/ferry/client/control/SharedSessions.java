package dev.ferry.client.control;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Consumer;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.sftp.client.SftpClient;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.ConnectOptions;
import dev.ferry.client.connect.Connector;
import dev.ferry.client.connect.Interaction;
import dev.ferry.client.connect.Sessions;
import dev.ferry.client.operand.Operand;
import dev.ferry.client.transfer.SftpClients;

/**
 * The master's sessions: one {@link Connector}, configured by the run that started the master (as
 * ssh's master keeps its own options), and the session to its target, kept open across runs. Each
 * run sees it through a {@link #view}: its lease closes nothing, while the channels the run opens
 * are its own. A run to another host (a ControlPath without %h or %C) gets a session of its own.
 */
public final class SharedSessions implements AutoCloseable {

    private final Connector connector;
    private final Asker asker = new Asker();
    private final Consumer<String> lost;
    private Connector.Target keptTarget;
    private ClientSession kept;
    /** SFTP channels on the kept session that runs have finished with, newest first. */
    private final Deque<SftpClient> idle = new ArrayDeque<>();
    private static final int IDLE_MAX = 4;

    /** @param lost told when the kept session closes: the master ends, as ssh's does */
    public SharedSessions(ConnectOptions options, Consumer<String> lost) throws FerryException {
        this.connector = new Connector(options, asker);
        this.lost = lost;
    }

    /** The sessions one run uses; questions while connecting go to {@code interaction}. */
    public Sessions view(Interaction interaction) {
        return new Sessions() {
            @Override
            public Connector.Target resolve(Operand.Remote remote) throws FerryException {
                synchronized (SharedSessions.this) {
                    asker.current = interaction;
                    return connector.resolve(remote);
                }
            }

            @Override
            public Lease open(Connector.Target target) throws FerryException {
                ClientSession session;
                synchronized (SharedSessions.this) {
                    asker.current = interaction;
                    if (kept == null || sameServer(target, keptTarget)) {
                        session = keep(target);
                    } else {
                        ClientSession own = track(connector.connect(target));
                        return Sessions.Lease.closing(own);
                    }
                }
                return new KeptLease(session);
            }

            @Override
            public ClientSession connect(Connector.Target target) throws FerryException {
                synchronized (SharedSessions.this) {
                    asker.current = interaction;
                    return track(connector.connect(target));
                }
            }

            @Override
            public void close() {
                // the master's connector outlives its runs
            }
        };
    }

    /** What {@code -O check} says the master holds. */
    public synchronized String description() {
        return kept == null ? "" : keptTarget.display() + " port " + keptTarget.port();
    }

    private ClientSession keep(Connector.Target target) throws FerryException {
        if (kept != null && kept.isOpen()) {
            return kept;
        }
        if (kept != null) {
            throw new FerryException("ferry: the control master's connection to " + keptTarget.display() + " is closed");
        }
        ClientSession session = connector.connect(target);
        session.addSessionListener(new SessionListener() {
            @Override
            public void sessionClosed(Session s) {
                lost.accept("the session to " + target.display() + " closed");
            }
        });
        // Channels opened by a run belong to it: an interrupted run's are closed under it, gracefully
        // (an immediate close in MINA tells the server nothing, and its end would stay open).
        session.addChannelListener(new ChannelListener() {
            @Override
            public void channelInitialized(Channel channel) {
                ControlMaster.current().ifPresent(run -> run.track(() -> channel.close(false)));
            }
        });
        kept = session;
        keptTarget = target;
        return session;
    }

    /** The same user on the same host, port and jump hosts (policies are made anew by each resolve). */
    private static boolean sameServer(Connector.Target a, Connector.Target b) {
        return a.host().equals(b.host()) && a.port() == b.port() && a.user().equals(b.user()) && a.jump().equals(b.jump());
    }

    private static ClientSession track(ClientSession session) {
        ControlMaster.current().ifPresent(run -> run.track(() -> session.close(true)));
        return session;
    }

    /** The kept session, and SFTP channels that outlive the runs using them. */
    private final class KeptLease implements Sessions.Lease {
        private final ClientSession session;

        KeptLease(ClientSession session) {
            this.session = session;
        }

        @Override
        public ClientSession session() {
            return session;
        }

        @Override
        public SftpClient sftp() throws IOException {
            SftpClient reused = null;
            synchronized (idle) {
                while (reused == null && !idle.isEmpty()) {
                    SftpClient c = idle.pop();
                    if (c.isOpen()) {
                        reused = c;
                    }
                }
            }
            if (reused == null) {
                return SftpClients.open(session); // tracked for its run by the session's channel listener
            }
            SftpClient sftp = reused;
            ControlMaster.current().ifPresent(run -> run.track(() -> sftp.getChannel().close(false)));
            return sftp;
        }

        @Override
        public void release(SftpClient sftp, boolean reusable) throws IOException {
            boolean interrupted = ControlMaster.current().map(ControlMaster.Run::interrupted).orElse(false);
            if (reusable && !interrupted && sftp.isOpen()) {
                synchronized (idle) {
                    if (idle.size() < IDLE_MAX) {
                        idle.push(sftp);
                        return;
                    }
                }
            }
            sftp.close();
        }

        @Override
        public void close() {
            // the session stays for the next run
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }

    /** Passes the connector's questions and warnings to the run it is connecting for. */
    private static final class Asker implements Interaction {
        private volatile Interaction current = Interaction.none(s -> { });

        @Override
        public Optional<char[]> password(String userAtHost) {
            return current.password(userAtHost);
        }

        @Override
        public Optional<char[]> passphrase(Path key) {
            return current.passphrase(key);
        }

        @Override
        public Optional<Boolean> confirm(String question) {
            return current.confirm(question);
        }

        @Override
        public void warn(String sentence) {
            current.warn(sentence);
        }

        @Override
        public boolean asks() {
            return current.asks();
        }
    }
}
