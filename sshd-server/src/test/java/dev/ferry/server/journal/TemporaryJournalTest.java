package dev.ferry.server.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.log.ServerEvent;

class TemporaryJournalTest {

    @TempDir
    Path dir;

    private final List<ServerEvent> events = new ArrayList<>();

    private TemporaryJournal started(Path root) throws Exception {
        TemporaryJournal journal = new TemporaryJournal(dir.resolve("state").resolve(TemporaryJournal.FILE_NAME));
        journal.start(List.of(root), events::add);
        return journal;
    }

    @Test
    void whatARunLeftListedIsRemovedAtTheNextStartAndReported() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path left = root.resolve(".a.bin.ferry-sftp-0123abcd");
        Path renamed = root.resolve(".b.bin.ferry-delta-89abcdef");
        try (TemporaryJournal journal = started(root)) {
            journal.creating(left);
            Files.writeString(left, "partial");
            journal.creating(renamed);
            Files.writeString(renamed, "whole");
            Files.move(renamed, root.resolve("b.bin"));
            journal.gone(renamed);
        } // as if killed: the journal still lists the first
        started(root).close();
        assertFalse(Files.exists(left));
        assertTrue(Files.exists(root.resolve("b.bin")));
        assertEquals(List.of(new ServerEvent.LeftoverRemoved(left.toString())), events);
    }

    @Test
    void theTemporariesStillInFlightWhenTheServerStopsAreRemovedThenAndStruckOff() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path cut = root.resolve(".a.bin.ferry-sftp-0123abcd");
        try (TemporaryJournal journal = started(root)) {
            journal.creating(cut);
            Files.writeString(cut, "partial");
            journal.removeInFlight(events::add);
        }
        assertFalse(Files.exists(cut));
        assertEquals(List.of(new ServerEvent.LeftoverRemoved(cut.toString())), events);
        events.clear();
        started(root).close();
        assertEquals(List.of(), events, "struck off: the next start finds nothing");
    }

    @Test
    void aListedPathOutsideTheRootsOrNotShapedAsAFerryTemporaryIsKept() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path victim = Files.writeString(outside.resolve(".x.ferry-sftp-0123abcd"), "not ours");
        Path plain = Files.writeString(root.resolve("notes.txt"), "a user's file");
        Path partial = Files.writeString(root.resolve(".c.bin.ferry-part"), "ferry cp resumes this");
        try (TemporaryJournal journal = started(root)) {
            journal.creating(victim);
            journal.creating(plain);
            journal.creating(partial);
        }
        started(root).close();
        assertTrue(Files.exists(victim) && Files.exists(plain) && Files.exists(partial));
        assertEquals(3, events.stream().filter(ServerEvent.LeftoverKept.class::isInstance).count(), events.toString());
    }

    @Test
    void aLinkInTheTemporarysPlaceIsRemovedNeverFollowed() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path target = Files.writeString(root.resolve("kept.txt"), "kept");
        Path link = root.resolve(".d.bin.ferry-sftp-0123abcd");
        try (TemporaryJournal journal = started(root)) {
            journal.creating(link);
        }
        Files.createSymbolicLink(link, target);
        started(root).close();
        assertTrue(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS), "a link is not ours to remove");
        assertEquals("kept", Files.readString(target));
    }

    @Test
    void namesWithNewlinesAndBackslashesSurviveTheJournal() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path odd = root.resolve(".two\nlines\\and.ferry-sftp-0123abcd");
        try (TemporaryJournal journal = started(root)) {
            journal.creating(odd);
        }
        assertEquals(Set.of(odd), TemporaryJournal.inFlight(dir.resolve("state").resolve(TemporaryJournal.FILE_NAME)));
    }
}
