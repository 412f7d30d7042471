package dev.ferry.it.hostile;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.sshd.client.channel.AbstractClientChannel;
import org.apache.sshd.client.channel.ChannelSession;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * A session channel that sends channel requests as written here ({@code pty-req}, {@code env},
 * {@code x11-req}, anything) with want-reply set, and reports the server's answer; and helpers for
 * channels of other types and for global requests, which no stock client sends to a file server.
 */
final class RawChannel extends ChannelSession {

    private final BlockingQueue<Boolean> answers = new LinkedBlockingQueue<>();

    /** An open session channel on {@code session}. */
    static RawChannel open(ClientSession session) throws IOException {
        RawChannel channel = new RawChannel();
        session.getService(ConnectionService.class).registerChannel(channel);
        channel.open().verify(10, TimeUnit.SECONDS);
        return channel;
    }

    @Override
    public void handleSuccess() {
        answers.add(true);
    }

    @Override
    public void handleFailure() {
        answers.add(false);
    }

    /** Sends request {@code type} with the fields {@code fields} writes; true if the server said yes. */
    boolean request(String type, Consumer<Buffer> fields) throws IOException, InterruptedException {
        send(type, fields);
        return answer();
    }

    /** Sends request {@code type} (want-reply set) without waiting for the answer. */
    void send(String type, Consumer<Buffer> fields) throws IOException {
        Buffer b = getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 64);
        b.putUInt(getRecipient());
        b.putString(type);
        b.putBoolean(true);
        fields.accept(b);
        writePacket(b);
    }

    /** The server's answer to the oldest request not yet answered; fails after 10 s. */
    boolean answer() throws InterruptedException {
        Boolean yes = answers.poll(10, TimeUnit.SECONDS);
        if (yes == null) {
            throw new AssertionError("no answer to a channel request within 10 s");
        }
        return yes;
    }

    /** Asks {@code session} to open a channel of {@code type}; the future says whether it opened. */
    static OpenFuture openTyped(ClientSession session, String type) throws IOException {
        Channel channel = new Typed(type);
        session.getService(ConnectionService.class).registerChannel(channel);
        return ((Typed) channel).open();
    }

    /** A global request with want-reply; true if the server said yes. */
    static boolean global(ClientSession session, String request, Consumer<Buffer> fields) throws IOException {
        Buffer b = session.createBuffer(SshConstants.SSH_MSG_GLOBAL_REQUEST, 64);
        b.putString(request);
        b.putBoolean(true);
        fields.accept(b);
        return session.request(request, b, TimeUnit.SECONDS.toMillis(10)) != null;
    }

    /** A client channel of any type, which does nothing once open. */
    private static final class Typed extends AbstractClientChannel {
        Typed(String type) {
            super(type);
        }

        @Override
        protected void doOpen() {
            // no streams: the server is expected to refuse it
        }
    }
}
