package dev.ferry.client.cli;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.ferry.relay.TcpRelay;
import dev.ferry.transport.TransportProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry relay}: the buffered TCP relay of the origin story, for stock clients
 * ({@code scp -P 9022 user@localhost:...}). Bytes only: the client still checks the real server's
 * key, and {@code ferry cp -o StrictHostKeyChecking=known-key} trusts it under the relay's name.
 */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Forward TCP connections with large socket and user-space buffers; one line per connection.")
public final class RelayCommand implements Callable<Integer> {

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "Address to listen on.")
    String listen;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "Where to forward to.")
    String to;

    @Option(names = "--buffer", paramLabel = "SIZE", defaultValue = "1M",
            description = "User-space buffer per read (default ${DEFAULT-VALUE}).")
    String buffer;

    @Option(names = "--socket-buffer", paramLabel = "SIZE", defaultValue = "4M",
            description = "SO_SNDBUF/SO_RCVBUF asked for each socket (default ${DEFAULT-VALUE}).")
    String socketBuffer;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress from = address(listen, "--listen");
        InetSocketAddress target = address(to, "--to");
        TcpRelay relay = TcpRelay.builder(from, target)
                .buffer((int) TransportProfile.parseSize(buffer))
                .socketBuffer((int) TransportProfile.parseSize(socketBuffer))
                .reports(r -> System.out.println(r))
                .start();
        System.out.printf("ferry relay: %s:%d -> %s:%d%n", from.getHostString(), relay.port(), target.getHostString(),
                target.getPort());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                relay.close();
            } catch (java.io.IOException ignored) {
                // exiting anyway
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** {@code HOST:PORT} or {@code [v6]:PORT}. */
    static InetSocketAddress address(String text, String option) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(option + ": expected HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(host, port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text.substring(colon + 1) + "' is not a port");
        }
    }
}
