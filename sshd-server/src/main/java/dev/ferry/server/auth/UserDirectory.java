package dev.ferry.server.auth;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The server's users, looked up by name. Immutable. */
public final class UserDirectory implements Users {

    private final Map<String, UserAccount> users;

    public UserDirectory(Collection<UserAccount> accounts) {
        Map<String, UserAccount> map = new LinkedHashMap<>();
        for (UserAccount account : accounts) {
            if (map.putIfAbsent(account.name(), account) != null) {
                throw new IllegalArgumentException("user '" + account.name() + "' is defined twice");
            }
        }
        this.users = Map.copyOf(map);
    }

    @Override
    public Optional<UserAccount> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(users.get(name));
    }

    @Override
    public Collection<UserAccount> all() {
        return users.values();
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }
}
