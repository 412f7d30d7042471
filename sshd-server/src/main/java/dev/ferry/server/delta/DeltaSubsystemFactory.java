package dev.ferry.server.delta;

import java.util.function.Consumer;

import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.subsystem.SubsystemFactory;

import dev.ferry.fs.TemporaryFiles;
import dev.ferry.server.log.ServerEvent;

/** Serves the {@code ferry-delta} subsystem: one {@link DeltaSubsystem} per channel. */
public final class DeltaSubsystemFactory implements SubsystemFactory {

    /** The name clients ask for. */
    public static final String NAME = "ferry-delta";

    private final Consumer<ServerEvent> events;
    private final TemporaryFiles temps;

    /** @param temps told of each upload's temporary file (ferryd's journal) */
    public DeltaSubsystemFactory(Consumer<ServerEvent> events, TemporaryFiles temps) {
        this.events = events;
        this.temps = temps;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Command createSubsystem(ChannelSession channel) {
        return new DeltaSubsystem(events, temps);
    }
}
