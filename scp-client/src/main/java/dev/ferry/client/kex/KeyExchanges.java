package dev.ferry.client.kex;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.kex.BuiltinDHFactories;

import dev.ferry.client.FerryException;
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
        String s = spec.strip();
        char mode = s.isEmpty() ? ' ' : s.charAt(0);
        List<BuiltinDHFactories> named = names(mode == '+' || mode == '-' || mode == '^' ? s.substring(1) : s);
        Set<BuiltinDHFactories> result = new LinkedHashSet<>();
        switch (mode) {
            case '+' -> {
                result.addAll(defaults());
                result.addAll(named);
            }
            case '-' -> {
                result.addAll(defaults());
                named.forEach(result::remove);
            }
            case '^' -> {
                result.addAll(named);
                result.addAll(defaults());
            }
            default -> result.addAll(named);
        }
        if (result.isEmpty()) {
            throw new FerryException("KexAlgorithms " + spec + " leaves no key exchange to offer");
        }
        return new ArrayList<>(result);
    }

    private static List<BuiltinDHFactories> names(String list) throws FerryException {
        List<BuiltinDHFactories> named = new ArrayList<>();
        for (String name : list.split(",")) {
            BuiltinDHFactories dh = BuiltinDHFactories.fromFactoryName(name.strip());
            if (dh == null || !defaults().contains(dh)) {
                throw new FerryException("Unsupported KexAlgorithms '" + name.strip() + "' (ferry offers "
                        + NamedResource.getNames(defaults()) + ")");
            }
            named.add(dh);
        }
        return named;
    }
}
