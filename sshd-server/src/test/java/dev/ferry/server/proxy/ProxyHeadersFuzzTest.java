package dev.ferry.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Optional;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the PROXY header reader, which reads what a balancer's connection sends
 * before anything else is known of it ({@link ProxyHeaders#parse}). For every input:
 * <ul>
 * <li>the only failure is a {@link MalformedProxyHeader} with a sentence for the log;</li>
 * <li>a header read is within the bytes given and at most {@link ProxyHeaders#V2_MAX} long, and a
 *     relayed client's address has a port;</li>
 * <li>a header is read only once whole: its own bytes give the same header, one byte fewer none
 *     (MINA calls again with more bytes, rewinding each time);</li>
 * <li>where the bytes sit in the buffer changes nothing.</li>
 * </ul>
 * Seeds: {@code ProxyHeadersFuzzTestInputs/}, headers as HAProxy sends them (v1 TCP4/TCP6/UNKNOWN,
 * v2 PROXY over IPv4 and IPv6 with a TLV, v2 LOCAL as its health checks send), each followed by an
 * SSH identification line.
 */
class ProxyHeadersFuzzTest {

    @FuzzTest
    void aHeaderIsReadWholeOrRefusedWithASentence(byte[] input) {
        Optional<ProxyHeader> header = read(input, 0, input.length);
        byte[] shifted = new byte[input.length + 3];
        System.arraycopy(input, 0, shifted, 3, input.length);
        assertEquals(String.valueOf(header), String.valueOf(read(shifted, 3, input.length)), "the same at an offset");
        if (header == null || header.isEmpty()) {
            return;
        }
        int length = header.get().length();
        assertTrue(length > 0 && length <= input.length && length <= ProxyHeaders.V2_MAX, "length " + length);
        if (header.get() instanceof ProxyHeader.Proxied proxied) {
            assertNotNull(proxied.source().getAddress());
            assertTrue(proxied.source().getPort() >= 0 && proxied.source().getPort() <= 65535);
        }
        assertEquals(header.toString(), String.valueOf(read(Arrays.copyOf(input, length), 0, length)),
                "the header's own bytes give the same header");
        Optional<ProxyHeader> partial = read(input, 0, length - 1);
        assertFalse(partial != null && partial.isPresent(), "a header one byte short was read: " + partial);
    }

    /** The header read, empty if more bytes are needed, null if refused (with a sentence). */
    private static Optional<ProxyHeader> read(byte[] data, int offset, int length) {
        try {
            return ProxyHeaders.parse(data, offset, length);
        } catch (MalformedProxyHeader refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), "a refusal without a sentence");
            return null;
        }
    }
}
