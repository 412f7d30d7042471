package dev.ferry.server.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address is
 * a network of one.
 */
public record Network(byte[] prefix, int bits) {

    public Network {
        prefix = prefix.clone();
        if (bits < 0 || bits > prefix.length * 8) {
            throw new IllegalArgumentException("prefix length " + bits + " out of range");
        }
    }

    /**
     * Parses {@code ADDRESS[/BITS]}; only literal addresses, never a name to look up.
     *
     * @throws IllegalArgumentException with one sentence naming what is wrong
     */
    public static Network parse(String spec) {
        String text = spec.trim();
        int slash = text.indexOf('/');
        byte[] bytes = literal(slash < 0 ? text : text.substring(0, slash)).getAddress();
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a prefix length in " + spec);
            }
        }
        return new Network(bytes, bits);
    }

    /**
     * Parses each of {@code specs} (the values of a command-line flag such as {@code --ban-exempt}).
     *
     * @throws IllegalArgumentException naming {@code flag} and what is wrong
     */
    public static List<Network> parseAll(String flag, List<String> specs) {
        List<Network> networks = new ArrayList<>();
        for (String spec : specs) {
            try {
                networks.add(parse(spec));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + ": " + e.getMessage());
            }
        }
        return networks;
    }

    /**
     * An IP address written as one; never a name to look up.
     *
     * @throws IllegalArgumentException when {@code text} is not an IPv4 or IPv6 literal
     */
    public static InetAddress literal(String text) {
        if (!text.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
    }

    /** Whether {@code address} is in this network (an IPv4 address is never in an IPv6 network). */
    public boolean contains(InetAddress address) {
        byte[] other = address.getAddress();
        if (other.length != prefix.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (other[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (other[full] & mask) == (prefix[full] & mask);
    }

    @Override
    public byte[] prefix() {
        return prefix.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && n.bits == bits && Arrays.equals(n.prefix, prefix);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(prefix) + bits;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(prefix).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
