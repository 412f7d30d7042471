package dev.ferry.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @Test
    void hostAndPort() {
        assertEquals(new HostPort("127.0.0.1", 2222), HostPort.parse("127.0.0.1:2222"));
        assertEquals(new HostPort("0.0.0.0", 22), HostPort.parse("0.0.0.0:22"));
    }

    @Test
    void bracketedIpv6HostAndPort() {
        assertEquals(new HostPort("::1", 22), HostPort.parse("[::1]:22"));
    }

    @Test
    void aPortAloneListensOnLoopback() {
        assertEquals(new HostPort("127.0.0.1", 0), HostPort.parse(":0"));
        assertEquals(new HostPort("127.0.0.1", 2222), HostPort.parse("2222"));
    }

    @Test
    void portTextThatIsNotANumberIsNamedInTheError() {
        var e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse("localhost:ssh"));
        assertTrue(e.getMessage().contains("'ssh'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"70000", "127.0.0.1:65536", "-1", "localhost:", "", "[::1]", "[::1]22"})
    void portsOutOfRangeOrMissingAreRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    }

    @Test
    void theHighestPortIsAccepted() {
        assertEquals(65535, HostPort.parse("65535").port());
    }
}
