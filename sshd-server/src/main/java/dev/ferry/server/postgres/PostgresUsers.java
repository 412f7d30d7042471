package dev.ferry.server.postgres;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.ferry.server.auth.UserAccount;
import dev.ferry.server.auth.UserStoreUnavailableException;
import dev.ferry.server.auth.Users;
import dev.ferry.server.config.UserEntry;
import dev.ferry.server.config.UsersFile;

/**
 * The users in a PostgreSQL database (table {@code ferry_user}). Each login reads its user's row
 * (so a change made by {@code ferryd user} on any node is seen at the next login, with no
 * restart); inside a logged-in connection the account read at login is used, so that transfers
 * go on while the database is down.
 */
public final class PostgresUsers implements Users, AutoCloseable {

    /** The environment variable holding the database's password, kept off the command line. */
    public static final String PASSWORD_ENV = "FERRY_DATABASE_PASSWORD";

    private static final String COLUMNS = "name, root, password_hash, authorized_keys, authorized_keys_file, "
            + "read_only, umask, allow_links, quota_bytes, quota_files, upload_rate, download_rate, max_sessions";

    private final HikariDataSource pool;
    private final String where;
    /** The accounts as the last login of each read them. */
    private final Map<String, UserAccount> seen = new ConcurrentHashMap<>();

    private PostgresUsers(HikariDataSource pool, String where) {
        this.pool = pool;
        this.where = where;
    }

