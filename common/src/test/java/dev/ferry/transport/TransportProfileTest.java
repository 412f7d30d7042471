package dev.ferry.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TransportProfileTest {

    @ParameterizedTest(name = "{0} = 0x{1}")
    @CsvSource({"af11, 28", "af21, 48", "af43, 98", "cs0, 0", "cs1, 20", "cs7, e0", "ef, b8", "le, 4",
        "lowdelay, 10", "throughput, 8", "reliability, 4", "none, 0", "AF21, 48", "0x48, 48", "184, b8",
        "'lowdelay throughput', 8", "'af21 cs1', 20"})
    void ipQosNamesAreOpenSshs(String name, String hex) {
        assertEquals(Integer.parseInt(hex, 16), IpQos.parse(name).tos());
    }

    @ParameterizedTest
    @ValueSource(strings = {"af14", "cs8", "256", "-1", "0x100", "fast", ""})
    void unknownIpQosValuesAreRefused(String value) {
        assertThrows(IllegalArgumentException.class, () -> IpQos.parse(value));
    }

    @Test
    void theDscpIsTheUpperSixBits() {
        assertEquals(18, IpQos.parse("af21").dscp());
        assertEquals(46, IpQos.parse("ef").dscp());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"64M, 67108864", "256k, 262144", "1g, 1073741824", "1GiB, 1073741824", "512, 512", "4MB, 4194304",
        "0, 0"})
    void sizesParseWithBinaryUnits(String text, long bytes) {
        assertEquals(bytes, TransportProfile.parseSize(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "-1M", "12X", "1.5M", "99999999999999999999"})
    void badSizesAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> TransportProfile.parseSize(text));
    }

    @Test
    void theDefaultsAreBigAndTheOpenSshAnchorIsSmall() {
        assertEquals(64L << 20, TransportProfile.DEFAULT.windowSize());
        assertEquals(128L << 10, TransportProfile.DEFAULT.maxPacketSize());
        assertEquals(0, TransportProfile.DEFAULT.ipQos().tos(), "bulk traffic is unmarked, not CS1");
        assertEquals(2L << 20, TransportProfile.OPENSSH.windowSize());
        assertEquals(32L << 10, TransportProfile.OPENSSH.maxPacketSize());
    }

    @Test
    void outOfRangeSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TransportProfile.builder().windowSize(1024).build());
        assertThrows(IllegalArgumentException.class, () -> TransportProfile.builder().maxPacketSize(512 << 10).build());
        assertThrows(IllegalArgumentException.class, () -> TransportProfile.builder().socketBuffers(-1).build());
        assertThrows(IllegalArgumentException.class, () -> TransportProfile.builder().ipQos(null).build());
    }

    @Test
    void sessionsRekeyByCipherBlocksAsOpenSshNotEveryGib() {
        var client = org.apache.sshd.client.SshClient.setUpDefaultClient();
        assertEquals(1L << 30, org.apache.sshd.core.CoreModuleProperties.REKEY_BYTES_LIMIT.getRequired(client),
                "MINA's default, which this profile replaces");
        TransportProfile.DEFAULT.applyTo(client);
        assertEquals(0L, org.apache.sshd.core.CoreModuleProperties.REKEY_BYTES_LIMIT.getRequired(client));
        // left to MINA's RFC 4344 rule (2^32 blocks for AES, 1 GB for chacha20-poly1305), as OpenSSH's
        assertEquals(0L, org.apache.sshd.core.CoreModuleProperties.REKEY_BLOCKS_LIMIT.getRequired(client));
    }
}
