package dev.ferry.server;

import java.io.IOException;
import java.util.function.Consumer;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.channel.ChannelDataReceiver;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.command.AsyncCommandInputStreamAware;
import org.apache.sshd.server.command.Command;

import dev.ferry.server.delta.DeltaSubsystemFactory;
import dev.ferry.server.log.RefusalLog;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;
import dev.ferry.server.rate.Bandwidth;
import dev.ferry.transport.ReceiveBudget;
import dev.ferry.transport.WindowCredit;

/**
 * A session channel (SFTP, scp, refused exec) whose receive window is few, large adjustments and
 * bounded by the server's {@link ReceiveBudget}: see {@link WindowCredit}. Its initial window is what
 * the budget has left when it opens, at most the transport profile's window. Counts are reported
 * when the channel closes.
 *
 * <p>Refuses, as OpenSSH's sshd does for an account with {@code PermitTTY no} and no
 * {@code AcceptEnv}, a terminal ({@code pty-req}) and environment variables ({@code env}): there is
 * no shell to give them to, and MINA would keep every variable sent, without limit. Every request
 * the channel answers with a failure is logged through the {@link RefusalLog}.
 *
 * <p>A blocking command's input and output pass through the user's {@link Bandwidth} (SFTP's
 * requests are held to it in the SFTP subsystem, which takes its data itself).
 */
final class CoalescingChannelSession extends ChannelSession {

    private final Consumer<ServerEvent> events;
    private final ReceiveBudget budget;
    private final RefusalLog refusals;
    private final Bandwidth bandwidth;
    private volatile WindowCredit credit; // set once, when MINA configures the window
    /** What the request being answered was, for the log line of a refusal. */
    private String requestDetail = "";

    private CoalescingChannelSession(Consumer<ServerEvent> events, ReceiveBudget budget, RefusalLog refusals,
            Bandwidth bandwidth) {
        this.events = events;
        this.budget = budget;
        this.refusals = refusals;
        this.bandwidth = bandwidth;
    }

    /** Creates these channels for "session" channel requests. */
    static ChannelSessionFactory factory(Consumer<ServerEvent> events, ReceiveBudget budget, RefusalLog refusals,
            Bandwidth bandwidth) {
        return new ChannelSessionFactory() {
            @Override
            public Channel createChannel(Session session) {
                return new CoalescingChannelSession(events, budget, refusals, bandwidth);
            }
        };
    }

    @Override
    protected RequestHandler.Result handleInternalRequest(String requestType, boolean wantReply, Buffer buffer)
            throws IOException {
        requestDetail = requestType.equals("env") || requestType.equals("subsystem") ? firstString(buffer) : "";
        if (requestType.equals("env") || requestType.equals("pty-req")) {
            return RequestHandler.Result.ReplyFailure;
        }
        return super.handleInternalRequest(requestType, wantReply, buffer);
    }

    /** The request's first field (a variable's or a subsystem's name), left in the buffer for MINA. */
    private static String firstString(Buffer buffer) {
        int start = buffer.rpos();
        try {
            return buffer.getString();
        } catch (RuntimeException malformed) {
            return "(malformed)";
        } finally {
            buffer.rpos(start);
        }
    }

    @Override
    protected IoWriteFuture sendResponse(Buffer buffer, String req, RequestHandler.Result result, boolean wantReply)
            throws IOException {
        if ((result == RequestHandler.Result.ReplyFailure || result == RequestHandler.Result.Unsupported)
                && !quietlyRefused(req, requestDetail)) {
            refusals.refused(getSession(), "ssh", requestDetail.isEmpty() ? req : req + " " + requestDetail,
                    refusalReason(req));
        }
        return super.sendResponse(buffer, req, result, wantReply);
    }

    /**
     * The variables Debian's and Ubuntu's ssh_config send on every connection ({@code SendEnv LANG
     * LC_*}) are refused as any other, but without a line: one per login of every stock client would
     * be noise, and says nothing of the client.
     */
    private static boolean quietlyRefused(String req, String detail) {
        return req.equals("env") && (detail.equals("LANG") || detail.startsWith("LC_"));
    }

    private String refusalReason(String req) {
        return switch (req) {
            case "env" -> "environment variables are not accepted";
            case "pty-req" -> "no terminal: this server runs no shell";
            case "x11-req" -> "X11 forwarding is not offered";
            case "auth-agent-req", "auth-agent-req@openssh.com" -> "agent forwarding is not offered";
            case "subsystem" -> requestDetail.equals("sftp") || requestDetail.equals(DeltaSubsystemFactory.NAME)
                    ? "the channel already runs a command" : "no such subsystem (sftp and ferry-delta are offered)";
            case "shell", "exec" -> "the channel already runs a command";
            default -> "unknown channel request";
        };
    }

    /** MINA configures the window at init and again at open; the budget is asked once. */
    @Override
    protected synchronized void configureWindow() {
        if (credit == null) {
            long wanted = CoreModuleProperties.WINDOW_SIZE.getRequired(this);
            credit = new WindowCredit(budget, budget.open(wanted));
            CoreModuleProperties.WINDOW_SIZE.set(this, credit.window()); // read by the window below
        }
        super.configureWindow();
    }

    /**
     * Blocking commands (scp, ferry-delta, refusals) read through {@link ChannelInput} instead of
     * MINA's pipe, and write through the user's download throttle on their own thread; SFTP and
     * other commands that take the data themselves are left alone.
     */
    @Override
    protected Command prepareCommand(String requestType, Command command) throws IOException {
        boolean blocking = command != null && !(command instanceof AsyncCommandInputStreamAware)
                && !(command instanceof ChannelDataReceiver);
        String user = getSession().getUsername();
        if (blocking) {
            ChannelInput input = new ChannelInput(getLocalWindow(), bandwidth.upload(user));
            setDataReceiver(input.receiver());
            command.setInputStream(input);
        }
        Command prepared = super.prepareCommand(requestType, command);
        if (blocking && prepared == command && out != null) {
            command.setOutputStream(bandwidth.download(user).wrap(out)); // replaces MINA's, which it wraps
        }
        return prepared;
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        credit.received(len);
        super.doWriteData(data, off, len);
    }

    @Override
    protected void sendWindowAdjust(long len) throws IOException {
        long grant = credit.release(len);
        if (grant > 0) {
            super.sendWindowAdjust(grant);
        }
    }

    @Override
    protected void preClose() {
        WindowCredit c;
        synchronized (this) {
            c = credit;
        }
        if (c != null && c.close()) {
            if (c.receivedBytes() > 0) {
                Session session = getSession();
                events.accept(new ServerEvent.ChannelWindow(session.getUsername(),
                        ServerEvent.address(ClientAddress.of(session)), c.receivedBytes(), c.adjusts(), c.window()));
            }
        }
        super.preClose();
    }
}
