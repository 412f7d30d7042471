package dev.ferry.server.auth;

import java.util.Collection;
import java.util.Optional;

/**
 * Where the server finds its users: the users file read into memory ({@link UserDirectory}) or a
 * store read at each login (PostgreSQL). A login asks {@link #atLogin}; what happens inside a
 * logged-in connection (its root, its limits at each transfer) asks {@link #find}, which a store
 * answers from what the login read, so that a running transfer never waits on the store.
 */
public interface Users {

    /** The user as known now; never reaches a remote store for a user seen at login. */
    Optional<UserAccount> find(String name);

    /** Every user (at start: roots to clean up and to count quotas in). */
    Collection<UserAccount> all();

    /**
     * The user as the store holds them now, for a login: a change made since is seen at once.
     *
     * @throws UserStoreUnavailableException when the store cannot be asked (the login is refused)
     */
    default Optional<UserAccount> atLogin(String name) {
        return find(name);
    }

    /** Whether password authentication is to be offered (some user may have a password). */
    default boolean anyPasswords() {
        return all().stream().anyMatch(u -> u.passwordHash().isPresent());
    }
}
