package dev.ferry.client.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.ferry.client.connect.ConnectOptions;

/**
 * A first look at a {@code cp} or {@code sync} command line, enough to find its control master,
 * without picocli: building a command's model takes picocli 0.2 s on a cold JVM (its classes are
 * Java 5 class files, which the JDK's class-data archives skip and its old verifier checks each
 * time), more than attaching and copying a small file take together. The option table below must
 * say what the picocli commands say; {@code QuickArgsTest} holds them to it. Anything the table
 * does not know makes the look inconclusive, and picocli decides.
 *
 * @param command  {@code cp} or {@code sync}
 * @param operands the positional arguments, in order
 * @param options  the connection options the command line gives
 */
record QuickArgs(String command, List<String> operands, ConnectOptions options) {

    /** Options of each command; true when the option takes a value. */
    static final Map<String, Map<String, Boolean>> OPTIONS = Map.of(
            "cp", withConnection(Map.ofEntries(Map.entry("-r", false), Map.entry("-p", false), Map.entry("-l", true),
                    Map.entry("-q", false), Map.entry("-v", false), Map.entry("-3", false), Map.entry("-O", false),
                    Map.entry("-T", false), Map.entry("--inplace", false), Map.entry("--resume", false),
                    Map.entry("--streams", true), Map.entry("--json", false))),
            "sync", withConnection(Map.ofEntries(Map.entry("-r", false), Map.entry("--recursive", false),
                    Map.entry("--delete", false), Map.entry("-n", false), Map.entry("--dry-run", false),
                    Map.entry("--checksum", false), Map.entry("--digest", true), Map.entry("--mode", true),
                    Map.entry("-z", false), Map.entry("--compress", false), Map.entry("--no-compress", false), Map.entry("--fsync", false),
                    Map.entry("--progress", false), Map.entry("--json", false), Map.entry("-q", false),
                    Map.entry("-v", false))));

    /** Asking for help or the version: no copy, no master. */
    private static final Set<String> HELP = Set.of("-h", "--help", "-V", "--version");

    private static Map<String, Boolean> withConnection(Map<String, Boolean> own) {
        Map<String, Boolean> all = new HashMap<>(own);
        all.putAll(Map.ofEntries(Map.entry("-P", true), Map.entry("-i", true), Map.entry("-o", true),
                Map.entry("-F", true), Map.entry("-J", true), Map.entry("-C", false), Map.entry("-c", true),
                Map.entry("-B", false), Map.entry("-4", false), Map.entry("-6", false), Map.entry("--host-key", true),
                Map.entry("--password-file", true)));
        return Map.copyOf(all);
    }

    /** What a first look found. */
    sealed interface Look {
    }

    /** Not a copy (another command, help, nothing): no master is involved. */
    record NotACopy() implements Look {
    }

    /** Something the table does not know: picocli has to read it. */
    record Unsure() implements Look {
    }

    record Copy(QuickArgs args) implements Look {
    }

    static Look look(String[] args) {
        if (args.length == 0 || !OPTIONS.containsKey(args[0])) {
            return new NotACopy();
        }
        Map<String, Boolean> table = OPTIONS.get(args[0]);
        List<String> operands = new ArrayList<>();
        ConnectOptions.Builder options = ConnectOptions.builder();
        try {
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--")) {
                    operands.addAll(List.of(args).subList(i + 1, args.length));
                    break;
                }
                if (HELP.contains(a)) {
                    return new NotACopy();
                }
                if (a.startsWith("--")) {
                    int eq = a.indexOf('=');
                    String name = eq < 0 ? a : a.substring(0, eq);
                    Boolean takesValue = table.get(name);
                    if (takesValue == null || (!takesValue && eq >= 0)) {
                        return new Unsure();
                    }
                    if (takesValue && eq < 0) {
                        if (++i == args.length) {
                            return new Unsure();
                        }
                    }
                } else if (a.startsWith("-") && a.length() > 1) {
                    for (int c = 1; c < a.length(); c++) {
                        String name = "-" + a.charAt(c);
                        Boolean takesValue = table.get(name);
                        if (takesValue == null) {
                            return new Unsure();
                        }
                        if (takesValue) {
                            String value = c + 1 < a.length() ? a.substring(c + 1) : ++i < args.length ? args[i] : null;
                            if (value == null) {
                                return new Unsure();
                            }
                            connection(options, name, value);
                            break;
                        }
                        if (name.equals("-B")) {
                            options.batch(true);
                        }
                    }
                } else {
                    operands.add(a);
                }
            }
            return new Copy(new QuickArgs(args[0], List.copyOf(operands), options.build()));
        } catch (IllegalArgumentException e) {
            return new Unsure();
        }
    }

    /** The values that decide where a copy connects, and so where its master listens. */
    private static void connection(ConnectOptions.Builder options, String name, String value) {
        switch (name) {
            case "-P" -> options.port(Integer.parseInt(value));
            case "-o" -> options.option(value);
            case "-F" -> options.configFile(Path.of(value));
            case "-J" -> options.jump(value);
            default -> { }
        }
    }
}
