package dev.ferry.server.scp;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way a POSIX shell would, without expanding anything.
 *
 * <p>Clients such as OpenSSH's {@code scp -O} send a command line meant for the user's shell, with
 * names quoted for it ({@code scp -t 'my dir/'}, {@code scp -f a\ b}). Ferry runs no shell, so it
 * undoes the quoting itself: single quotes keep everything, double quotes keep everything but
 * {@code \"}, {@code \\}, {@code \$} and {@code \`}, and a backslash outside quotes keeps the next
 * character. Characters that would make a shell do more than split words ({@code ; & | < > ( ) $ `}
 * and a newline) are refused when unquoted, since obeying them is impossible and ignoring them would
 * act on names the user did not mean.
 */
public final class ShellWords {

    private static final String OPERATORS = ";&|<>()$`\n";

    private ShellWords() {
    }

    /**
     * @throws IllegalArgumentException for an unterminated quote or an unquoted shell operator
     */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated single quote");
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i + 1, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("backslash at the end of the command");
                }
                char next = line.charAt(i + 1);
                if (next != '\n') { // backslash-newline is a line continuation
                    word.append(next);
                    inWord = true;
                }
                i += 2;
            } else if (OPERATORS.indexOf(c) >= 0) {
                throw new IllegalArgumentException("unquoted '" + (c == '\n' ? "\\n" : String.valueOf(c))
                        + "': ferryd runs no shell");
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the double-quoted text starting at {@code i}; returns the index after the closing quote. */
    private static int doubleQuoted(String line, int i, StringBuilder word) {
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < line.length() && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
                if (line.charAt(i + 1) != '\n') {
                    word.append(line.charAt(i + 1));
                }
                i += 2;
            } else if (c == '$' || c == '`') {
                throw new IllegalArgumentException("'" + c + "' inside double quotes: ferryd runs no shell");
            } else {
                word.append(c);
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated double quote");
    }

    /** Quotes {@code word} for a POSIX shell, so that {@link #split} gives it back unchanged. */
    public static String quote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || "-_./:@%+=,".indexOf(ch) >= 0)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
