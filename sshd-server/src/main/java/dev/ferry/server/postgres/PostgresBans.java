package dev.ferry.server.postgres;

import java.io.IOException;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.ferry.server.auth.BanPolicy;
import dev.ferry.server.auth.Defender;
import dev.ferry.server.auth.Network;
import dev.ferry.server.auth.SharedBans;

/**
 * Offences and bans in the users' database (tables {@code ferry_offence} and {@code ferry_ban}),
 * shared by every node. Times are the nodes' clocks, which must agree to within a second or so
 * (NTP), as they must for the logs to be read together.
 */
public final class PostgresBans implements SharedBans {

    private final DataSource pool;
    private final String where;

    PostgresBans(DataSource pool, String where) {
        this.pool = pool;
        this.where = where;
    }

    @Override
    public Verdict offend(InetAddress address, Instant at, int score, BanPolicy policy) throws IOException {
        String literal = literal(address);
        try (Connection db = pool.getConnection()) {
            db.setAutoCommit(false);
            try {
                Verdict verdict = offend(db, address, literal, at, score, policy);
                db.commit();
                return verdict;
            } catch (SQLException e) {
                db.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private Verdict offend(Connection db, InetAddress address, String literal, Instant at, int score,
            BanPolicy policy) throws SQLException {
        // One address's offences are judged one at a time, whichever node scored them: two nodes
        // reaching the threshold at once make one ban, not two.
        try (PreparedStatement lock = db.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "ferry-ban " + literal);
            lock.execute();
        }
        try (PreparedStatement add = db.prepareStatement(
                "INSERT INTO ferry_offence (address, at, score) VALUES (?::inet, ?, ?)")) {
            add.setString(1, literal);
            add.setObject(2, time(at));
            add.setInt(3, score);
            add.executeUpdate();
        }
        int previous = 0;
        try (PreparedStatement q = db.prepareStatement("SELECT until, bans FROM ferry_ban WHERE address = ?::inet")) {
            q.setString(1, literal);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    Instant until = rs.getObject("until", OffsetDateTime.class).toInstant();
                    if (until.isAfter(at)) {
                        return new Verdict(0, null); // banned already: its connections are refused, not scored
                    }
                    // quiet for a whole longest ban: a first offender again (as the defender alone judges)
                    previous = until.plus(policy.maxBan()).isBefore(at) ? 0 : rs.getInt("bans");
                }
            }
        }
        int total;
        try (PreparedStatement q = db.prepareStatement(
                "SELECT coalesce(sum(score), 0) FROM ferry_offence WHERE address = ?::inet AND at >= ?")) {
            q.setString(1, literal);
            q.setObject(2, time(at.minus(policy.window())));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                total = rs.getInt(1);
            }
        }
        if (total < policy.threshold()) {
            return new Verdict(total, null);
        }
        Duration length = policy.banFor(previous);
        Defender.Ban ban = new Defender.Ban(address, at.plus(length), previous);
        upsert(db, ban, "excluded.until", "excluded.bans");
        try (PreparedStatement forget = db.prepareStatement("DELETE FROM ferry_offence WHERE address = ?::inet")) {
            forget.setString(1, literal);
            forget.executeUpdate();
        }
        return new Verdict(total, ban);
    }

    private static void upsert(Connection db, Defender.Ban ban, String until, String bans) throws SQLException {
        try (PreparedStatement put = db.prepareStatement("INSERT INTO ferry_ban (address, until, bans) "
                + "VALUES (?::inet, ?, ?) ON CONFLICT (address) DO UPDATE SET until = " + until + ", bans = " + bans)) {
            put.setString(1, literal(ban.address()));
            put.setObject(2, time(ban.until()));
            put.setInt(3, ban.previous() + 1);
            put.executeUpdate();
        }
    }

    @Override
    public void publish(Defender.Ban ban) throws IOException {
        try (Connection db = pool.getConnection()) {
            upsert(db, ban, "greatest(ferry_ban.until, excluded.until)", "greatest(ferry_ban.bans, excluded.bans)");
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public List<Defender.Ban> inForce(Instant now) throws IOException {
        try (Connection db = pool.getConnection();
                PreparedStatement q = db.prepareStatement(
                        "SELECT host(address), until, bans FROM ferry_ban WHERE until > ?")) {
            q.setObject(1, time(now));
            List<Defender.Ban> bans = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    bans.add(new Defender.Ban(Network.literal(rs.getString(1)),
                            rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getInt(3) - 1));
                }
            }
            return bans;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void lift(InetAddress address) throws IOException {
        try (Connection db = pool.getConnection()) {
            for (String table : List.of("ferry_ban", "ferry_offence")) {
                try (PreparedStatement st = db.prepareStatement("DELETE FROM " + table + " WHERE address = ?::inet")) {
                    st.setString(1, literal(address));
                    st.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void sweep(Instant now, BanPolicy policy) throws IOException {
        try (Connection db = pool.getConnection()) {
            try (PreparedStatement st = db.prepareStatement("DELETE FROM ferry_offence WHERE at < ?")) {
                st.setObject(1, time(now.minus(policy.window())));
                st.executeUpdate();
            }
            try (PreparedStatement st = db.prepareStatement("DELETE FROM ferry_ban WHERE until < ?")) {
                st.setObject(1, time(now.minus(policy.maxBan())));
                st.executeUpdate();
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private IOException failed(SQLException e) {
        return new IOException("ban database " + where + ": " + PostgresUsers.rootMessage(e), e);
    }

    /** The address as PostgreSQL's inet reads it: no IPv6 scope ("%lo"), which inet does not take. */
    private static String literal(InetAddress address) {
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
