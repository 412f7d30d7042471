package dev.ferry.client.hostkeys;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSessionCreator;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Decides whether a server's host key is trusted, by a {@link HostKeyPolicy} and the
 * {@code known_hosts} files it names, as OpenSSH's {@code ssh} does:
 *
 * <ul>
 * <li>with pinned fingerprints, the key must have one of them; nothing else is consulted or recorded;</li>
 * <li>a revoked key is refused, under every mode;</li>
 * <li>a key listed for the name is accepted;</li>
 * <li>a changed key (the name is listed with another key of the same type) is refused, except with
 * {@code StrictHostKeyChecking=no};</li>
 * <li>an unknown host is refused ({@code yes}), recorded and accepted ({@code accept-new}), asked about
 * ({@code ask}; refused without a prompter), accepted when its key is trusted under another name
 * ({@code known-key}, which records the new name), or accepted with a warning ({@code no}).</li>
 * </ul>
 *
 * <p>The name checked is the HostKeyAlias when set, else {@link KnownHosts#hostName} of the host and
 * port the user asked for (never a reverse lookup of the peer's address).
 *
 * <p><b>Refusals.</b> {@link #verifyServerKey} returns {@code false}, and MINA then ends the
 * connection with its own generic "Server key did not validate". The sentence that explains why,
 * for the user, is kept in {@link #lastRefusal()}; the CLI prints it in place of MINA's message.
 * (An exception thrown from here would reach the caller wrapped, or only in the log, depending on
 * where MINA was in the key exchange, so none is thrown.)
 *
 * <p>The files are read afresh at each check, so keys recorded by other connections or other
 * {@code ferry} processes count at once. Checks are serialized: two prompts never share the
 * terminal and two recordings of one name cannot race within this process.
 */
public final class FerryHostKeyVerifier implements ServerKeyVerifier {

    private final HostKeyPolicy policy;
    private volatile String lastRefusal;

    public FerryHostKeyVerifier(HostKeyPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public HostKeyPolicy policy() {
        return policy;
    }

    /** The sentence explaining the most recent refusal, if any key has been refused. */
    public Optional<String> lastRefusal() {
        return Optional.ofNullable(lastRefusal);
    }

    /**
     * @param session       the session being set up; may be {@code null} (then {@code remoteAddress} names the host)
     * @param remoteAddress the peer's address, as MINA reports it
     * @param serverKey     the key the server proved it holds
     */
    @Override
    public synchronized boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        Optional<String> name = policy.hostKeyAlias().or(() -> targetName(session, remoteAddress));
        if (name.isEmpty()) {
            return refuse(Messages.noHostName(remoteAddress));
        }
        return verify(name.get(), serverKey);
    }

    /**
     * The name of the host the user asked for. Behind a ProxyJump, MINA connects to a local tunnel
     * and puts the real target in the session's {@code TARGET_SERVER} attribute; otherwise the
     * connect address is what the user gave. The remote address is the fallback (no session, or an
     * address of another kind).
     */
    static Optional<String> targetName(ClientSession session, SocketAddress remoteAddress) {
        if (session != null) {
            SshdSocketAddress jumpTarget = session.getAttribute(ClientSessionCreator.TARGET_SERVER);
            Optional<String> name = nameOf(jumpTarget != null ? jumpTarget : session.getConnectAddress());
            if (name.isPresent()) {
                return name;
            }
        }
        return nameOf(remoteAddress);
    }

    private static Optional<String> nameOf(SocketAddress address) {
        String host = null;
        int port = 0;
        if (address instanceof SshdSocketAddress sshd) {
            host = sshd.getHostName();
            port = sshd.getPort();
        } else if (address instanceof InetSocketAddress inet) {
            host = inet.getHostString(); // as given, or the literal address: never a reverse lookup
            port = inet.getPort();
        }
        return host == null || host.isBlank() ? Optional.empty() : Optional.of(KnownHosts.hostName(host, port));
    }

    private boolean verify(String name, PublicKey key) {
        if (!policy.pinnedFingerprints().isEmpty()) {
            return policy.pinnedFingerprints().contains(Messages.fingerprint(key))
                    || refuse(Messages.pinnedMismatch(name, key, policy.pinnedFingerprints()));
        }
        KnownHosts known;
        try {
            known = KnownHosts.read(policy.knownHostsFiles());
        } catch (IOException e) {
            return refuse(Messages.unreadable(name, e));
        }
        Lookup found = known.lookup(name, key);
        if (found.status() == Lookup.Status.REVOKED) {
            return refuse(Messages.revoked(name, key, found));
        }
        if (policy.strictHostKeyChecking() == StrictHostKeyChecking.NO) {
            // Every time, even for a listed key: the user must not forget that nothing is being checked.
            policy.warnings().accept(Messages.checkingOff(name, key, found));
            return true;
        }
        return switch (found.status()) {
            case MATCH -> true;
            case MISMATCH -> refuse(Messages.changed(name, key, found));
            case UNKNOWN -> unknown(name, key, known);
            case REVOKED -> throw new IllegalStateException("revoked keys are refused above");
        };
    }

    private boolean unknown(String name, PublicKey key, KnownHosts known) {
        return switch (policy.strictHostKeyChecking()) {
            case ACCEPT_NEW -> {
                record(name, key, Messages.permanentlyAdded(name, key));
                yield true;
            }
            case ASK -> ask(name, key, known);
            case KNOWN_KEY -> knownKey(name, key, known);
            // NO never gets here (see verify); refusing keeps a future slip on the safe side.
            case YES, NO -> refuse(Messages.unknown(name, key, "StrictHostKeyChecking is yes"));
        };
    }

    private boolean ask(String name, PublicKey key, KnownHosts known) {
        if (policy.prompter().isEmpty()) {
            return refuse(Messages.unknown(name, key, "there is no terminal to ask on"));
        }
        boolean yes;
        try {
            yes = policy.prompter().get().ask(Messages.question(name, key, known.namesOf(key)));
        } catch (RuntimeException e) {
            return refuse(Messages.promptFailed(name, e));
        }
        if (!yes) {
            return refuse(Messages.declined(name, key));
        }
        record(name, key, Messages.permanentlyAdded(name, key));
        return true;
    }

    /**
     * The relay mode: a server reached under a new name (a relay's address and port) that presents a
     * key already trusted under another name is the same server, since only it holds the private
     * key. A name some line explicitly excludes for this key ({@code !name}) is still refused.
     */
    private boolean knownKey(String name, PublicKey key, KnownHosts known) {
        if (!known.knows(key) || known.excludes(name, key)) {
            return refuse(Messages.unknown(name, key, "its key is not trusted under any other name"));
        }
        List<String> names = known.namesOf(key);
        String other = names.isEmpty() ? "a hashed or wildcard entry" : names.get(0);
        record(name, key, Messages.knownKeyRecorded(name, other, key));
        return true;
    }

    /**
     * Appends the name to the user's file. A failure to write does not refuse the key, which the
     * policy has already accepted; it is reported, as {@code ssh} reports it.
     */
    private void record(String name, PublicKey key, String onSuccess) {
        Path file = policy.userKnownHostsFile();
        try {
            KnownHosts.append(file, name, key);
            policy.warnings().accept(onSuccess);
        } catch (IOException | RuntimeException e) {
            policy.warnings().accept(Messages.recordFailed(name, file, e));
        }
    }

    private boolean refuse(String sentence) {
        lastRefusal = sentence;
        return false;
    }
}
