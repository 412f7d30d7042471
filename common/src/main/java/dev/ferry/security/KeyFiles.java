package dev.ferry.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/** Reads and writes SSH keys in OpenSSH's formats. */
public final class KeyFiles {

    private KeyFiles() {
    }

    /**
     * Loads the unencrypted private key at {@code file}, or generates an ed25519 key there (mode 0600,
     * with its {@code .pub} beside it) when the file does not exist yet.
     */
    public static KeyPair loadOrGenerateEd25519(Path file) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        KeyPair pair;
        try {
            pair = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate an ed25519 key: " + e.getMessage(), e);
        }
        write(pair, file, "ferry host key");
        return pair;
    }

    /** Writes {@code pair} as an OpenSSH private key (mode 0600) and its public key to {@code file.pub}. */
    public static void write(KeyPair pair, Path file, String comment) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Written under a temporary name with 0600 from the start, then renamed: no window in which
        // the private key is readable by others or half written.
        Path tmp = Files.createTempFile(dir, ".key", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the key for " + file + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"), publicKeyLine(pair.getPublic(), comment) + "\n");
    }

    /** Loads the first key pair of an unencrypted OpenSSH or PEM private key file. */
    public static KeyPair load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(
                    null, NamedResource.ofName(file.toString()), in, FilePasswordProvider.EMPTY);
            Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
            if (it == null || !it.hasNext()) {
                throw new IOException("no key found in " + file);
            }
            return it.next();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The key as one {@code authorized_keys} / {@code known_hosts} style line: type, base64, comment. */
    public static String publicKeyLine(PublicKey key, String comment) {
        String line = PublicKeyEntry.toString(key);
        return comment == null || comment.isBlank() ? line : line + " " + comment;
    }

    /** OpenSSH's {@code SHA256:...} fingerprint of a key. */
    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(key);
    }

    /**
     * Parses authorized_keys lines (comments and blank lines skipped).
     *
     * @throws IllegalArgumentException naming the first line that is not a public key
     */
    public static List<PublicKey> parseAuthorizedKeys(List<String> lines) {
        List<PublicKey> keys = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            keys.add(parsePublicKey(line));
        }
        return keys;
    }

    /** Reads an authorized_keys file; a missing file has no keys. */
    public static List<PublicKey> readAuthorizedKeys(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return parseAuthorizedKeys(Files.readAllLines(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses one public key line, with or without options before the key type. */
    public static PublicKey parsePublicKey(String line) {
        PublicKey key;
        try {
            AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.strip());
            key = entry == null ? null : entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not a public key: " + abbreviate(line), e);
        }
        if (key == null) {
            throw new IllegalArgumentException("not a public key: " + abbreviate(line));
        }
        return key;
    }

    private static String abbreviate(String line) {
        String s = line.strip();
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
