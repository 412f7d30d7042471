package dev.ferry.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ProxyHeadersTest {

    private static final byte[] SSH = "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII);

    /** The header as HAProxy's send-proxy-v2 writes it: signature, PROXY command, addresses, optional TLVs. */
    static byte[] v2(int command, int familyTransport, byte[] addresses, byte[] tlvs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ProxyHeaders.V2_SIGNATURE);
        out.write(0x20 | command);
        out.write(familyTransport);
        int length = addresses.length + tlvs.length;
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(addresses);
        out.writeBytes(tlvs);
        return out.toByteArray();
    }

    static byte[] inet(String source, int sourcePort, String destination, int destinationPort) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(InetAddress.getByName(source).getAddress());
        out.writeBytes(InetAddress.getByName(destination).getAddress());
        out.write(sourcePort >> 8);
        out.write(sourcePort & 0xFF);
        out.write(destinationPort >> 8);
        out.write(destinationPort & 0xFF);
        return out.toByteArray();
    }

    private static byte[] then(byte[] header, byte[] more) {
        byte[] all = Arrays.copyOf(header, header.length + more.length);
        System.arraycopy(more, 0, all, header.length, more.length);
        return all;
    }

    private static ProxyHeader parse(byte[] data) throws MalformedProxyHeader {
        return ProxyHeaders.parse(data, 0, data.length).orElseThrow();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aV1Tcp4LineNamesTheClientAndEndsWhereTheSshDataBegins() throws Exception {
        byte[] line = ascii("PROXY TCP4 192.0.2.7 198.51.100.1 51234 22\r\n");
        ProxyHeader header = parse(then(line, SSH));
        assertEquals(new ProxyHeader.Proxied(new InetSocketAddress("192.0.2.7", 51234),
                new InetSocketAddress("198.51.100.1", 22), line.length), header);
    }

    @Test
    void aV1Tcp6LineNamesAnIpv6Client() throws Exception {
        ProxyHeader header = parse(ascii("PROXY TCP6 2001:db8::7 2001:db8::1 4000 2222\r\n"));
        assertEquals(new InetSocketAddress("2001:db8::7", 4000), ((ProxyHeader.Proxied) header).source());
    }

    @Test
    void aV1UnknownLineKeepsTheSocketsAddress() throws Exception {
        byte[] line = ascii("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n");
        assertEquals(new ProxyHeader.Local(line.length), parse(then(line, SSH)));
    }

    @Test
    void aV2ProxyHeaderForIpv4NamesTheClientAndSkipsItsTlvs() throws Exception {
        byte[] tlv = {0x05, 0x00, 0x03, 'a', 'b', 'c'}; // PP2_TYPE_UNIQUE_ID, 3 bytes
        byte[] header = v2(1, 0x11, inet("127.0.0.3", 40000, "127.0.0.2", 2222), tlv);
        assertEquals(new ProxyHeader.Proxied(new InetSocketAddress("127.0.0.3", 40000),
                new InetSocketAddress("127.0.0.2", 2222), header.length), parse(then(header, SSH)));
    }

    @Test
    void aV2ProxyHeaderForIpv6NamesTheClient() throws Exception {
        byte[] header = v2(1, 0x21, inet("2001:db8::3", 65535, "::1", 22), new byte[0]);
        ProxyHeader.Proxied proxied = (ProxyHeader.Proxied) parse(header);
        assertEquals(new InetSocketAddress("2001:db8::3", 65535), proxied.source());
        assertEquals(16 + 36, proxied.length());
    }

    @Test
    void aV2LocalHeaderAsInHealthChecksKeepsTheSocketsAddress() throws Exception {
        byte[] header = v2(0, 0x00, new byte[0], new byte[0]);
        assertEquals(new ProxyHeader.Local(16), parse(then(header, SSH)));
    }

    @Test
    void aHeaderArrivingInPiecesIsAwaitedAtEveryCut() throws Exception {
        byte[] v1 = ascii("PROXY TCP4 192.0.2.7 198.51.100.1 51234 22\r\n");
        byte[] v2 = v2(1, 0x11, inet("192.0.2.7", 1, "192.0.2.8", 2), new byte[0]);
        for (byte[] whole : new byte[][] {v1, v2}) {
            for (int cut = 0; cut < whole.length; cut++) {
                assertEquals(Optional.empty(), ProxyHeaders.parse(whole, 0, cut), "cut at " + cut);
            }
            assertTrue(ProxyHeaders.parse(whole, 0, whole.length).isPresent());
        }
    }

    @Test
    void anSshIdentificationWithoutHeaderIsRefusedAtItsFirstByte() {
        MalformedProxyHeader e = assertThrows(MalformedProxyHeader.class, () -> ProxyHeaders.parse(SSH, 0, 1));
        assertEquals("no PROXY header", e.getMessage());
    }

    @Test
    void aBadV2SignatureIsRefused() {
        byte[] header = v2(1, 0x11, new byte[12], new byte[0]);
        header[7] = 'X';
        assertThrows(MalformedProxyHeader.class, () -> ProxyHeaders.parse(header, 0, 8));
    }

    @Test
    void aV1LineWithoutEndWithinTheLimitIsRefused() {
        byte[] endless = ascii("PROXY TCP4 " + "1".repeat(200));
        assertEquals(Optional.empty(), assertDoesNotRefuse(endless, ProxyHeaders.V1_MAX - 1));
        assertThrows(MalformedProxyHeader.class, () -> ProxyHeaders.parse(endless, 0, ProxyHeaders.V1_MAX));
    }

    private static Optional<ProxyHeader> assertDoesNotRefuse(byte[] data, int length) {
        try {
            return ProxyHeaders.parse(data, 0, length);
        } catch (MalformedProxyHeader e) {
            throw new AssertionError("refused at " + length + " bytes: " + e.getMessage());
        }
    }

    @Test
    void anOversizeV2HeaderIsRefusedBeforeItIsBuffered() {
        byte[] start = v2(1, 0x11, new byte[0], new byte[0]);
        start[14] = (byte) 0xFF; // announces 65 KiB
        MalformedProxyHeader e = assertThrows(MalformedProxyHeader.class, () -> ProxyHeaders.parse(start, 0, 16));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
    }

    @Test
    void aV2HeaderTooShortForItsAddressesIsRefused() throws Exception {
        byte[] header = v2(1, 0x21, inet("192.0.2.1", 1, "192.0.2.2", 2), new byte[0]); // IPv6 family, IPv4 room
        assertThrows(MalformedProxyHeader.class, () -> parse(header));
    }

    @Test
    void aV2HeaderOfAnotherVersionCommandOrTransportIsRefused() throws Exception {
        byte[] addresses = inet("192.0.2.1", 1, "192.0.2.2", 2);
        byte[] version = v2(1, 0x11, addresses, new byte[0]);
        version[12] = 0x31;
        byte[] command = v2(2, 0x11, addresses, new byte[0]);
        byte[] udp = v2(1, 0x12, addresses, new byte[0]);
        byte[] unix = v2(1, 0x31, new byte[216], new byte[0]);
        for (byte[] header : new byte[][] {version, command, udp, unix}) {
            assertThrows(MalformedProxyHeader.class, () -> parse(header));
        }
    }

    @Test
    void malformedV1LinesAreRefused() {
        String[] lines = {
            "PROXY TCP4 192.0.2.7 198.51.100.1 51234\r\n", // a field missing
            "PROXY TCP4 2001:db8::7 198.51.100.1 1 2\r\n", // IPv6 in a TCP4 line
            "PROXY TCP6 192.0.2.7 198.51.100.1 1 2\r\n", // IPv4 in a TCP6 line
            "PROXY TCP4 192.0.2.7 198.51.100.1 65536 22\r\n", // port out of range
            "PROXY TCP4 192.0.2.7 198.51.100.1 022 22\r\n", // leading zero
            "PROXY TCP4 example.org 198.51.100.1 1 2\r\n", // a name, never looked up
            "PROXY UDP4 192.0.2.7 198.51.100.1 1 2\r\n",
            "PROXY  TCP4 192.0.2.7 198.51.100.1 1 2\r\n",
            "PROXX TCP4 192.0.2.7 198.51.100.1 1 2\r\n",
        };
        for (String line : lines) {
            assertThrows(MalformedProxyHeader.class, () -> parse(ascii(line)), line);
        }
    }

    @Test
    void garbageIsRefused() {
        byte[][] garbage = {{0x00}, {(byte) 0xFF, 1, 2}, ascii("GET / HTTP/1.1\r\n"), {0x0D, 0x0A, 0x0D, 0x0A, 0x01}};
        for (byte[] data : garbage) {
            assertThrows(MalformedProxyHeader.class, () -> ProxyHeaders.parse(data, 0, data.length));
        }
    }
}
