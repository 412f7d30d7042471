package dev.ferry.client.hostkeys;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;

/** Every sentence host-key verification shows a user, kept together so their wording stays consistent. */
final class Messages {

    /** Words a POSIX shell takes literally; anything else is shown single-quoted in suggested commands. */
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_.,:/@%+=-]+");

    private Messages() {
    }

    /**
     * OpenSSH's {@code SHA256:...} fingerprint. SHA-256 is asked for by name rather than through
     * {@code KeyUtils.getFingerPrint(key)}, whose digest a system property can change.
     */
    static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    /** The key's type as OpenSSH shows it in messages: ED25519, RSA, ECDSA... */
    static String type(PublicKey key) {
        String type = KeyUtils.getKeyType(key);
        if (type == null) {
            return key.getAlgorithm();
        }
        return switch (type) {
            case "ssh-ed25519" -> "ED25519";
            case "ssh-rsa" -> "RSA";
            case "ssh-dss" -> "DSA";
            case "sk-ssh-ed25519@openssh.com" -> "ED25519-SK";
            case "sk-ecdsa-sha2-nistp256@openssh.com" -> "ECDSA-SK";
            default -> type.startsWith("ecdsa-") ? "ECDSA" : type;
        };
    }

    private static String describe(PublicKey key) {
        return type(key) + " key " + fingerprint(key);
    }

    /** {@code word} as a POSIX shell would read it back unchanged, for commands the user may paste. */
    static String shellWord(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    static String changed(String name, PublicKey key, Lookup offending) {
        return "The host key for " + name + " has CHANGED: the server now presents " + describe(key)
                + ", which differs from the key recorded in " + offending.where()
                + " (someone could be intercepting the connection, or the host key was replaced); if you know it was "
                + "replaced, remove the old entry with `ssh-keygen -R " + shellWord(name) + " -f "
                + shellWord(offending.file().toString()) + "` and connect again.";
    }

    static String revoked(String name, PublicKey key, Lookup revocation) {
        return "The host key for " + name + " (" + describe(key) + ") is marked @revoked in " + revocation.where()
                + " and is never accepted.";
    }

    /** The refusal of an unknown host, with the two ways to trust it; {@code why} says why it was not accepted. */
    static String unknown(String name, PublicKey key, String why) {
        String fingerprint = fingerprint(key);
        return "The host key for " + name + " is not known (" + type(key) + " key " + fingerprint + ") and " + why
                + "; if that fingerprint is right, trust it once with `ferry cp -o StrictHostKeyChecking=accept-new ...`"
                + " or pin it with `--host-key " + fingerprint + "`.";
    }

    static String pinnedMismatch(String name, PublicKey key, List<String> pins) {
        return "The host key for " + name + " is " + describe(key) + ", which is not the pinned fingerprint"
                + (pins.size() == 1 ? " " : "s ") + String.join(", ", pins) + " (--host-key).";
    }

    /** OpenSSH's question, and the other names the key is known under when there are some. */
    static String question(String name, PublicKey key, List<String> otherNames) {
        StringBuilder q = new StringBuilder()
                .append("The authenticity of host '").append(name).append("' can't be established.\n")
                .append(type(key)).append(" key fingerprint is ").append(fingerprint(key)).append(".\n");
        if (!otherNames.isEmpty()) {
            q.append("This host key is known by the following other names: ").append(String.join(", ", otherNames))
                    .append(".\n");
        }
        return q.append("Are you sure you want to continue connecting (yes/no)? ").toString();
    }

    static String declined(String name, PublicKey key) {
        return "The host key for " + name + " (" + describe(key) + ") was not accepted.";
    }

    static String promptFailed(String name, RuntimeException e) {
        return "Could not ask whether to trust the host key for " + name + ": " + e.getMessage() + ".";
    }

    static String checkingOff(String name, PublicKey key, Lookup found) {
        String differs = found.status() == Lookup.Status.MISMATCH
                ? ", although it differs from the key recorded in " + found.where() : "";
        return "Warning: host key checking is off (StrictHostKeyChecking=no): accepting " + describe(key) + " for " + name
                + " without verifying it" + differs + ".";
    }

    static String permanentlyAdded(String name, PublicKey key) {
        return "Permanently added '" + name + "' (" + type(key) + ") to the list of known hosts.";
    }

    static String knownKeyRecorded(String name, String other, PublicKey key) {
        return name + " has the key already trusted for " + other + " (" + describe(key) + "); recorded " + name + " too.";
    }

    static String recordFailed(String name, Path file, Exception e) {
        return "Failed to add '" + name + "' to the list of known hosts (" + file + "): " + e.getMessage() + ".";
    }

    static String unreadable(String name, Exception e) {
        return "Cannot read the known hosts files (" + e + "), so the host key for " + name + " cannot be checked.";
    }

    static String noHostName(SocketAddress address) {
        return "Cannot tell which host " + address + " is, so its host key cannot be checked; set HostKeyAlias or pin "
                + "the key with --host-key.";
    }
}
