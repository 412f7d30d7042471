package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.OpenSsh;
import dev.ferry.it.support.Proc;
import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.server.log.ServerEvent;

/**
 * What ferryd offers on the wire, read from OpenSSH's debug output of the server's KEXINIT, checked
 * against what is intended: no SHA-1, no NIST-curve key exchange, no CBC, SHA-2 MACs with
 * encrypt-then-MAC first (the strict profile: encrypt-then-MAC only), strict key exchange, an
 * ed25519 host key. Weak algorithms forced by a client are refused.
 */
class AlgorithmsTest {

    @RegisterExtension
    static final FerrydFixture ferryd = new FerrydFixture();

    @RegisterExtension
    static final FerrydFixture strict = new FerrydFixture()
            .algorithms(AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.STRICT));
    private static Map<String, List<String>> offer;
    private static String debug;

    @BeforeAll
    static void readTheServersProposal() {
        Proc.Result r = new OpenSsh(ferryd).sshWithOptions(List.of("-vvv"), "alice", "true");
        debug = r.err();
        offer = new LinkedHashMap<>();
        int start = debug.indexOf("peer server KEXINIT proposal");
        assertTrue(start >= 0, "ssh -vvv printed no server proposal:\n" + debug);
        for (String line : debug.substring(start).split("\n")) {
            int colon = line.indexOf(": ", "debug2: ".length());
            if (!line.startsWith("debug2: ") || colon < 0) {
                continue;
            }
            String key = line.substring("debug2: ".length(), colon);
            if (offer.containsKey(key)) {
                break;
            }
            offer.put(key, Arrays.asList(line.substring(colon + 2).strip().split(",")));
            if (key.equals("compression stoc")) {
                break;
            }
        }
    }

    @Test
    void keyExchangesAreThePostQuantumHybridsAndCurve25519WithStrictKex() {
        assertEquals(List.of("mlkem768x25519-sha256", "sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512",
                "curve25519-sha256", "curve25519-sha256@libssh.org", "ext-info-s", "kex-strict-s-v00@openssh.com"),
                offer.get("KEX algorithms"));
        assertEquals(AlgorithmPolicy.keyExchangeNames(), offer.get("KEX algorithms").subList(0, 5));
    }

    @Test
    void strictKeyExchangeIsNegotiatedWithOpenSsh() {
        assertTrue(debug.contains("will use strict KEX ordering"), debug);
    }

    @Test
    void theHostKeyIsEd25519Only() {
        assertEquals(List.of("ssh-ed25519"), offer.get("host key algorithms"));
    }

    @Test
    void ciphersAreAesGcmFirstThenChachaThenCtr() {
        List<String> expected = List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
                "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr");
        assertEquals(expected, offer.get("ciphers ctos"));
        assertEquals(expected, offer.get("ciphers stoc"));
    }

    @Test
    void macsAreSha2WithEncryptThenMacFirst() {
        List<String> expected = List.of("hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
                "hmac-sha2-256", "hmac-sha2-512");
        assertEquals(expected, offer.get("MACs ctos"));
        assertEquals(expected, offer.get("MACs stoc"));
    }

    /** OpenSSH's ssh with only an encrypt-and-MAC MAC and a CTR cipher, as libssh2 1.10 connects. */
    private static Proc.Result encryptAndMacOnly(FerrydFixture server) {
        return new OpenSsh(server).sshWithOptions(List.of("-o", "MACs=hmac-sha2-256", "-o", "Ciphers=aes128-ctr"),
                "alice", "true");
    }

    @Test
    void theModernProfileAdmitsAnEncryptAndMacClientAndTheStrictOneRefusesItSayingWhy() throws InterruptedException {
        Proc.Result admitted = encryptAndMacOnly(ferryd);
        // logged in: "true" is then refused as a command (no shell), exit 1; 255 would be the connection
        assertEquals(1, admitted.exit(), admitted.all());
        assertFalse(admitted.err().contains("no matching"), admitted.all());

        Proc.Result refused = encryptAndMacOnly(strict);
        assertEquals(255, refused.exit(), refused.all());
        assertTrue(refused.err().contains("no matching MAC"), refused.all());
        List<ServerEvent.NegotiationFailed> logged = strict.events(ServerEvent.NegotiationFailed.class);
        for (int i = 0; i < 100 && logged.isEmpty(); i++) {
            Thread.sleep(50); // the client hangs up as soon as it sees no match; the server's line may follow
            logged = strict.events(ServerEvent.NegotiationFailed.class);
        }
        assertEquals(1, logged.size(), strict.events().toString());
        assertTrue(logged.get(0).software().startsWith("SSH-2.0-OpenSSH_"), logged.toString());
        assertEquals("hmac-sha2-256", logged.get(0).offered());
        assertEquals("--algorithms=modern would admit it", logged.get(0).hint());
    }

    @Test
    void nothingOfferedUsesSha1NistKeyExchangeOrCbc() {
        for (Map.Entry<String, List<String>> e : offer.entrySet()) {
            for (String algorithm : e.getValue()) {
                assertTrue(!algorithm.contains("sha1") && !algorithm.endsWith("-cbc") && !algorithm.equals("ssh-rsa")
                        && !(e.getKey().startsWith("KEX") && algorithm.contains("nistp")),
                        e.getKey() + " offers " + algorithm);
            }
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "KexAlgorithms, ecdh-sha2-nistp256",
        "KexAlgorithms, diffie-hellman-group14-sha1",
        "KexAlgorithms, diffie-hellman-group-exchange-sha1",
        "Ciphers, aes128-cbc",
        "Ciphers, 3des-cbc",
        "MACs, hmac-sha1",
        "MACs, hmac-sha1-etm@openssh.com",
        "MACs, umac-64@openssh.com",
        "HostKeyAlgorithms, ssh-rsa",
        "HostKeyAlgorithms, ecdsa-sha2-nistp256",
    })
    void aClientForcingAWeakAlgorithmIsRefused(String option, String algorithm) {
        // A CTR cipher so that the MAC is negotiated at all (AEAD ciphers carry their own).
        List<String> options = option.equals("MACs")
                ? List.of("-o", "MACs=" + algorithm, "-o", "Ciphers=aes128-ctr")
                : List.of("-o", option + "=" + algorithm);
        Proc.Result r = new OpenSsh(ferryd).sshWithOptions(options, "alice", "true");
        assertEquals(255, r.exit(), r.all());
        assertTrue(r.err().contains("no matching"), r.all());
    }
}
