package dev.ferry.client.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.ConnectionFailedException;
import dev.ferry.client.connect.Connector;
import dev.ferry.client.connect.Interaction;
import dev.ferry.client.connect.Sessions;
import dev.ferry.client.operand.Operand;
import dev.ferry.client.operand.Operands;
import dev.ferry.client.sftp.Tally;
import dev.ferry.client.transfer.SftpClients;
import dev.ferry.client.transfer.Copier;
import dev.ferry.client.transfer.ParallelRanges;
import dev.ferry.client.transfer.ScpCopier;
import dev.ferry.client.transfer.SftpCopier;
import dev.ferry.client.transfer.Throttle;
import dev.ferry.transport.TransportProfile;
import dev.ferry.client.transfer.TransferListener;
import dev.ferry.client.transfer.TransferOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry cp}: scp's command line and behaviour, over SFTP. */
@Command(name = "cp", mixinStandardHelpOptions = true,
        description = {"Copy files between hosts, as scp does: ferry cp [options] SOURCE... TARGET.",
            "A remote operand is [user@]host:path, [user@][ipv6]:path or scp://[user@]host[:port]/path."})
public final class CpCommand extends RemoteCommand implements Callable<Integer> {

    @Parameters(arity = "2..*", paramLabel = "SOURCE... TARGET")
    List<String> operands;

    @Option(names = "-r", description = "Copy directories recursively.")
    boolean recursive;

    @Option(names = "-p", description = "Preserve modification times, access times and modes.")
    boolean preserve;

    @Option(names = "-l", paramLabel = "limit", description = "Limit the bandwidth to this many Kbit/s.")
    long limitKbits;

    @Option(names = "-q", description = "Quiet: no progress bar, no warnings.")
    boolean quiet;

    @Option(names = "-v", description = "Verbose: say what happens; show the cause of errors.")
    boolean verbose;

    @Option(names = "-3", description = "Copy between two remote hosts through this one (always so over SFTP).")
    boolean throughLocal;

    @Option(names = "-O", description = "Use the legacy SCP protocol instead of SFTP.")
    boolean legacyScp;

    @Option(names = "-T", description = "With -O: accept any safe name at the top of a download (for remote globs).")
    boolean noStrictNames;

    @Option(names = "--inplace", description = "Write directly to the target instead of a temporary name.")
    boolean inplace;

