package dev.ferry.server.scp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScpCommandLineTest {

    @Test
    void uploadTargetAfterDoubleDashKeepsItsSpaces() {
        assertEquals(new ScpCommandLine(true, false, false, false, List.of("dir with space/")),
                ScpCommandLine.parse("scp -t -- 'dir with space/'"));
    }

    @Test
    void recursivePreservingDownloadOfTwoSources() {
        assertEquals(new ScpCommandLine(false, true, true, false, List.of("a", "b")),
                ScpCommandLine.parse("scp -r -p -f a b"));
    }

    @Test
    void dashDMeansTheTargetMustBeADirectory() {
        assertEquals(new ScpCommandLine(true, false, false, true, List.of("x")), ScpCommandLine.parse("scp -d -t x"));
    }

    @Test
    void combinedFlagsAreEachApplied() {
        assertEquals(new ScpCommandLine(true, true, true, false, List.of("x")), ScpCommandLine.parse("scp -prt x"));
    }

    @Test
    void verbosityFlagsAreAccepted() {
        assertTrue(ScpCommandLine.parse("scp -v -q -f x").paths().contains("x"));
    }

    @Test
    void wordsAfterDoubleDashAreNamesEvenWithADash() {
        assertEquals(List.of("-r"), ScpCommandLine.parse("scp -f -- -r").paths());
    }

    @Test
    void tildeMapsToTheTopOfTheRoot() {
        assertEquals(List.of("."), ScpCommandLine.parse("scp -t ~").paths());
        assertEquals(List.of("."), ScpCommandLine.parse("scp -t ~/").paths());
        assertEquals(List.of("x", "d/y"), ScpCommandLine.parse("scp -f ~/x ~/d/y").paths());
        assertEquals(List.of("~x"), ScpCommandLine.parse("scp -f ~x").paths());
    }

    @ParameterizedTest
    @ValueSource(strings = {"scp -t -f x", "scp -tf x", "scp -r x", "scp x"})
    void exactlyOneOfUploadAndDownloadIsRequired(String command) {
        assertThrows(IllegalArgumentException.class, () -> ScpCommandLine.parse(command));
    }

    @Test
    void unknownOptionIsNamedInTheError() {
        var e = assertThrows(IllegalArgumentException.class, () -> ScpCommandLine.parse("scp -z -t x"));
        assertTrue(e.getMessage().contains("-z"), e.getMessage());
    }

    @Test
    void uploadTakesOneTargetOnly() {
        assertThrows(IllegalArgumentException.class, () -> ScpCommandLine.parse("scp -t a b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scp -t", "scp -f --", "scp -r -f"})
    void aCommandWithoutAPathIsRefused(String command) {
        assertThrows(IllegalArgumentException.class, () -> ScpCommandLine.parse(command));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ls -la", "scpx -t a", "/usr/bin/scp -t a", "'scp -t' a"})
    void otherCommandsAreNotScp(String command) {
        assertThrows(IllegalArgumentException.class, () -> ScpCommandLine.parse(command));
    }

    @Test
    void shellOperatorsMakeTheCommandInvalid() {
        assertThrows(IllegalArgumentException.class, () -> ScpCommandLine.parse("scp -t a; rm -rf /"));
    }

    @Test
    void pathsCannotBeChangedAfterParsing() {
        List<String> paths = ScpCommandLine.parse("scp -f a").paths();
        assertThrows(UnsupportedOperationException.class, () -> paths.add("b"));
    }

    @Test
    void isScpRecognisesOnlyTheScpCommand() {
        assertTrue(ScpCommandLine.isScp("scp -t x"));
        assertTrue(ScpCommandLine.isScp("  scp -f x"));
        assertTrue(ScpCommandLine.isScp("scp\t-f x"));
        assertTrue(ScpCommandLine.isScp("scp"));
        assertFalse(ScpCommandLine.isScp("scpx -t x"));
        assertFalse(ScpCommandLine.isScp("sftp"));
        assertFalse(ScpCommandLine.isScp("ls scp"));
        assertFalse(ScpCommandLine.isScp(""));
    }
}
