package dev.ferry.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.server.auth.Limits;
import dev.ferry.server.auth.Network;
import dev.ferry.server.auth.UserDirectory;
import dev.ferry.server.config.HostPort;
import dev.ferry.server.hook.Hook;
import dev.ferry.server.log.EventSink;
import dev.ferry.transport.TransportProfile;

/**
 * Everything a {@link FerryServer} is made from; built by {@link FerryServer.Builder}.
 *
 * @param listen        the addresses to listen on, the first the main one
 * @param hostKeys      the host keys offered, one per key type
 * @param receiveBudget bytes all clients together may have in flight towards the server (see
 *                      {@link dev.ferry.transport.ReceiveBudget}); the default is a quarter of the heap
 * @param algorithms    what the server offers (default: the modern profile's lists)
 * @param atomicSftpUploads SFTP uploads that replace a file are written into a temporary file and
 *                      renamed at the client's close (default), or in place
 * @param uploadJournal the journal of uploads in flight ({@code dev.ferry.server.journal}), with
 *                      which a start removes what a killed server left; none: nothing is recorded
 * @param metrics       where Prometheus metrics are served (an unresolved host and a port, 0 for any);
 *                      none: not served
 * @param hook          the command run after uploads and other file events; none: nothing is run
 * @param proxyProtocolFrom the load balancers allowed to connect, each connection with a PROXY header
 *                      naming its client ({@code dev.ferry.server.proxy}); empty: no PROXY protocol
 */
public record ServerConfig(List<HostPort> listen, List<KeyPair> hostKeys, UserDirectory users, Limits limits,
        EventSink events, Clock clock, int sftpMaxRead, int scpBufferSize, TransportProfile transport,
        long receiveBudget, AlgorithmPolicy.Algorithms algorithms, boolean atomicSftpUploads,
        Optional<Path> uploadJournal, Optional<InetSocketAddress> metrics, Optional<Hook> hook,
        List<Network> proxyProtocolFrom) {

    /**
     * The longest SFTP read answered in one message: 256 KiB less 1 KiB, as OpenSSH's sftp-server
     * advertises in limits@openssh.com, because OpenSSH's client refuses any SFTP message longer
     * than 256 KiB and the reply's header must fit too. (MINA's default is 63 KiB.)
     */
    public static final int DEFAULT_SFTP_MAX_READ = 256 * 1024 - 1024;
    public static final int DEFAULT_SCP_BUFFER = 256 * 1024;

    public ServerConfig {
        listen = List.copyOf(listen);
        hostKeys = List.copyOf(hostKeys);
        proxyProtocolFrom = List.copyOf(proxyProtocolFrom);
        if (listen.isEmpty() || hostKeys.isEmpty()) {
            throw new IllegalArgumentException("a server needs an address and a host key");
        }
    }

    /** The same, with events going to {@code events} instead (the server tees its metrics and hook in). */
    public ServerConfig withEvents(EventSink events) {
        return new ServerConfig(listen, hostKeys, users, limits, events, clock, sftpMaxRead, scpBufferSize,
                transport, receiveBudget, algorithms, atomicSftpUploads, uploadJournal, metrics, hook,
                proxyProtocolFrom);
    }

    /** The first host key, whose fingerprint ferryd shows. */
    public KeyPair hostKey() {
        return hostKeys.get(0);
    }
}
