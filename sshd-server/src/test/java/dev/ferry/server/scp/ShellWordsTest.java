package dev.ferry.server.scp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellWordsTest {

    @Test
    void plainWordsAreSplitOnSpacesAndTabs() {
        assertEquals(List.of("scp", "-t", "dir"), ShellWords.split("  scp \t-t   dir  "));
        assertEquals(List.of(), ShellWords.split("   "));
    }

    @Test
    void singleQuotesKeepSpaces() {
        assertEquals(List.of("scp", "-t", "my dir/"), ShellWords.split("scp -t 'my dir/'"));
    }

    @Test
    void singleQuotesKeepBackslashesDoubleQuotesAndOperatorsLiterally() {
        assertEquals(List.of("a\\\"b;$c`|"), ShellWords.split("'a\\\"b;$c`|'"));
    }

    @Test
    void emptyQuotesMakeAnEmptyWord() {
        assertEquals(List.of("a", "", "b"), ShellWords.split("a '' b"));
        assertEquals(List.of(""), ShellWords.split("\"\""));
    }

    @Test
    void quotedPartsJoinTheWordAroundThem() {
        assertEquals(List.of("abc d"), ShellWords.split("a'b'\"c d\""));
    }

    @Test
    void doubleQuotesUndoTheirFourEscapes() {
        assertEquals(List.of("say \"hi\" \\ $x `y`"), ShellWords.split("\"say \\\"hi\\\" \\\\ \\$x \\`y\\`\""));
    }

    @Test
    void doubleQuotesKeepABackslashBeforeAnyOtherCharacter() {
        assertEquals(List.of("a\\b"), ShellWords.split("\"a\\b\""));
    }

    @Test
    void backslashOutsideQuotesKeepsTheNextCharacter() {
        assertEquals(List.of("a b", ";", "'"), ShellWords.split("a\\ b \\; \\'"));
    }

    @Test
    void backslashNewlineContinuesTheLine() {
        assertEquals(List.of("ab", "c"), ShellWords.split("a\\\nb c"));
        assertEquals(List.of("ab"), ShellWords.split("\"a\\\nb\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"'abc", "a 'b", "\"abc", "a \"b\\\"", "trailing\\"})
    void unterminatedQuotesAndTrailingBackslashAreRefused(String line) {
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {";", "&", "|", "<", ">", "(", ")", "$", "`", "\n"})
    void unquotedShellOperatorsAreRefused(String operator) {
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split("scp -t a" + operator + "b"));
        assertEquals(List.of("a" + operator + "b"), ShellWords.split("'a" + operator + "b'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"$HOME\"", "\"a`id`\"", "\"${x}\""})
    void dollarAndBacktickInsideDoubleQuotesAreRefused(String line) {
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain.txt", "with space", "it's", "a\"b", "é 日本.txt", "", "$HOME", "back\\slash",
        "new\nline", "tab\there", "-leading-dash", "*?[x]", "'", "''", "a;b&c|d"})
    void quoteRoundTripsThroughSplit(String name) {
        assertEquals(List.of(name), ShellWords.split(ShellWords.quote(name)));
        assertEquals(List.of("scp", "-f", name, name), ShellWords.split(
                "scp -f " + ShellWords.quote(name) + " " + ShellWords.quote(name)));
    }

    @Test
    void quoteLeavesOrdinaryNamesBare() {
        assertEquals("dir/a-b_c.txt", ShellWords.quote("dir/a-b_c.txt"));
        assertEquals("'a b'", ShellWords.quote("a b"));
        assertEquals("''", ShellWords.quote(""));
    }
}
