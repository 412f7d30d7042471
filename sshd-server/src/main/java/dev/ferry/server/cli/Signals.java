package dev.ferry.server.cli;

import sun.misc.Signal;

/**
 * SIGHUP for ferryd, as for sshd: read the configuration again. The JVM would otherwise take
 * SIGHUP as a request to exit. (SIGTERM and SIGINT keep the JVM's meaning, an orderly exit, which
 * runs ferryd's graceful stop as a shutdown hook.) {@code sun.misc.Signal} is the JDK's one API
 * for this, exported by its jdk.unsupported module on every JDK since 9.
 */
final class Signals {

    private Signals() {
    }

    /** Runs {@code action} on each SIGHUP, on the JVM's signal thread, one at a time. */
    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), signal -> action.run());
    }
}
