package dev.ferry.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The entry point of {@code ferry}. */
@Command(name = "ferry", mixinStandardHelpOptions = true, version = "ferry 0.1",
        description = "Ferry's client. Its commands (cp, sync, demo) are being built; until then use ferryd.")
public final class FerryMain implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new FerryMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
