package dev.ferry.server.auth;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.security.KeyFiles;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/** Password and public-key authentication against the {@link Users}, with every outcome reported. */
public final class Authenticators {

    private static final Logger LOG = LoggerFactory.getLogger(Authenticators.class);

    private final Supplier<? extends Users> users;
    private final Defender defender;
    private final EventSink events;

    /** @param users the users as they are now (a reload replaces them; each login looks them up again) */
    public Authenticators(Supplier<? extends Users> users, Defender defender, EventSink events) {
        this.users = users;
        this.defender = defender;
        this.events = events;
    }

    /** Whether any user has a password; if none does, password authentication is not offered at all. */
    public boolean anyPasswords() {
        return users.get().anyPasswords();
    }

    public PasswordAuthenticator password() {
        return (username, password, session) -> {
            Optional<UserAccount> user;
            try {
                user = users.get().atLogin(username);
            } catch (UserStoreUnavailableException e) {
                return storeUnavailable(username, session, e);
            }
            char[] chars = password.toCharArray();
            boolean ok;
            if (user.isPresent() && user.get().passwordHash().isPresent()) {
                ok = Passwords.verify(chars, user.get().passwordHash().get());
            } else {
                Passwords.verifyDummy(chars); // the same time whether or not the user exists
                ok = false;
            }
            String remote = ServerEvent.address(ClientAddress.of(session));
            if (ok) {
                session.setAttribute(LOGIN, new Login("password", ""));
            } else {
                events.accept(new ServerEvent.AuthFailed(username, remote, "password",
                        user.isPresent() ? "wrong password" : "unknown user"));
                defender.wrongPassword(session);
            }
            return ok;
        };
    }

    /**
     * Accepts a key listed for the user. MINA asks once when the client offers a key and again after
     * verifying its signature; success is therefore reported by the session listener when the
     * session is authenticated (see {@link #LOGIN}), not here.
     */
    public PublickeyAuthenticator publicKey() {
        return (username, key, session) -> {
            Optional<UserAccount> user;
            try {
                user = users.get().atLogin(username);
            } catch (UserStoreUnavailableException e) {
                return storeUnavailable(username, session, e);
            }
            boolean ok = user.isPresent() && keysOf(user.get()).stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
            if (!ok) {
                events.accept(new ServerEvent.AuthFailed(username, ServerEvent.address(ClientAddress.of(session)),
                        "publickey", (user.isPresent() ? "key not authorized: " : "unknown user, key ")
                                + KeyFiles.fingerprint(key)));
                defender.keyRejected(session);
            } else {
                session.setAttribute(LOGIN, new Login("publickey", KeyFiles.fingerprint(key)));
            }
            return ok;
        };
    }

    /**
     * Refuses a login the user store could not be asked about, and logs it; the client is not
     * counted as an offender (the outage is not its doing).
     */
    private boolean storeUnavailable(String username, ServerSession session, UserStoreUnavailableException e) {
        events.accept(new ServerEvent.UserStoreUnavailable(username, ServerEvent.address(session.getRemoteAddress()),
                e.getMessage()));
        return false;
    }

    /** How a session's user proved who they are: the method and, for a key, its fingerprint. */
    public record Login(String method, String detail) {
    }

    /** The last credential accepted on a session, read when the session becomes authenticated. */
    public static final AttributeKey<Login> LOGIN = new AttributeKey<>();

    private static List<PublicKey> keysOf(UserAccount user) {
        if (user.authorizedKeysFile().isEmpty()) {
            return user.authorizedKeys();
        }
        Path file = user.authorizedKeysFile().get();
        try {
            List<PublicKey> fromFile = KeyFiles.readAuthorizedKeys(file);
            if (user.authorizedKeys().isEmpty()) {
                return fromFile;
            }
            List<PublicKey> all = new ArrayList<>(user.authorizedKeys());
            all.addAll(fromFile);
            return all;
        } catch (IOException e) {
            LOG.warn("cannot read {} for user {}: {}", file, user.name(), e.getMessage());
            return user.authorizedKeys();
        }
    }
}
