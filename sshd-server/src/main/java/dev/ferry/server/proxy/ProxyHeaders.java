package dev.ferry.server.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Parses the PROXY protocol header (haproxy.org/download/2.8/doc/proxy-protocol.txt), version 1
 * (one text line) or 2 (binary), from the first bytes a connection sent. Bytes arrive in pieces,
 * so an incomplete header is "not yet" rather than an error, as long as what came could still start one.
 */
public final class ProxyHeaders {

    /** The spec's longest v1 line, CRLF included. */
    static final int V1_MAX = 107;
    /**
     * The longest v2 header accepted: the addresses and a few TLVs (HAProxy's unique-id, ALPN).
     * The format allows 64 KiB; ferryd buffers nothing that large from a peer that has not said hello.
     */
    static final int V2_MAX = 16 + 2048;
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    private ProxyHeaders() {
    }

    /**
     * The header at the start of {@code data[offset, offset+length)}, or empty when more bytes are needed.
     *
     * @throws MalformedProxyHeader when these bytes cannot start a valid header
     */
    public static Optional<ProxyHeader> parse(byte[] data, int offset, int length) throws MalformedProxyHeader {
        if (length == 0) {
            return Optional.empty();
        }
        if (data[offset] == V1_PREFIX[0]) {
            return v1(data, offset, length);
        }
        if (data[offset] == V2_SIGNATURE[0]) {
            return v2(data, offset, length);
        }
        throw new MalformedProxyHeader("no PROXY header");
    }

    private static Optional<ProxyHeader> v1(byte[] data, int offset, int length) throws MalformedProxyHeader {
        expectPrefix(V1_PREFIX, data, offset, length, "no PROXY header");
        int end = -1;
        for (int i = 1; i < Math.min(length, V1_MAX); i++) {
            if (data[offset + i - 1] == '\r' && data[offset + i] == '\n') {
                end = i + 1;
                break;
            }
        }
        if (end < 0) {
            if (length >= V1_MAX) {
                throw new MalformedProxyHeader("PROXY v1 line longer than " + V1_MAX + " bytes");
            }
            return Optional.empty();
        }
        String line = new String(data, offset, end - 2, StandardCharsets.US_ASCII);
        String[] fields = line.split(" ", -1);
        if (fields.length >= 2 && fields[1].equals("UNKNOWN")) {
            return Optional.of(new ProxyHeader.Local(end));
        }
        if (fields.length != 6 || !(fields[1].equals("TCP4") || fields[1].equals("TCP6"))) {
            throw new MalformedProxyHeader("PROXY v1 line is not 'PROXY TCP4|TCP6 src dst sport dport'");
        }
        int family = fields[1].equals("TCP4") ? 4 : 16;
        InetAddress source = v1Address(fields[2], family);
        InetAddress destination = v1Address(fields[3], family);
        return Optional.of(new ProxyHeader.Proxied(new InetSocketAddress(source, v1Port(fields[4])),
                new InetSocketAddress(destination, v1Port(fields[5])), end));
    }

    private static InetAddress v1Address(String text, int bytes) throws MalformedProxyHeader {
        boolean shape = bytes == 4 ? text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") : text.matches("[0-9a-fA-F:.]{2,45}")
                && text.contains(":");
        if (shape) {
            try {
                InetAddress address = InetAddress.getByName(text); // a literal: never a lookup
                if (address.getAddress().length == bytes) {
                    return address;
                }
            } catch (UnknownHostException e) {
                // falls through to the refusal
            }
        }
        throw new MalformedProxyHeader("PROXY v1 address is not an IPv" + (bytes == 4 ? 4 : 6) + " literal");
    }

    private static int v1Port(String text) throws MalformedProxyHeader {
        if (text.matches("0|[1-9][0-9]{0,4}") && Integer.parseInt(text) <= 65535) {
            return Integer.parseInt(text);
        }
        throw new MalformedProxyHeader("PROXY v1 port is not a number within 0..65535");
    }

    private static Optional<ProxyHeader> v2(byte[] data, int offset, int length) throws MalformedProxyHeader {
        expectPrefix(V2_SIGNATURE, data, offset, length, "no PROXY header (bad v2 signature)");
        if (length < 16) {
            return Optional.empty();
        }
        int versionCommand = data[offset + 12] & 0xFF;
        if (versionCommand >> 4 != 2) {
            throw new MalformedProxyHeader("PROXY v2 header of version " + (versionCommand >> 4));
        }
        int command = versionCommand & 0x0F;
        if (command > 1) {
            throw new MalformedProxyHeader("PROXY v2 command " + command + " is neither LOCAL nor PROXY");
        }
        int family = (data[offset + 13] & 0xFF) >> 4;
        int transport = data[offset + 13] & 0x0F;
        int total = 16 + ((data[offset + 14] & 0xFF) << 8 | (data[offset + 15] & 0xFF));
        if (total > V2_MAX) {
            throw new MalformedProxyHeader("PROXY v2 header of " + total + " bytes, more than " + V2_MAX);
        }
        if (length < total) {
            return Optional.empty();
        }
        if (command == 0 || family == 0) {
            return Optional.of(new ProxyHeader.Local(total)); // LOCAL, or PROXY for an unknown family
        }
        if (transport != 1 || (family != 1 && family != 2)) {
            throw new MalformedProxyHeader("PROXY v2 header for other than TCP over IPv4 or IPv6");
        }
        int bytes = family == 1 ? 4 : 16;
        if (total - 16 < 2 * bytes + 4) {
            throw new MalformedProxyHeader("PROXY v2 header too short for its addresses");
        }
        int at = offset + 16;
        InetAddress source = v2Address(data, at, bytes);
        InetAddress destination = v2Address(data, at + bytes, bytes);
        int sourcePort = (data[at + 2 * bytes] & 0xFF) << 8 | (data[at + 2 * bytes + 1] & 0xFF);
        int destinationPort = (data[at + 2 * bytes + 2] & 0xFF) << 8 | (data[at + 2 * bytes + 3] & 0xFF);
        // TLVs, if any, follow up to total: nothing in them changes who the client is.
        return Optional.of(new ProxyHeader.Proxied(new InetSocketAddress(source, sourcePort),
                new InetSocketAddress(destination, destinationPort), total));
    }

    private static InetAddress v2Address(byte[] data, int at, int bytes) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(data, at, at + bytes));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    /** Refuses unless the bytes so far agree with {@code prefix} (all of it, if that many came). */
    private static void expectPrefix(byte[] prefix, byte[] data, int offset, int length, String reason)
            throws MalformedProxyHeader {
        for (int i = 0; i < Math.min(prefix.length, length); i++) {
            if (data[offset + i] != prefix[i]) {
                throw new MalformedProxyHeader(reason);
            }
        }
    }
}
