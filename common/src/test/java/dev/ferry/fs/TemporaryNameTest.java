package dev.ferry.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TemporaryNameTest {

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void aShortNameIsKeptWhole() {
        assertEquals(".report.pdf.ferry-part", TemporaryName.of("report.pdf", ".ferry-part"));
    }

    @Test
    void aNameThatJustFitsIsKeptWholeAndOneByteMoreIsCut() {
        String fits = "n".repeat(255 - 1 - ".ferry-part".length());
        assertEquals("." + fits + ".ferry-part", TemporaryName.of(fits, ".ferry-part"));
        String cut = TemporaryName.of(fits + "n", ".ferry-part");
        assertTrue(bytes(cut) <= 255, cut);
        assertTrue(cut.startsWith(".nnnn") && cut.endsWith(".ferry-part"), cut);
        assertTrue(cut.matches("\\.n+~[0-9a-f]{16}\\.ferry-part"), cut);
    }

    @Test
    void longNamesStayWithinTheLimitTheSameForTheSameNameAndApartForOthers() {
        String a = "x".repeat(240) + "-first";
        String b = "x".repeat(240) + "-other";
        assertEquals(TemporaryName.of(a, ".ferry-part"), TemporaryName.of(a, ".ferry-part"));
        assertNotEquals(TemporaryName.of(a, ".ferry-part"), TemporaryName.of(b, ".ferry-part"));
        assertTrue(bytes(TemporaryName.of("y".repeat(255), ".ferry-delta-0123abcd")) <= 255);
    }

    @Test
    void aCutNeverSplitsACharacter() {
        String accented = "é".repeat(127); // 254 bytes
        String cut = TemporaryName.of(accented, ".ferry-part");
        assertTrue(bytes(cut) <= 255, cut);
        assertEquals(cut, new String(cut.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        String emoji = "😀".repeat(63); // 252 bytes, two chars each
        String cutEmoji = TemporaryName.of(emoji, ".ferry-link-1f");
        assertTrue(bytes(cutEmoji) <= 255, cutEmoji);
        assertEquals(cutEmoji, new String(cutEmoji.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheTemporariesAWriterDeletesItselfAreDisposable() {
        assertTrue(TemporaryName.isDisposable(TemporaryName.random("a.bin", "sftp")));
        assertTrue(TemporaryName.isDisposable(TemporaryName.random("a.bin", "delta")));
        assertTrue(TemporaryName.isDisposable(".ferry-upload-" + TemporaryName.randomHex() + ".part"));
        assertTrue(TemporaryName.isDisposable(TemporaryName.random("n".repeat(300), "sftp")), "a cut name too");
        assertFalse(TemporaryName.isDisposable(".a.bin.ferry-part"), "ferry cp resumes it");
        assertFalse(TemporaryName.isDisposable("a.bin"));
        assertFalse(TemporaryName.isDisposable(".a.bin.ferry-sftp-xyz"));
        assertTrue(TemporaryName.isTemporary(".a.bin.ferry-part"));
    }
}
