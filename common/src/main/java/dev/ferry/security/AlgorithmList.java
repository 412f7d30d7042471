package dev.ferry.security;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.sshd.common.NamedResource;

/**
 * An algorithm list spelled as in ssh_config(5) and sshd_config(5) ({@code Ciphers},
 * {@code MACs}, {@code KexAlgorithms}, {@code HostKeyAlgorithms}): a list replaces the default
 * order, a leading {@code +} appends to it, {@code -} removes from it, {@code ^} puts the names
 * first. Only names Ferry allows at all are accepted, so no option can bring back a weak algorithm.
 */
public final class AlgorithmList {

    private AlgorithmList() {
    }

    /**
     * The list {@code spec} makes of {@code defaults}, taking names from {@code allowed}.
     *
     * @param option  the option's name, for messages ({@code "MACs"})
     * @param offerer who would offer the list, for messages ({@code "ferry"}, {@code "ferryd"})
     * @throws IllegalArgumentException with one sentence naming the option and the refused name
     */
    public static <T extends NamedResource> List<T> parse(String option, String offerer, String spec,
            List<T> defaults, List<T> allowed) {
        String s = spec.strip();
        char mode = s.isEmpty() ? ' ' : s.charAt(0);
        List<T> named = names(option, offerer, mode == '+' || mode == '-' || mode == '^' ? s.substring(1) : s, allowed);
        Set<T> result = new LinkedHashSet<>();
        switch (mode) {
            case '+' -> {
                result.addAll(defaults);
                result.addAll(named);
            }
            case '-' -> {
                result.addAll(defaults);
                named.forEach(result::remove);
            }
            case '^' -> {
                result.addAll(named);
                result.addAll(defaults);
            }
            default -> result.addAll(named);
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException(option + " " + spec + " leaves no algorithm to offer");
        }
        return new ArrayList<>(result);
    }

    private static <T extends NamedResource> List<T> names(String option, String offerer, String list, List<T> allowed) {
        List<T> named = new ArrayList<>();
        for (String name : list.split(",")) {
            T found = allowed.stream().filter(a -> a.getName().equals(name.strip())).findFirst().orElse(null);
            if (found == null) {
                throw new IllegalArgumentException("Unsupported " + option + " '" + name.strip() + "' (" + offerer
                        + " offers " + NamedResource.getNames(allowed) + ")");
            }
            named.add(found);
        }
        return named;
    }
}
