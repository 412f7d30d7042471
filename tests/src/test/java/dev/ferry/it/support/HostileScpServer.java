package dev.ferry.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.security.KeyFiles;

/**
 * An SSH server for tests that answers every {@code scp -f} with a script of its own: whatever
 * SCP protocol lines the test wants a malicious server to send (unrequested names, "..", paths,
 * terminal escapes). Any key logs in. Binds 127.0.0.1 port 0.
 */
public final class HostileScpServer implements AutoCloseable {

    private final SshServer sshd;
    private final KeyPair hostKey;
    private volatile List<String> script = List.of();
    private final List<String> commands = new CopyOnWriteArrayList<>();

    public HostileScpServer() throws Exception {
        hostKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        AlgorithmPolicy.applyTo(sshd, org.apache.sshd.server.ServerBuilder.DH2KEX);
        sshd.setPublickeyAuthenticator((user, key, session) -> true);
        sshd.setCommandFactory((channel, command) -> {
            commands.add(command);
            return new Scripted(script);
        });
        sshd.start();
    }

    /**
     * What to send to the next clients: each element is written as is, after reading one byte (the
     * client's go-ahead or acknowledgement) from the client.
     */
    public void script(String... steps) {
        this.script = List.of(steps);
    }

    public int port() {
        return sshd.getPort();
    }

    public String fingerprint() {
        return KeyFiles.fingerprint(hostKey.getPublic());
    }

    /** The exec commands clients sent. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    private static final class Scripted implements Command {
        private final List<String> steps;
        private InputStream in;
        private OutputStream out;
        private ExitCallback exit;

        Scripted(List<String> steps) {
            this.steps = steps;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread t = new Thread(() -> {
                try {
                    for (String step : steps) {
                        if (in.read() < 0) {
                            break;
                        }
                        out.write(step.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                    in.read(); // the last acknowledgement
                } catch (IOException ignored) {
                    // the client hung up on us, as it should
                }
                exit.onExit(0);
            }, "hostile-scp");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }
    }
}