    /**
     * Connects to {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db?user=ferry}; the password
     * in the URL or in {@value #PASSWORD_ENV}) and brings its schema up to date.
     *
     * @throws IOException when the database cannot be reached or migrated
     */
    public static PostgresUsers open(String jdbcUrl) throws IOException {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IOException("--database " + jdbcUrl + ": not a jdbc:postgresql: URL");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        String password = System.getenv(PASSWORD_ENV);
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        config.setPoolName("ferryd-users");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        // A login waits this long at most for a database that is down, then is refused.
        config.setConnectionTimeout(3_000);
        config.setValidationTimeout(1_000);
        config.addDataSourceProperty("connectTimeout", "3");
        config.addDataSourceProperty("socketTimeout", "10");
        config.addDataSourceProperty("ApplicationName", "ferryd");
        String shown = jdbcUrl.replaceAll("(?i)password=[^&]*", "password=***");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IOException("cannot reach the user database " + shown + ": " + rootMessage(e), e);
        }
        PostgresUsers users = new PostgresUsers(pool, shown);
        try (Connection db = pool.getConnection()) {
            Migrations.apply(db);
        } catch (SQLException e) {
            pool.close();
            throw new IOException("user database " + shown + ": " + rootMessage(e), e);
        }
        return users;
    }

    /** The offences and bans kept in the same database, shared by every node that reads it. */
    public PostgresBans bans() {
        return new PostgresBans(pool, where);
    }

    /** The database, for messages (without its password). */
    public String where() {
        return where;
    }

    @Override
    public Optional<UserAccount> find(String name) {
        UserAccount known = seen.get(name);
        if (known != null || name == null) {
            return Optional.ofNullable(known);
        }
        try {
            return atLogin(name);
        } catch (UserStoreUnavailableException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<UserAccount> atLogin(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            Optional<UserAccount> account = entry(name).map(e -> account(name, e));
            account.ifPresentOrElse(a -> seen.put(name, a), () -> seen.remove(name));
            return account;
        } catch (IOException e) {
            throw new UserStoreUnavailableException("user database " + where + ": " + rootMessage(e), e);
        } catch (IllegalStateException e) {
            throw new UserStoreUnavailableException(e.getMessage(), e);
        }
    }

    @Override
    public Collection<UserAccount> all() {
        try {
            List<UserAccount> all = new ArrayList<>();
            for (Map.Entry<String, UserEntry> e : entries().entrySet()) {
                all.add(account(e.getKey(), e.getValue()));
            }
            return all;
        } catch (IOException | IllegalStateException e) {
            throw new UserStoreUnavailableException("user database " + where + ": " + rootMessage(e), e);
        }
    }

    /** Any user may be given a password at any time, so passwords are always offered. */
    @Override
    public boolean anyPasswords() {
        return true;
    }

    private UserAccount account(String name, UserEntry entry) {
        try {
            return toAccount(name, entry);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The account a row describes, checked as the users file's entries are (roots are absolute). */
    public UserAccount toAccount(String name, UserEntry entry) throws IOException {
        return UsersFile.toAccount(where + ": user '" + name + "'", Path.of("/"), name, entry);
    }

    /** {@code name}'s row as a users file entry. */
    public Optional<UserEntry> entry(String name) throws IOException {
        try {
            return lookUp(name);
        } catch (SQLException e) {
            if (!lostConnection(e)) {
                throw new IOException(rootMessage(e), e);
            }
        }
        // A pooled connection the database closed (a restart, a failover) fails once; the pool
        // drops it, so a login tries once more on a new one rather than be refused for it.
        try {
            return lookUp(name);
        } catch (SQLException e) {
            throw new IOException(rootMessage(e), e);
        }
    }

    private Optional<UserEntry> lookUp(String name) throws SQLException {
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement("SELECT " + COLUMNS + " FROM ferry_user WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(entryOf(rs)) : Optional.empty();
            }
        }
    }

    /** A connection-level failure (SQLSTATE class 08, or 57P01-03: the server shut down or restarted). */
    private static boolean lostConnection(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P0"));
    }

    /** Every row, by name. */
    public Map<String, UserEntry> entries() throws IOException {
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement("SELECT " + COLUMNS + " FROM ferry_user ORDER BY name");
                ResultSet rs = q.executeQuery()) {
            Map<String, UserEntry> all = new LinkedHashMap<>();
            while (rs.next()) {
                all.put(rs.getString("name"), entryOf(rs));
            }
            return all;
        } catch (SQLException e) {
            throw new IOException(rootMessage(e), e);
        }
    }

    /** Writes {@code name}'s row; {@code create}: it must not exist yet, else it must. */
    public void put(String name, UserEntry e, boolean create) throws IOException {
        String sql = create
                ? "INSERT INTO ferry_user (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (name) DO NOTHING"
                : "UPDATE ferry_user SET name = ?, root = ?, password_hash = ?, authorized_keys = ?, "
                        + "authorized_keys_file = ?, read_only = ?, umask = ?, allow_links = ?, quota_bytes = ?, "
                        + "quota_files = ?, upload_rate = ?, download_rate = ?, max_sessions = ?, updated_at = now() "
                        + "WHERE name = ?";
        try (Connection db = pool.getConnection(); PreparedStatement st = db.prepareStatement(sql)) {
            st.setString(1, name);
            st.setString(2, e.root());
            st.setString(3, e.password());
            st.setArray(4, db.createArrayOf("text", e.authorizedKeys().toArray()));
            st.setString(5, e.authorizedKeysFile());
            st.setBoolean(6, Boolean.TRUE.equals(e.readOnly()));
            st.setString(7, e.umask());
            st.setBoolean(8, Boolean.TRUE.equals(e.allowLinks()));
            st.setString(9, e.quota() == null ? null : e.quota().bytes());
            st.setObject(10, e.quota() == null ? null : e.quota().files(), java.sql.Types.BIGINT);
            st.setString(11, e.bandwidth() == null ? null : e.bandwidth().upload());
            st.setString(12, e.bandwidth() == null ? null : e.bandwidth().download());
            st.setObject(13, e.maxSessions(), java.sql.Types.INTEGER);
            if (!create) {
                st.setString(14, name);
            }
            if (st.executeUpdate() != 1) {
                throw new IOException(create ? "user '" + name + "' already exists in " + where
                        : "no user '" + name + "' in " + where);
            }
        } catch (SQLException x) {
            throw new IOException(rootMessage(x), x);
        }
    }

    /** Removes {@code name}'s row; false if there was none. */
    public boolean remove(String name) throws IOException {
        try (Connection db = pool.getConnection();
                PreparedStatement st = db.prepareStatement("DELETE FROM ferry_user WHERE name = ?")) {
            st.setString(1, name);
            return st.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IOException(rootMessage(e), e);
        }
    }

    private static UserEntry entryOf(ResultSet rs) throws SQLException {
        Array keys = rs.getArray("authorized_keys");
        List<String> keyLines = keys == null ? List.of()
                : Arrays.stream((Object[]) keys.getArray()).map(String::valueOf).toList();
        String quotaBytes = rs.getString("quota_bytes");
        Long quotaFiles = (Long) rs.getObject("quota_files");
        String up = rs.getString("upload_rate");
        String down = rs.getString("download_rate");
        return new UserEntry(rs.getString("root"), rs.getString("password_hash"), keyLines,
                rs.getString("authorized_keys_file"), rs.getBoolean("read_only") ? Boolean.TRUE : null,
                rs.getString("umask"), rs.getBoolean("allow_links") ? Boolean.TRUE : null,
                quotaBytes == null && quotaFiles == null ? null : new UserEntry.Quota(quotaBytes, quotaFiles),
                up == null && down == null ? null : new UserEntry.Bandwidth(up, down),
                (Integer) rs.getObject("max_sessions"));
    }

    /**
     * The driver's own message ("Connection to 127.0.0.1:5432 refused"), not the pool's wrapping
     * of it ("request timed out after 3000ms"): the innermost SQL exception's first line.
     */
    static String rootMessage(Throwable e) {
        Throwable shown = e;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException && t.getMessage() != null) {
                shown = t;
            }
        }
        String message = shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }

    @Override
    public void close() {
        pool.close();
    }
}
