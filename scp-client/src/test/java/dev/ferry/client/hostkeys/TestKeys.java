package dev.ferry.client.hostkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/** Keys, known_hosts lines and {@code ssh-keygen} for the tests of this package. */
final class TestKeys {

    private static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");

    private TestKeys() {
    }

    static PublicKey ed25519() {
        try {
            return KeyUtils.generateKeyPair("ssh-ed25519", 256).getPublic();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static PublicKey ecdsa() {
        try {
            return KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256).getPublic();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code hosts keytype base64}, a known_hosts line. */
    static String line(String hosts, PublicKey key) {
        return hosts + " " + PublicKeyEntry.toString(key);
    }

    /**
     * A hashed name made as OpenSSH's {@code host_hash} makes it, independently of MINA:
     * {@code |1|base64(salt)|base64(HMAC-SHA1(key = salt, name))} with a random 20-byte salt.
     */
    static String hashed(String name) {
        try {
            byte[] salt = new byte[20];
            new SecureRandom().nextBytes(salt);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            byte[] hash = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
            Base64.Encoder b64 = Base64.getEncoder();
            return "|1|" + b64.encodeToString(salt) + "|" + b64.encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static Path write(Path file, String... lines) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    /**
     * {@code /usr/bin/ssh-keygen}: a test that needs it is skipped when it is missing, but fails
     * under {@code CI=true}, as the interop tests in {@code tests/} do.
     */
    static String sshKeygen() {
        if (!Files.isExecutable(SSH_KEYGEN)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(SSH_KEYGEN + " is not installed, and CI=true requires it (apt-get install openssh-client)");
            }
            assumeTrue(false, SSH_KEYGEN + " is not installed; skipped");
        }
        return SSH_KEYGEN.toString();
    }

    /** Runs a command; returns its exit code and output (stdout and stderr together). */
    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + List.of(command));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    record Result(int exit, String output) {
        Result ok() {
            assertEquals(0, exit, output);
            return this;
        }
    }

    /** The non-comment, non-blank lines of a file. */
    static List<String> entries(Path file) throws IOException {
        List<String> result = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (!l.isBlank() && !l.startsWith("#")) {
                result.add(l);
            }
        }
        return result;
    }
}
