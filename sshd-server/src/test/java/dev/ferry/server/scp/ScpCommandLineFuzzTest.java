package dev.ferry.server.scp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the command line an SSH client sends in its exec request, as ferryd
 * reads it before anything runs: {@link ShellWords#split} and {@link ScpCommandLine#parse} (the
 * bytes decoded as MINA decodes them, UTF-8 with replacement). For every input:
 * <ul>
 * <li>the only failure is an {@link IllegalArgumentException} with a sentence for the client;</li>
 * <li>words that split are given back unchanged by splitting them again quoted with
 *     {@link ShellWords#quote} (what ferry's own scp client sends);</li>
 * <li>a command that parses is exactly one of {@code -t} and {@code -f}, names at least one path,
 *     and a sink exactly one.</li>
 * </ul>
 * Seeds: {@code ScpCommandLineFuzzTestInputs/}, command lines as OpenSSH's scp and ferry send them.
 */
class ScpCommandLineFuzzTest {

    @FuzzTest
    void anExecCommandIsReadOrRefusedWithASentence(byte[] input) {
        String line = new String(input, StandardCharsets.UTF_8);
        List<String> words;
        try {
            words = ShellWords.split(line);
        } catch (IllegalArgumentException refused) {
            assertSentence(refused);
            words = null;
        }
        if (words != null) {
            String quoted = words.stream().map(ShellWords::quote).collect(Collectors.joining(" "));
            assertEquals(words, ShellWords.split(quoted), "quoted as " + quoted);
        }
        try {
            ScpCommandLine parsed = ScpCommandLine.parse(line);
            assertFalse(parsed.paths().isEmpty());
            assertTrue(!parsed.sink() || parsed.paths().size() == 1);
        } catch (IllegalArgumentException refused) {
            assertSentence(refused);
        }
    }

    private static void assertSentence(IllegalArgumentException refused) {
        String message = refused.getMessage();
        assertTrue(message != null && !message.isBlank(), "a refusal without a sentence");
    }
}
