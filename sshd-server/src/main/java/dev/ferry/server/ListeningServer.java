package dev.ferry.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

import org.apache.sshd.server.SshServer;

import dev.ferry.server.config.HostPort;

/**
 * MINA's server, listening on several addresses each with its own port (MINA binds one port, on
 * each of a list of hosts), and able to stop listening while its connections go on, which a
 * graceful stop needs and MINA's own {@code stop} does not do.
 */
final class ListeningServer extends SshServer {

    private final List<HostPort> more;

    /** @param more addresses beyond the one set with {@code setHost}/{@code setPort} */
    ListeningServer(List<HostPort> more) {
        this.more = List.copyOf(more);
    }

    @Override
    public void start() throws IOException {
        super.start();
        for (HostPort address : more) {
            acceptor.bind(new InetSocketAddress(address.host(), address.port()));
        }
    }

    /** Closes the listening sockets; the connections accepted go on. */
    void stopListening() {
        if (acceptor != null) {
            acceptor.unbind();
        }
    }
}
