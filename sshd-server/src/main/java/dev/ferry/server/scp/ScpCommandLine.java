package dev.ferry.server.scp;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@code scp -t} (sink: the client uploads) or {@code scp -f} (source: the client
 * downloads) command, as OpenSSH's {@code scp} sends it to the remote side.
 *
 * @param sink        {@code -t}: receive files into {@link #paths()}'s single target
 * @param recursive   {@code -r}
 * @param preserve    {@code -p}: keep modification times and modes
 * @param targetIsDir {@code -d}: the target must be a directory (several sources)
 * @param paths       the target (sink) or the sources (source), quoting removed, {@code ~} mapped to the root
 */
public record ScpCommandLine(boolean sink, boolean recursive, boolean preserve, boolean targetIsDir,
        List<String> paths) {

    public ScpCommandLine {
        paths = List.copyOf(paths);
    }

    /** Whether {@code command} is meant for the SCP engine at all. */
    public static boolean isScp(String command) {
        String c = command.stripLeading();
        return c.equals("scp") || c.startsWith("scp ") || c.startsWith("scp\t");
    }

    /**
     * Parses an scp command line.
     *
     * @throws IllegalArgumentException with a sentence the client can show its user
     */
    public static ScpCommandLine parse(String command) {
        List<String> words = ShellWords.split(command);
        if (words.isEmpty() || !words.get(0).equals("scp")) {
            throw new IllegalArgumentException("not an scp command");
        }
        boolean to = false;
        boolean from = false;
        boolean recursive = false;
        boolean preserve = false;
        boolean dir = false;
        int i = 1;
        for (; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--")) {
                i++;
                break;
            }
            if (!w.startsWith("-") || w.length() == 1) {
                break;
            }
            for (char option : w.substring(1).toCharArray()) {
                switch (option) {
                    case 't' -> to = true;
                    case 'f' -> from = true;
                    case 'r' -> recursive = true;
                    case 'p' -> preserve = true;
                    case 'd' -> dir = true;
                    case 'v', 'q' -> { } // verbosity of the remote end: nothing to do
                    default -> throw new IllegalArgumentException("unsupported scp option -" + option);
                }
            }
        }
        if (to == from) {
            throw new IllegalArgumentException("scp needs exactly one of -t (upload) and -f (download)");
        }
        List<String> paths = new ArrayList<>();
        for (String w : words.subList(i, words.size())) {
            paths.add(fromHome(w));
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("scp names no file");
        }
        if (to && paths.size() != 1) {
            throw new IllegalArgumentException("scp -t takes one target, got " + paths.size());
        }
        return new ScpCommandLine(to, recursive, preserve, dir, paths);
    }

    /** A shell expands {@code ~}; the user's home is the top of their root, so it maps to "." here. */
    private static String fromHome(String word) {
        if (word.equals("~")) {
            return ".";
        }
        if (word.startsWith("~/")) {
            return word.substring(2).isEmpty() ? "." : word.substring(2);
        }
        return word;
    }
}
