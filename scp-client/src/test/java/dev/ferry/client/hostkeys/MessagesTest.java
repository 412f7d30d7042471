package dev.ferry.client.hostkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessagesTest {

    @TempDir
    Path dir;

    @Test
    void fingerprintsAreTheOnesSshKeygenPrints() throws Exception {
        String sshKeygen = TestKeys.sshKeygen();
        PublicKey key = TestKeys.ed25519();
        Path pub = Files.writeString(dir.resolve("key.pub"), PublicKeyEntry.toString(key) + " test\n");
        String out = TestKeys.run(sshKeygen, "-l", "-E", "sha256", "-f", pub.toString()).ok().output();
        // "256 SHA256:... test (ED25519)"
        String[] words = out.strip().split(" ");
        assertEquals(words[1], Messages.fingerprint(key));
        assertEquals("(" + Messages.type(key) + ")", words[words.length - 1]);
    }

    @Test
    void keyTypesAreNamedAsOpenSshNamesThem() {
        assertEquals("ED25519", Messages.type(TestKeys.ed25519()));
        assertEquals("ECDSA", Messages.type(TestKeys.ecdsa()));
    }

    @Test
    void wordsInSuggestedCommandsAreQuotedOnlyWhenAShellWouldChangeThem() {
        assertEquals("host.example", Messages.shellWord("host.example"));
        assertEquals("/home/a/.ssh/known_hosts", Messages.shellWord("/home/a/.ssh/known_hosts"));
        assertEquals("'[host.example]:2222'", Messages.shellWord("[host.example]:2222"));
        assertEquals("'/tmp/my dir/kh'", Messages.shellWord("/tmp/my dir/kh"));
        assertEquals("'it'\\''s'", Messages.shellWord("it's"));
    }
}
