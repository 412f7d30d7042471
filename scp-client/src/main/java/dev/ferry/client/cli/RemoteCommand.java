package dev.ferry.client.cli;

import java.util.List;

import dev.ferry.client.operand.Operand;
import picocli.CommandLine.Mixin;

/**
 * A command that copies to or from servers ({@code cp}, {@code sync}): what a control master needs
 * to know of it before it runs, and the {@link Invocation} it runs in.
 */
abstract class RemoteCommand {

    @Mixin
    ConnectionOptions connection;

    /** Set by the command line that made this command; a standalone run's unless a master runs it. */
    Invocation invocation = Invocation.standalone();

    /** The remote operands as parsed; a run that names more than one server goes without a master. */
    abstract List<Operand.Remote> remotes();
}
