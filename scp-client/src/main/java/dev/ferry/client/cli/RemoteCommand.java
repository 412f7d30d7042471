package dev.ferry.client.cli;

import java.util.ArrayList;
import java.util.List;

import dev.ferry.client.operand.Operand;
import dev.ferry.client.operand.Operands;
import picocli.CommandLine.Mixin;

/**
 * A command that copies to or from servers ({@code cp}, {@code sync}): what a control master needs
 * to know of it before it runs, and the {@link Invocation} it runs in.
 */
abstract class RemoteCommand {

    @Mixin
    ConnectionOptions connection;

    /** Set by the command line that makes this command ({@link CommandLines#of}). */
    Invocation invocation;

    /** The remote operands as parsed; a run that names more than one server goes without a master. */
    abstract List<Operand.Remote> remotes();

    /** The remote ones among {@code operands}. */
    static List<Operand.Remote> remotesOf(List<String> operands) {
        List<Operand.Remote> remotes = new ArrayList<>();
        for (String operand : operands) {
            if (Operands.parse(operand) instanceof Operand.Remote remote) {
                remotes.add(remote);
            }
        }
        return remotes;
    }
}
