package dev.ferry.client.kex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.BuiltinKEM;
import org.apache.sshd.common.kex.KeyEncapsulationMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.client.FerryException;

class KeyExchangesTest {

    private static List<String> names(String spec) throws FerryException {
        return NamedResource.getNameList(KeyExchanges.parse(spec));
    }

    @Test
    void kexAlgorithmsFollowsSshConfigsPrefixes() throws Exception {
        List<String> all = NamedResource.getNameList(KeyExchanges.defaults());
        assertEquals("mlkem768x25519-sha256", all.get(0), "post-quantum first by default");
        assertEquals(List.of("curve25519-sha256"), names("curve25519-sha256"));
        assertEquals(List.of("curve25519-sha256", "mlkem768x25519-sha256"), names("curve25519-sha256,mlkem768x25519-sha256"));
        List<String> first = names("^curve25519-sha256");
        assertEquals("curve25519-sha256", first.get(0));
        assertEquals(all.size(), first.size(), "^ reorders, keeps the rest");
        List<String> less = names("-mlkem768x25519-sha256");
        assertEquals(all.subList(1, all.size()), less);
        assertEquals(all, names("+curve25519-sha256"), "+ of a name already there changes nothing");
    }

    @Test
    void weakOrUnknownNamesAndEmptyListsAreRefused() {
        FerryException weak = assertThrows(FerryException.class, () -> KeyExchanges.parse("diffie-hellman-group1-sha1"));
        assertTrue(weak.getMessage().startsWith("Unsupported KexAlgorithms 'diffie-hellman-group1-sha1' (ferry offers "),
                weak.getMessage());
        assertThrows(FerryException.class, () -> KeyExchanges.parse("+ecdh-sha2-nistp256"));
        String everything = String.join(",", NamedResource.getNameList(KeyExchanges.defaults()));
        FerryException none = assertThrows(FerryException.class, () -> KeyExchanges.parse("-" + everything));
        assertTrue(none.getMessage().contains("leaves no algorithm to offer"), none.getMessage());
    }

    /**
     * The pair made ahead must work with BouncyCastle's encapsulation, as MINA's server side (and
     * OpenSSH) does it: both ends derive the same secret. Each key exchange gets its own pair.
     */
    @Test
    void aPairMadeAheadAgreesWithTheServersEncapsulation() {
        Sntrup761Ahead ahead = new Sntrup761Ahead();
        ahead.start();
        byte[] first = agree(ahead);
        byte[] second = agree(ahead); // none started: made inline
        assertNotEquals(List.of(first), List.of(second));
        assertTrue(Sntrup761Ahead.uses(BuiltinDHFactories.sntrup761x25519_openssh));
        assertEquals(BuiltinDHFactories.sntrup761x25519_openssh.getName(),
                ahead.replace(BuiltinDHFactories.sntrup761x25519_openssh).getName());
        assertEquals(BuiltinDHFactories.curve25519, ahead.replace(BuiltinDHFactories.curve25519));
    }

    private static byte[] agree(Sntrup761Ahead ahead) {
        KeyEncapsulationMethod.Client client = ahead.getClient();
        client.init();
        byte[] publicKey = client.getPublicKey();
        KeyEncapsulationMethod.Server server = BuiltinKEM.sntrup761.getServer();
        server.init(publicKey);
        byte[] secret = client.extractSecret(server.getEncapsulation());
        assertArrayEquals(server.getSecret(), secret);
        return publicKey;
    }

    @Test
    void theLastChoiceIsRememberedPerServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cache/ferry/key-exchanges");
        KexChoices choices = new KexChoices(file);
        assertTrue(choices.last("example.org", 22).isEmpty());
        choices.record("example.org", 22, "sntrup761x25519-sha512@openssh.com");
        choices.record("::1", 2222, "mlkem768x25519-sha256");
        KexChoices again = new KexChoices(file);
        assertEquals("sntrup761x25519-sha512@openssh.com", again.last("example.org", 22).orElseThrow());
        assertEquals("mlkem768x25519-sha256", again.last("::1", 2222).orElseThrow());
        assertTrue(again.last("example.org", 2222).isEmpty());
        again.record("example.org", 22, "mlkem768x25519-sha256");
        assertEquals("mlkem768x25519-sha256", new KexChoices(file).last("example.org", 22).orElseThrow());
        Files.writeString(file, "garbage\n\0\n");
        assertTrue(new KexChoices(file).last("example.org", 22).isEmpty(), "a damaged file is no hint, not an error");
        new KexChoices(dir.resolve("file-not-dir")).record("h", 1, "x");
        Files.writeString(dir.resolve("blocker"), "");
        new KexChoices(dir.resolve("blocker/sub/key-exchanges")).record("h", 1, "x"); // cannot write: ignored
    }
}
