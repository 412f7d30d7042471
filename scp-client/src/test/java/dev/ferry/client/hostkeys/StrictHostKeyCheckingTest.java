package dev.ferry.client.hostkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StrictHostKeyCheckingTest {

    @Test
    void everyOpenSshSpellingParses() {
        assertEquals(StrictHostKeyChecking.YES, StrictHostKeyChecking.parse("yes"));
        assertEquals(StrictHostKeyChecking.ACCEPT_NEW, StrictHostKeyChecking.parse("accept-new"));
        assertEquals(StrictHostKeyChecking.NO, StrictHostKeyChecking.parse("no"));
        assertEquals(StrictHostKeyChecking.NO, StrictHostKeyChecking.parse("off"));
        assertEquals(StrictHostKeyChecking.ASK, StrictHostKeyChecking.parse("ask"));
        assertEquals(StrictHostKeyChecking.KNOWN_KEY, StrictHostKeyChecking.parse("known-key"));
    }

    @Test
    void openSshsBooleanSynonymsParseToo() {
        assertEquals(StrictHostKeyChecking.YES, StrictHostKeyChecking.parse("true"));
        assertEquals(StrictHostKeyChecking.NO, StrictHostKeyChecking.parse("false"));
    }

    @Test
    void caseAndSurroundingSpacesDoNotMatter() {
        assertEquals(StrictHostKeyChecking.YES, StrictHostKeyChecking.parse("YES"));
        assertEquals(StrictHostKeyChecking.ACCEPT_NEW, StrictHostKeyChecking.parse(" Accept-New "));
        assertEquals(StrictHostKeyChecking.KNOWN_KEY, StrictHostKeyChecking.parse("Known-Key"));
        assertEquals(StrictHostKeyChecking.NO, StrictHostKeyChecking.parse("OFF"));
    }

    @Test
    void anUnknownValueIsRefusedWithOneSentenceListingTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StrictHostKeyChecking.parse("maybe"));
        assertEquals("StrictHostKeyChecking must be yes, accept-new, no, ask or known-key, not \"maybe\".",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StrictHostKeyChecking.parse(""));
        assertThrows(IllegalArgumentException.class, () -> StrictHostKeyChecking.parse(null));
        assertThrows(IllegalArgumentException.class, () -> StrictHostKeyChecking.parse("accept_new"));
    }

    @Test
    void eachModePrintsAsSshConfigSpellsItAndParsesBack() {
        for (StrictHostKeyChecking mode : StrictHostKeyChecking.values()) {
            assertEquals(mode, StrictHostKeyChecking.parse(mode.toString()));
            assertTrue(mode.toString().equals(mode.toString().toLowerCase()), mode.toString());
        }
        assertEquals("accept-new", StrictHostKeyChecking.ACCEPT_NEW.toString());
    }
}
