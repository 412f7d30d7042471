package dev.ferry.client.kex;

import java.util.List;

import org.apache.sshd.common.kex.BuiltinDHFactories;

import dev.ferry.client.FerryException;
import dev.ferry.security.AlgorithmList;
import dev.ferry.security.AlgorithmPolicy;

/**
 * {@code -o KexAlgorithms=...}, spelled as in ssh_config(5): a list replaces the default order, a
 * leading {@code +} appends to it, {@code -} removes from it, {@code ^} puts the names first. Only
 * names of Ferry's policy are accepted, so no option can bring back a weak key exchange; this is also
 * the one way to leave out the post-quantum hybrids (never done silently).
 */
public final class KeyExchanges {

    private KeyExchanges() {
    }

    /** The default: the policy's key exchanges this JVM supports, in preference order. */
    public static List<BuiltinDHFactories> defaults() {
        return AlgorithmPolicy.KEY_EXCHANGES.stream().filter(BuiltinDHFactories::isSupported).toList();
    }

    public static List<BuiltinDHFactories> parse(String spec) throws FerryException {
        try {
            return AlgorithmList.parse("KexAlgorithms", "ferry", spec, defaults(), defaults());
        } catch (IllegalArgumentException e) {
            throw new FerryException(e.getMessage());
        }
    }
}
