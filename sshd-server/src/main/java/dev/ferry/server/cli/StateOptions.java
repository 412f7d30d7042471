package dev.ferry.server.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** Where ferryd keeps its state and finds its users file; shared by serving and the user subcommands. */
public final class StateOptions {

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "ferry-data",
            description = "Directory for the host key, served files, users file and the journal of uploads in flight "
                    + "(default ./${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Users file (YAML; default <state-dir>/users.yaml).")
    Path config;

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
