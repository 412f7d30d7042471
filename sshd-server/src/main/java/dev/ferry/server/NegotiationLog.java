package dev.ferry.server;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

import dev.ferry.security.AlgorithmPolicy;
import dev.ferry.server.log.EventSink;
import dev.ferry.server.log.ServerEvent;
import dev.ferry.server.proxy.ClientAddress;

/**
 * Explains a failed algorithm negotiation in one log line: the client's software, which list had
 * nothing in common (key exchange, host key, cipher, MAC), what the client offered there, and the
 * profile that would admit it when one would ({@code --algorithms=modern} for a client with only
 * encrypt-and-MAC MACs, as curl's libssh2 1.10); and tells the client the same in its disconnect
 * message, the one thing a client can still read then (before MINA's own, less precise one).
 */
final class NegotiationLog implements SessionListener {

    private static final List<KexProposalOption> CHECKED = List.of(KexProposalOption.ALGORITHMS,
            KexProposalOption.SERVERKEYS, KexProposalOption.C2SENC, KexProposalOption.S2CENC,
            KexProposalOption.C2SMAC, KexProposalOption.S2CMAC, KexProposalOption.C2SCOMP, KexProposalOption.S2CCOMP);

    private final EventSink events;

    NegotiationLog(EventSink events) {
        this.events = events;
    }

    @Override
    public void sessionNegotiationEnd(Session session, Map<KexProposalOption, String> clientProposal,
            Map<KexProposalOption, String> serverProposal, Map<KexProposalOption, String> negotiated, Throwable reason) {
        if (reason == null || clientProposal == null || serverProposal == null) {
            return;
        }
        for (KexProposalOption option : CHECKED) {
            List<String> offered = names(clientProposal.get(option));
            List<String> ours = names(serverProposal.get(option));
            if (offered.stream().noneMatch(ours::contains)) {
                String hint = hint(option, offered);
                events.accept(new ServerEvent.NegotiationFailed(ServerEvent.address(ClientAddress.of(session)),
                        String.valueOf(session.getClientVersion()), option.getDescription(), String.join(",", offered),
                        hint));
                try {
                    session.disconnect(SshConstants.SSH2_DISCONNECT_KEY_EXCHANGE_FAILED, "ferryd: no "
                            + option.getDescription() + " in common; you offered " + String.join(",", offered)
                            + "; ferryd offers " + String.join(",", ours) + (hint.isEmpty() ? "" : " (" + hint + ")"));
                } catch (IOException e) {
                    // the connection is going anyway; the log line above says why
                }
                return;
            }
        }
    }

    /** What would admit the client, when the modern profile would. */
    private static String hint(KexProposalOption option, List<String> offered) {
        if (!KexProposalOption.MAC_PROPOSALS.contains(option)) {
            return "";
        }
        Set<String> modern = Set.copyOf(NamedResource.getNameList(AlgorithmPolicy.MACS));
        return offered.stream().anyMatch(modern::contains) ? "--algorithms=modern would admit it" : "";
    }

    private static List<String> names(String list) {
        return list == null || list.isBlank() ? List.of() : Arrays.asList(list.split(","));
    }
}
