package dev.ferry.client.hostkeys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.ferry.security.KeyFiles;

/**
 * Coverage-guided fuzzing of {@code known_hosts} as ferry reads it before it trusts a server:
 * {@link KnownHosts#read} (plain, wildcard, negated and hashed names, {@code [host]:port},
 * {@code @revoked} and {@code @cert-authority} markers, any key text), then the questions the host
 * key check asks of it for a few names and two keys. The file is the user's, but other tools
 * write it, and a line may be anything. For every input:
 * <ul>
 * <li>reading never fails (a malformed line is skipped and listed in {@link KnownHosts#skipped});
 *     the questions never throw;</li>
 * <li>the answers agree: a key that MATCHes a name is known, a REVOKED key is neither known nor
 *     listed under any name, and a name {@link KnownHosts#namesOf} lists MATCHes that key;</li>
 * <li>{@link KnownHosts#hostName} refuses only with an IllegalArgumentException.</li>
 * </ul>
 * Seeds: {@code KnownHostsFuzzTestInputs/}, files with each kind of line, for the keys below.
 */
class KnownHostsFuzzTest {

    /** The keys the seeds list; the questions are asked about these. */
    private static final List<String> KEY_LINES = List.of(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFACOP1ap56y+NqdDYamUmiR8ue17ax5kEMMyPrMTo6w",
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEhwo+DIIfSV+5TCQu0UApa9DYCNoxkEc6n4"
                    + "FFn5qMuYN2/BB5g5FDrB7PDUyfv6akTrfcUkabJxF6cn1M1rFFo=");

    private static final List<String> HOSTS = List.of("example.com", "relay.example.com", "10.0.0.7", "::1");

    private static final List<Integer> PORTS = List.of(22, 2222);

    @TempDir
    static Path dir;
    static Path file;
    static List<PublicKey> keys;

    @BeforeAll
    static void keys() {
        file = dir.resolve("known_hosts");
        keys = KEY_LINES.stream().map(KeyFiles::parsePublicKey).toList();
    }

    @FuzzTest
    void knownHostsAreReadAndAnsweredWithoutFailing(byte[] input) throws IOException {
        Files.write(file, input);
        KnownHosts known = KnownHosts.read(List.of(file, dir.resolve("missing")));
        for (PublicKey key : keys) {
            boolean knows = known.knows(key);
            List<String> names = known.namesOf(key);
            for (String host : HOSTS) {
                for (int port : PORTS) {
                    String name = KnownHosts.hostName(host, port);
                    Lookup lookup = known.lookup(name, key);
                    known.excludes(name, key);
                    if (lookup.status() == Lookup.Status.MATCH) {
                        assertTrue(knows, () -> name + " matches a key that is not known");
                    }
                    if (lookup.status() == Lookup.Status.REVOKED) {
                        assertFalse(knows, "a revoked key is known");
                        assertEquals(List.of(), names, "a revoked key is listed under names");
                    }
                }
            }
            for (String name : names) {
                assertEquals(Lookup.Status.MATCH, known.lookup(name, key).status(),
                        () -> "listed under " + name + ", but that name does not match it");
            }
        }
        String typed = new String(input, UTF_8);
        try {
            KnownHosts.hostName(typed.length() > 64 ? typed.substring(0, 64) : typed, 22);
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
        }
    }
}
