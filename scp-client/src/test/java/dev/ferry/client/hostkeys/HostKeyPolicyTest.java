package dev.ferry.client.hostkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.junit.jupiter.api.Test;

class HostKeyPolicyTest {

    /** A real fingerprint's shape: 43 base64 characters of a 32-byte digest. */
    private static final String FP = "KP8vXQtWYzlvQLn0670+/DNPt9Zy3pt4l0R69d7XFUc";

    @Test
    void theDefaultsAreStrictCheckingAndOpenSshsFilesWithTheUsersFirst() {
        HostKeyPolicy policy = HostKeyPolicy.builder().build();
        assertEquals(StrictHostKeyChecking.YES, policy.strictHostKeyChecking());
        assertEquals(KnownHostEntry.getDefaultKnownHostsFile(), policy.userKnownHostsFile());
        assertEquals(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"), policy.userKnownHostsFile());
        assertTrue(policy.knownHostsFiles().contains(Path.of("/etc/ssh/ssh_known_hosts")));
        assertEquals(Optional.empty(), policy.hostKeyAlias());
        assertEquals(List.of(), policy.pinnedFingerprints());
        assertEquals(Optional.empty(), policy.prompter());
    }

    @Test
    void pinnedFingerprintsAreKeptWithTheirPrefixWhicheverWayTheyWereWritten() {
        HostKeyPolicy policy = HostKeyPolicy.builder()
                .pinnedFingerprint("SHA256:" + FP)
                .pinnedFingerprint(FP)
                .pinnedFingerprint("sha256:" + FP + "=")
                .build();
        assertEquals(List.of("SHA256:" + FP, "SHA256:" + FP, "SHA256:" + FP), policy.pinnedFingerprints());
    }

    @Test
    void somethingOtherThanASha256FingerprintCannotBePinned() {
        for (String bad : new String[] {"", "SHA256:", "SHA256:short", "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",
                "SHA256:" + FP + "x", "SHA256:" + FP.replace('K', '*')}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HostKeyPolicy.builder().pinnedFingerprint(bad), bad);
            assertTrue(e.getMessage().startsWith("not a SHA256 fingerprint"), e.getMessage());
        }
    }

    @Test
    void anAliasIsLowerCasedAsOpenSshDoes() {
        assertEquals(Optional.of("myrelay"), HostKeyPolicy.builder().hostKeyAlias("MyRelay").build().hostKeyAlias());
        assertEquals(Optional.empty(), HostKeyPolicy.builder().hostKeyAlias("x").hostKeyAlias(null).build().hostKeyAlias());
    }

    @Test
    void anAliasThatCouldNotBeReadBackAsOneNameIsRefused() {
        for (String bad : new String[] {"", " ", "a b", "a,b", "*.x", "x?", "!x", "|1|a|b", "@x", "#x", "[x", "[x]:port"}) {
            assertThrows(IllegalArgumentException.class, () -> HostKeyPolicy.builder().hostKeyAlias(bad), bad);
        }
    }

    @Test
    void anAliasMayBeAHostNameWithItsPort() {
        assertEquals("[example.org]:2222",
                HostKeyPolicy.builder().hostKeyAlias("[Example.org]:2222").build().hostKeyAlias().orElseThrow());
    }

    @Test
    void atLeastTheUsersKnownHostsFileIsNeeded() {
        assertThrows(IllegalArgumentException.class, () -> HostKeyPolicy.builder().knownHostsFiles(List.of()));
    }

    @Test
    void newBuilderKeepsEverySetting() {
        Prompter prompter = q -> true;
        Consumer<String> warnings = w -> { };
        HostKeyPolicy policy = HostKeyPolicy.builder()
                .strictHostKeyChecking(StrictHostKeyChecking.KNOWN_KEY)
                .knownHostsFiles(List.of(Path.of("a"), Path.of("b")))
                .hostKeyAlias("relay")
                .pinnedFingerprint(FP)
                .prompter(prompter)
                .warnings(warnings)
                .build();
        HostKeyPolicy copy = policy.newBuilder().build();
        assertEquals(policy, copy);
        assertSame(prompter, copy.prompter().orElseThrow());
        assertEquals(Path.of("a"), copy.userKnownHostsFile());
        assertEquals(List.of(), policy.newBuilder().pinnedFingerprints(List.of()).build().pinnedFingerprints());
    }
}
