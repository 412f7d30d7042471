package dev.ferry.client.connect;

import java.io.Console;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the client may ask the person running it, and where its warnings go. The command line
 * asks on the terminal; a script or a test gives fixed answers or none.
 */
public interface Interaction {

    /** A password for {@code user@host}, or empty to give up. */
    Optional<char[]> password(String userAtHost);

    /** The passphrase of an encrypted key, or empty to skip the key. */
    Optional<char[]> passphrase(Path key);

    /** A yes/no question (an unknown host key under {@code ask}); empty when nobody can answer. */
    Optional<Boolean> confirm(String question);

    void warn(String sentence);

    /** Whether anybody can answer: an unknown host key is asked about only then (else refused). */
    default boolean asks() {
        return false;
    }

    /** Asks nothing: for batch mode and scripts. Warnings go to {@code warnings}. */
    static Interaction none(Consumer<String> warnings) {
        return new Interaction() {
            @Override
            public Optional<char[]> password(String userAtHost) {
                return Optional.empty();
            }

            @Override
            public Optional<char[]> passphrase(Path key) {
                return Optional.empty();
            }

            @Override
            public Optional<Boolean> confirm(String question) {
                return Optional.empty();
            }

            @Override
            public void warn(String sentence) {
                warnings.accept(sentence);
            }
        };
    }

    /** {@code -q}: asks as {@code inner} does, but keeps its warnings to itself. */
    static Interaction quiet(Interaction inner) {
        return new Interaction() {
            @Override
            public Optional<char[]> password(String userAtHost) {
                return inner.password(userAtHost);
            }

            @Override
            public Optional<char[]> passphrase(Path key) {
                return inner.passphrase(key);
            }

            @Override
            public Optional<Boolean> confirm(String question) {
                return inner.confirm(question);
            }

            @Override
            public boolean asks() {
                return inner.asks();
            }

            @Override
            public void warn(String sentence) {
            }
        };
    }

    /** Asks on the terminal when there is one (and nothing otherwise); warnings go to stderr. */
    static Interaction terminal() {
        Console console = System.console();
        if (console == null) {
            return none(System.err::println);
        }
        return new Interaction() {
            @Override
            public Optional<char[]> password(String userAtHost) {
                return Optional.ofNullable(console.readPassword("%s's password: ", userAtHost));
            }

            @Override
            public Optional<char[]> passphrase(Path key) {
                return Optional.ofNullable(console.readPassword("Enter passphrase for key '%s': ", key));
            }

            @Override
            public Optional<Boolean> confirm(String question) {
                while (true) {
                    String answer = console.readLine("%s (yes/no) ", question);
                    if (answer == null) {
                        return Optional.of(false);
                    }
                    if (answer.equalsIgnoreCase("yes")) {
                        return Optional.of(true);
                    }
                    if (answer.equalsIgnoreCase("no")) {
                        return Optional.of(false);
                    }
                    console.printf("Please type 'yes' or 'no'.%n");
                }
            }

            @Override
            public void warn(String sentence) {
                System.err.println(sentence);
            }

            @Override
            public boolean asks() {
                return true;
            }
        };
    }
}
