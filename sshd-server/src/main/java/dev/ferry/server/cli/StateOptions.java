package dev.ferry.server.cli;

import java.nio.file.Path;
import java.util.Optional;

import picocli.CommandLine.Option;

/** Where ferryd keeps its state and finds its users file; shared by serving and the user subcommands. */
public final class StateOptions {

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "ferry-data",
            description = "Directory for the host key, served files, users file and the journal of uploads in flight "
                    + "(default ./${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Users file (YAML; default <state-dir>/users.yaml).")
    Path config;

    @Option(names = "--database", paramLabel = "JDBC_URL",
            description = "Users in PostgreSQL instead of the users file: jdbc:postgresql://HOST:PORT/DB?user=NAME "
                    + "(default: $FERRY_DATABASE_URL; the password in $FERRY_DATABASE_PASSWORD).")
    String database;

    /** The user database's URL, if the users are kept in one. */
    Optional<String> database() {
        String url = database != null ? database : System.getenv("FERRY_DATABASE_URL");
        return url == null || url.isBlank() ? Optional.empty() : Optional.of(url.strip());
    }

    Path stateDir() {
        return stateDir;
    }

    Path usersFile() {
        return config != null ? config : stateDir.resolve("users.yaml");
    }

    boolean configGiven() {
        return config != null;
    }
}
