package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.ferry.it.support.FerrydFixture;
import dev.ferry.it.support.Peers;
import dev.ferry.it.support.Proc;
import dev.ferry.security.AlgorithmPolicy;

/**
 * Debian 12's ssh-audit (2.5.0) against both profiles: no failure in either. Its database predates
 * ML-KEM, the non-@openssh.com name of sntrup761x25519 and strict key exchange, which it reports as
 * unknown or experimental; beyond those, the strict profile has no warning at all and the modern
 * one exactly the two encrypt-and-MAC MACs it adds.
 */
class SshAuditTest {

    @RegisterExtension
    static final FerrydFixture modern = new FerrydFixture();

    @RegisterExtension
    static final FerrydFixture strict = new FerrydFixture()
            .algorithms(AlgorithmPolicy.Algorithms.of(AlgorithmPolicy.Profile.STRICT));

    /** The warnings and failures ssh-audit prints, without those about names newer than it. */
    private static List<String> findings(FerrydFixture server) {
        Proc.Result r = Proc.run(List.of(Peers.require("ssh-audit"), "-n", "-p", String.valueOf(server.port()),
                "127.0.0.1"), null, 60);
        assertTrue(r.out().contains("ssh-ed25519"), "ssh-audit read the server: " + r.all());
        assertFalse(r.out().contains("[fail]"), r.out());
        return r.out().lines().filter(l -> l.contains("[warn]"))
                .filter(l -> !l.contains("unknown algorithm") && !l.contains("using experimental algorithm"))
                .map(l -> l.replaceAll("\\s+", " ").strip()).toList();
    }

    @Test
    void theStrictProfileHasNoFindings() {
        assertEquals(List.of(), findings(strict));
    }

    @Test
    void theModernProfileHasOnlyItsEncryptAndMacMacs() {
        assertEquals(List.of("(mac) hmac-sha2-256 -- [warn] using encrypt-and-MAC mode",
                "(mac) hmac-sha2-512 -- [warn] using encrypt-and-MAC mode"), findings(modern));
    }
}
