package dev.ferry.server.scp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/** A command that only says, on stderr, why it will not run, and exits with status 1. */
final class Refusal implements Command {

    private final String message;
    private OutputStream err;
    private ExitCallback callback;

    Refusal(String message) {
        this.message = message;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        try {
            err.write((message + "\n").getBytes(StandardCharsets.UTF_8));
            err.flush();
        } finally {
            callback.onExit(1, message);
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.callback = callback;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setInputStream(InputStream in) {
    }

    @Override
    public void setOutputStream(OutputStream out) {
    }
}