    @Option(names = "--resume", description = "Continue an interrupted copy from its partial file, once that is "
            + "checked (SHA-256) to be an exact prefix of the source.")
    boolean resume;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "1",
            description = "Copy each large file (16 MiB or more) as N ranges over N connections (default 1).")
    int streams;

    @Option(names = "--json", description = "One JSON object per file on stdout.")
    boolean json;

    @Override
    List<Operand.Remote> remotes() {
        return remotesOf(operands);
    }

    @Override
    public Integer call() throws Exception {
        List<Operand> parsed = new ArrayList<>();
        for (String operand : operands) {
            parsed.add(Operands.parse(operand));
        }
        Operand target = parsed.get(parsed.size() - 1);
        List<Operand> sources = parsed.subList(0, parsed.size() - 1);
        PrintStream err = invocation.err();
        Interaction interaction = connection.batch ? Interaction.none(err::println) : invocation.terminal().get();
        if (quiet) {
            interaction = Interaction.quiet(interaction);
        }
        if (streams < 1 || streams > 64) {
            throw new IllegalArgumentException("--streams must be 1..64");
        }
        TransferOptions transfer = new TransferOptions(recursive, preserve, !inplace, resume);
        TransferListener listener = invocation.cancellation()
                .and(json ? new JsonReport(invocation.out()) : TransferListener.NONE);
        if (!quiet && invocation.stderrIsTerminal()) {
            listener = listener.and(new ProgressBars(err, invocation.columns()));
        }

        try (Sessions connector = invocation.sessions().open(connection.connectOptions(), interaction)) {
            if (target instanceof Operand.Remote remote) {
                if (sources.stream().anyMatch(o -> o instanceof Operand.Remote)) {
                    return remoteToRemote(connector, sources, remote, transfer, listener);
                }
                List<Path> locals = new ArrayList<>();
                for (Operand source : sources) {
                    locals.add(invocation.local(source.path()));
                }
                return run(connector, remote, transfer, listener, copier -> copier.upload(locals, remote.path()));
            }
            Path local = invocation.local(target.path());
            Operand.Remote first = null;
            List<String> paths = new ArrayList<>();
            for (Operand source : sources) {
                if (!(source instanceof Operand.Remote remote)) {
                    throw new FerryException("ferry: local to local copies are not ferry's job; use cp");
                }
                if (first != null && !remote.server().equals(first.server())) {
                    throw new FerryException("ferry: all remote sources must be on one host");
                }
                first = first == null ? remote : first;
                paths.add(remote.path());
            }
            return run(connector, first, transfer, listener, copier -> copier.download(paths, local));
        } catch (FerryException e) {
            err.println(e.getMessage());
            if (verbose && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return e instanceof ConnectionFailedException ? FerryMain.CONNECTION_FAILED : 1;
        }
    }

    /** Both ends remote: copied through this machine over two SFTP sessions (scp -3). */
    private int remoteToRemote(Sessions connector, List<Operand> sources, Operand.Remote to, TransferOptions transfer,
            TransferListener listener) throws FerryException {
        if (legacyScp) {
            throw new FerryException("ferry: remote to remote copies use SFTP; drop -O");
        }
        Operand.Remote from = null;
        List<String> paths = new ArrayList<>();
        for (Operand source : sources) {
            if (!(source instanceof Operand.Remote remote) || (from != null && !remote.server().equals(from.server()))) {
                throw new FerryException("ferry: with a remote target, all sources must be on one remote host");
            }
            from = remote;
            paths.add(remote.path());
        }
        Connector.Target src = connector.resolve(from);
        Connector.Target dst = connector.resolve(to);
        Throttle throttle = Throttle.kilobitsPerSecond(limitKbits);
        try (Sessions.Lease a = connector.open(src);
                SftpClient sftpA = SftpClients.open(a.session());
                Sessions.Lease b = connector.open(dst);
                SftpClient sftpB = SftpClients.open(b.session())) { // never attached: two servers
            SftpCopier reader = new SftpCopier(sftpA, src.display(), transfer, listener, throttle);
            SftpCopier writer = new SftpCopier(sftpB, dst.display(), transfer, TransferListener.NONE, Throttle.NONE);
            reader.copyTo(writer, paths, to.path());
            reader.errors().forEach(invocation.err()::println);
            if (reader.connectionLost() || writer.connectionLost()) {
                throw ConnectionFailedException.lostDuringCopy(reader.connectionLost() ? src.display() : dst.display());
            }
            return reader.errors().isEmpty() ? 0 : 1;
        } catch (IOException e) {
            throw new FerryException("ferry: " + (e.getMessage() == null ? "connection lost" : e.getMessage()), e);
        }
    }

    @FunctionalInterface
    private interface CopyJob {
        void run(Copier copier) throws FerryException;
    }

    private int run(Sessions connector, Operand.Remote remote, TransferOptions transfer, TransferListener listener,
            CopyJob job) throws FerryException {
        Connector.Target target = connector.resolve(remote);
        int status;
        Tally tally = new Tally();
        try (Sessions.Lease lease = connector.open(target)) {
            ClientSession session = lease.session();
            if (legacyScp) {
                ScpCopier copier = new ScpCopier(session, target.display(), transfer, !noStrictNames, listener,
                        Throttle.kilobitsPerSecond(limitKbits));
                if (verbose) {
                    invocation.err().println("ferry: connected to " + target.display() + " port " + target.port()
                            + ", legacy SCP");
                }
                return finish(copier, job, target);
            }
            session.setAttribute(Tally.KEY, tally);
            SftpClient sftp = lease.sftp();
            boolean clean = false;
            try {
                ParallelRanges.Streams extra = streams > 1 ? () -> {
                    try {
                        ClientSession more = connector.connect(target);
                        more.setAttribute(Tally.KEY, tally);
                        return more;
                    } catch (FerryException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                } : null;
                SftpCopier copier = new SftpCopier(sftp, target.display(), transfer, listener,
                        Throttle.kilobitsPerSecond(limitKbits), extra, streams);
                if (verbose) {
                    invocation.err().println("ferry: connected to " + target.display() + " port " + target.port()
                            + ", key exchange " + session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS)
                            + ", cipher " + session.getNegotiatedKexParameter(KexProposalOption.C2SENC)
                            + Verbose.mac(session.getNegotiatedKexParameter(KexProposalOption.C2SENC),
                                    session.getNegotiatedKexParameter(KexProposalOption.C2SMAC))
                            + ", SFTP requests of " + copier.readSize() + " / " + copier.writeSize() + " bytes");
                    invocation.err().println("ferry: " + Verbose.channel(((AbstractSftpClient) sftp).getChannel()));
                    invocation.err().println("ferry: socket " + TransportProfile.describeSocket(session.getIoSession()));
                }
                status = finish(copier, job, target);
                if (!quiet) {
                    copier.warnings().forEach(invocation.err()::println);
                }
                clean = true;
            } finally {
                // -v counts window adjustments as the channel closes: it is not kept for a next run
                lease.release(sftp, clean && !verbose);
            }
        } catch (IOException e) {
            throw new FerryException(target.display() + ": " + (e.getMessage() == null ? "connection lost"
                    : e.getMessage()), e);
        }
        if (verbose) {
            invocation.err().println("ferry: " + Verbose.windowAdjusts(tally));
        }
        return status;
    }

    private int finish(Copier copier, CopyJob job, Connector.Target target) throws FerryException {
        job.run(copier);
        for (String error : copier.errors()) {
            invocation.err().println(error);
        }
        if (copier.connectionLost()) { // the files it took are said once, here
            throw ConnectionFailedException.lostDuringCopy(target.display());
        }
        return copier.errors().isEmpty() ? 0 : 1;
    }
}
