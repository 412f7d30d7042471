package dev.ferry.server.quota;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.ferry.fs.SpaceAccount;
import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserLimits;

/**
 * The usage of every user with a quota, by name. The server owns one for its whole life: a reload
 * of the users changes their quotas (looked up through {@code limits} at each check), not what they
 * hold. A user's root is walked once, when the server starts (or when the user first needs it, if a
 * quota came with a reload), and again on {@link #rescan}; in between the server's own changes keep
 * the count ({@link Usage}). Changes made beside the server (a shell, another service) are seen at
 * the next scan only.
 */
public final class QuotaTracker {

    private final Function<String, UserLimits> limits;
    private final Map<String, Usage> users = new ConcurrentHashMap<>();

    /** @param limits the current limits of a user by name ({@link UserLimits#NONE} for one unknown) */
    public QuotaTracker(Function<String, UserLimits> limits) {
        this.limits = limits;
    }

    /** Walks the root of each of {@code accounts} that has a quota. */
    public void scan(Collection<UserAccount> accounts) throws IOException {
        for (UserAccount a : accounts) {
            if (a.limits().hasQuota()) {
                rescan(a.name(), a.root());
            }
        }
    }

    /**
     * Walks {@code root} again and starts {@code user}'s count from it (sessions of the user keep
     * counting on the same {@link Usage}). What uploads write while the walk runs may be missed or
     * counted twice until the next scan.
     */
    public Usage rescan(String user, Path root) throws IOException {
        Tally tally = Tally.of(root);
        Usage usage = users.computeIfAbsent(user, u -> new Usage(u, () -> limits.apply(u), tally));
        usage.set(tally);
        return usage;
    }

    /** {@code user}'s usage, if it has been counted. */
    public Optional<Usage> usage(String user) {
        return Optional.ofNullable(users.get(user));
    }

    /**
     * What a session of {@code account} counts its changes in: the user's usage when they have a
     * quota (their root walked now if it never was), or nothing.
     */
    public SpaceAccount account(UserAccount account) {
        if (!limits.apply(account.name()).hasQuota() && !users.containsKey(account.name())) {
            return SpaceAccount.UNLIMITED;
        }
        return users.computeIfAbsent(account.name(), u -> {
            try {
                return new Usage(u, () -> limits.apply(u), Tally.of(account.root()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
