package dev.ferry.client.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.ferry.client.FerryException;
import dev.ferry.client.connect.HostSettings;

/** The {@code %} tokens of a ControlPath, as ssh_config(5) defines them, and a leading {@code ~/}. */
final class ControlPathTokens {

    private ControlPathTokens() {
    }

    static String expand(String template, HostSettings.Resolved target, String givenHost) throws FerryException {
        String t = template.startsWith("~/") ? HostSettings.expandHome(template).toString() : template;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (++i == t.length()) {
                throw new FerryException("ferry: ControlPath " + template + " ends in a lone %");
            }
            char token = t.charAt(i);
            out.append(switch (token) {
                case '%' -> "%";
                case 'C' -> hash(localHost() + target.host() + target.port() + target.user() + target.jump().orElse(""));
                case 'd' -> System.getProperty("user.home");
                case 'h' -> target.host();
                case 'i' -> uid();
                case 'j' -> target.jump().orElse("");
                case 'L' -> localHost().split("\\.", 2)[0];
                case 'l' -> localHost();
                case 'n' -> givenHost;
                case 'p' -> String.valueOf(target.port());
                case 'r' -> target.user();
                case 'u' -> System.getProperty("user.name");
                default -> throw new FerryException("ferry: ControlPath " + template + ": unknown token %" + token);
            });
        }
        return out.toString();
    }

    /** %C: a SHA-1 of %l%h%p%r%j, as ssh makes it, so that long names still make a short path. */
    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String localHost() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException u) {
                return "localhost";
            }
        }
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "0";
        }
    }
}
