package dev.ferry.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;


/**
 * A throw-away PostgreSQL 15 on 127.0.0.1: initdb into its own directory, trust authentication,
 * stopped (and started again) at will. PostgreSQL refuses to run as root, and tests run as root:
 * its programs run as the {@code postgres} OS user, in a directory it owns.
 */
public final class Postgres implements AutoCloseable {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final Path data;
    private final int port;

    private Postgres(Path dir, int port) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
    }

    /** A new cluster, started; fails under CI=true when PostgreSQL 15 is not installed. */
    public static Postgres launch() throws IOException {
        Peers.requireAt(BIN.resolve("initdb"));
        Peers.requireAt(BIN.resolve("pg_ctl"));
        String runuser = Peers.require("runuser");
        // Not a @TempDir: JUnit makes those 0700 for root, which the postgres user cannot enter.
        Path dir = Files.createTempDirectory("ferry-pg-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Postgres pg = new Postgres(dir, freePort());
        pg.run(List.of("chown", "postgres:postgres", dir.toString()), false);
        pg.run(List.of(runuser, "-u", "postgres", "--", BIN.resolve("initdb").toString(), "-D", pg.data.toString(),
                "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"), true);
        pg.start(true);
        return pg;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void run(List<String> command, boolean check) {
        Proc.Result r = Proc.run(command, dir, 120);
        if (check && r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + r.all());
        }
    }

    private List<String> pgCtl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(),
                "-D", data.toString(), "-w", "-t", "60"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the server (again, on the same port). */
    public void start(boolean check) {
        run(pgCtl("-l", dir.resolve("log").toString(), "-o", "-h 127.0.0.1 -p " + port + " -k " + dir + " -F",
                "start"), check);
    }

    public void start() {
        start(true);
    }

    /** Stops the server at once, closing every connection. */
    public void stop() {
        run(pgCtl("-m", "fast", "stop"), true);
    }

    /** A new, empty database and its JDBC URL. */
    public String newDatabase(String name) throws SQLException {
        try (Connection db = DriverManager.getConnection(url("postgres")); Statement st = db.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    @Override
    public void close() {
        run(pgCtl("-m", "immediate", "stop"), false);
        run(List.of("rm", "-rf", dir.toString()), false);
    }
}
