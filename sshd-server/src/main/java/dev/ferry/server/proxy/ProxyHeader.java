package dev.ferry.server.proxy;

import java.net.InetSocketAddress;

/** A parsed PROXY protocol header; {@link #length()} bytes of the stream, the SSH data after them. */
public sealed interface ProxyHeader {

    int length();

    /** The balancer relays a client: {@code source} is the client, {@code destination} the balancer's listener. */
    record Proxied(InetSocketAddress source, InetSocketAddress destination, int length) implements ProxyHeader {
    }

    /**
     * The balancer speaks for itself (v2 LOCAL, as in HAProxy's health checks) or does not know the
     * client (v1 UNKNOWN, v2 UNSPEC): the socket's own address stands.
     */
    record Local(int length) implements ProxyHeader {
    }
}
