package dev.ferry.server.auth;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.ferry.server.fs.FsPolicy;

/**
 * One user of the server.
 *
 * @param name               the login name
 * @param root               the directory the user sees as {@code /}; nothing outside it is reachable
 * @param passwordHash       an Argon2id or bcrypt hash; empty means password login is not offered
 * @param authorizedKeys     public keys that may log in as this user
 * @param authorizedKeysFile an authorized_keys file read at every login (so added keys work at once)
 * @param policy             read-only, umask and links
 * @param limits             quotas, bandwidth and connections at once
 */
public record UserAccount(String name, Path root, Optional<String> passwordHash, List<PublicKey> authorizedKeys,
        Optional<Path> authorizedKeysFile, FsPolicy policy, UserLimits limits) {

    public UserAccount {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || !name.matches("[A-Za-z0-9._][A-Za-z0-9._@-]*")) {
            throw new IllegalArgumentException("invalid user name '" + name
                    + "' (letters, digits, '.', '_', '@' and '-', not starting with '-')");
        }
        root = root.toAbsolutePath().normalize();
        passwordHash = passwordHash.filter(h -> !h.isBlank());
        authorizedKeys = List.copyOf(authorizedKeys);
        Objects.requireNonNull(authorizedKeysFile, "authorizedKeysFile");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(limits, "limits");
    }

    /** A user without {@link UserLimits}. */
    public UserAccount(String name, Path root, Optional<String> passwordHash, List<PublicKey> authorizedKeys,
            Optional<Path> authorizedKeysFile, FsPolicy policy) {
        this(name, root, passwordHash, authorizedKeys, authorizedKeysFile, policy, UserLimits.NONE);
    }

    /** This user with {@code limits}. */
    public UserAccount withLimits(UserLimits limits) {
        return new UserAccount(name, root, passwordHash, authorizedKeys, authorizedKeysFile, policy, limits);
    }

    /** A user who logs in with keys only. */
    public static UserAccount withKeys(String name, Path root, List<PublicKey> keys, FsPolicy policy) {
        return new UserAccount(name, root, Optional.empty(), keys, Optional.empty(), policy);
    }

    /** A user who logs in with a password only. */
    public static UserAccount withPassword(String name, Path root, String passwordHash, FsPolicy policy) {
        return new UserAccount(name, root, Optional.of(passwordHash), List.of(), Optional.empty(), policy);
    }
}
