package dev.ferry.server.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The schema, as numbered SQL files ({@code db/migration/V<n>__<what>.sql}, listed in order in
 * {@code db/migration/index.txt} since a jar cannot be listed), each applied once in its own
 * transaction and recorded in {@code ferry_schema_version}. Every transaction first takes an
 * advisory lock, so that nodes starting at once apply each file once, one after the other.
 */
public final class Migrations {

    /** Any constant: ferryd's migrations wait on each other, nothing else takes it. */
    private static final long LOCK = 0x4665727279L; // "Ferry"
    private static final Pattern NAME = Pattern.compile("V(\\d+)__[A-Za-z0-9_]+\\.sql");

    /** One file: its version and SQL. */
    record Migration(int version, String name, String sql) {
    }

    private Migrations() {
    }

    /** The migrations shipped with ferryd, in order. */
    static List<Migration> shipped() throws IOException {
        List<Migration> all = new ArrayList<>();
        for (String name : resource("index.txt").lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw new IOException("migration " + name + " is not named V<n>__<what>.sql");
            }
            int version = Integer.parseInt(m.group(1));
            if (!all.isEmpty() && version <= all.get(all.size() - 1).version()) {
                throw new IOException("migration " + name + " is out of order");
            }
            all.add(new Migration(version, name, resource(name)));
        }
        return all;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + name)) {
            if (in == null) {
                throw new IOException("migration " + name + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Applies what {@code db} lacks; returns the names applied now (none when it was up to date). */
    public static List<String> apply(Connection db) throws SQLException, IOException {
        List<String> applied = new ArrayList<>();
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try {
            for (Migration m : shipped()) {
                try (Statement st = db.createStatement()) {
                    st.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
                    st.execute("CREATE TABLE IF NOT EXISTS ferry_schema_version (version integer PRIMARY KEY, "
                            + "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
                    if (isApplied(db, m.version())) {
                        db.commit();
                        continue;
                    }
                    st.execute(m.sql());
                    try (PreparedStatement record = db.prepareStatement(
                            "INSERT INTO ferry_schema_version (version, name) VALUES (?, ?)")) {
                        record.setInt(1, m.version());
                        record.setString(2, m.name());
                        record.executeUpdate();
                    }
                    db.commit();
                    applied.add(m.name());
                } catch (SQLException e) {
                    db.rollback();
                    throw new SQLException("migration " + m.name() + " failed: " + e.getMessage(), e.getSQLState(), e);
                }
            }
        } finally {
            db.setAutoCommit(autoCommit);
        }
        return applied;
    }

    private static boolean isApplied(Connection db, int version) throws SQLException {
        try (PreparedStatement q = db.prepareStatement("SELECT 1 FROM ferry_schema_version WHERE version = ?")) {
            q.setInt(1, version);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }
}
