package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.cdc.ChunkerParams;
import dev.ferry.delta.protocol.DeltaMessage;
import dev.ferry.delta.protocol.Limits;
import dev.ferry.delta.protocol.ListEntry;
import dev.ferry.delta.protocol.ListRequest;
import dev.ferry.delta.protocol.MessageReader;
import dev.ferry.delta.protocol.MessageWriter;
import dev.ferry.delta.protocol.OpenUpload;
import dev.ferry.delta.protocol.ProtocolException;
import dev.ferry.delta.protocol.SignatureRequest;

class ListingTest {

    @TempDir
    Path dir;

    /** What a Responder serving {@link #dir} answers to {@code requests}. */
    private MessageReader answersTo(DeltaMessage... requests) throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        MessageWriter w = new MessageWriter(sent);
        for (DeltaMessage m : requests) {
            w.write(m);
        }
        w.flush();
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        new Responder(new MessageReader(new ByteArrayInputStream(sent.toByteArray())), new MessageWriter(answers),
                ChunkerParams.DEFAULT, false, p -> dir.resolve(p), (d, p, b, t, e) -> { }).run();
        return new MessageReader(new ByteArrayInputStream(answers.toByteArray()));
    }

    private static Map<String, ListEntry> byPath(List<ListEntry> entries) {
        Map<String, ListEntry> map = new TreeMap<>();
        for (ListEntry e : entries) {
            map.put(e.path(), e);
        }
        assertEquals(entries.size(), map.size(), "no entry twice");
        return map;
    }

    @Test
    void aTreeIsListedWithSizesTimesAndModesAndItsLinksAsLinksNotFollowed() throws Exception {
        Path top = Files.createDirectories(dir.resolve("top"));
        Files.createDirectories(top.resolve("a/b/c"));
        Files.createDirectories(top.resolve("empty"));
        Path f = Files.writeString(top.resolve("a/b/file.txt"), "hello\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_600_000_000_123L));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        Files.write(top.resolve("a/b/c/ünï 文件.bin"), new byte[1234]);
        Files.createSymbolicLink(top.resolve("link-out"), Path.of("/etc"));
        Files.createSymbolicLink(top.resolve("a/link-in"), Path.of("b/file.txt"));
        Files.createSymbolicLink(top.resolve("a/dangling"), Path.of("../nowhere/ü"));

        Map<String, ListEntry> listed = byPath(Listing.receive(answersTo(new ListRequest("top"))));

        assertEquals(List.of("a", "a/b", "a/b/c", "a/b/c/ünï 文件.bin", "a/b/file.txt", "a/dangling", "a/link-in",
                "empty", "link-out"), List.copyOf(listed.keySet()));
        assertEquals("/etc", listed.get("link-out").link());
        assertEquals("b/file.txt", listed.get("a/link-in").link());
        assertEquals("../nowhere/ü", listed.get("a/dangling").link());
        assertFalse(listed.get("link-out").directory(), "a link to a directory is a link, not followed");
        assertNull(listed.get("a/b/file.txt").link());
        assertEquals(new ListEntry("a/b/file.txt", false, 6, 1_600_000_000_123L, 0640), listed.get("a/b/file.txt"));
        assertEquals(1234, listed.get("a/b/c/ünï 文件.bin").size());
        assertTrue(listed.get("empty").directory());
        assertEquals(0, listed.get("a").size());
    }

    @Test
    void aTreeOfManyFilesComesInSeveralBatches() throws Exception {
        Path top = Files.createDirectories(dir.resolve("many"));
        int files = Limits.MAX_LIST_BATCH * 2 + 7;
        for (int i = 0; i < files; i++) {
            Files.createFile(top.resolve("f" + i));
        }
        MessageReader answers = answersTo(new ListRequest("many"));
        assertEquals(files, byPath(Listing.receive(answers)).size());
    }

    @Test
    void anEmptyDirectoryListsNothing() throws Exception {
        Files.createDirectories(dir.resolve("nothing"));
        assertEquals(List.of(), Listing.receive(answersTo(new ListRequest("nothing"))));
    }

    @Test
    void aFileOrNothingIsRefusedInOneSentenceAndTheSessionGoesOn() throws Exception {
        Files.writeString(dir.resolve("plain.txt"), "x");
        Files.createDirectories(dir.resolve("d"));
        MessageReader answers = answersTo(new ListRequest("plain.txt"), new ListRequest("missing"),
                new ListRequest("d"));
        assertEquals("plain.txt is not a directory",
                assertThrows(DeltaFailure.class, () -> Listing.receive(answers)).getMessage());
        assertEquals("no such directory: missing",
                assertThrows(DeltaFailure.class, () -> Listing.receive(answers)).getMessage());
        assertEquals(List.of(), Listing.receive(answers));
    }

    @Test
    void aListingWhileAFileIsOpenIsAProtocolError() throws Exception {
        Files.writeString(dir.resolve("f"), "old");
        ProtocolException e = assertThrows(ProtocolException.class, () -> answersTo(
                new OpenUpload("f", 3, 0644, 0, 8192, 8, SignatureRequest.FULL), new ListRequest(".")));
        assertEquals("a listing was asked for while files are open", e.getMessage());
    }

    @Test
    void aDirectorySwappedForALinkDuringTheWalkIsNotFollowed() throws Exception {
        Path top = Files.createDirectories(dir.resolve("walked"));
        Files.createDirectories(top.resolve("a"));
        Files.writeString(top.resolve("a/inside.txt"), "in");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "out");
        List<String> seen = new java.util.ArrayList<>();
        // "a" is read as a directory, then replaced by a link out of the walk before the walk goes in
        DeltaRefused refused = assertThrows(DeltaRefused.class, () -> Listing.walk(top, e -> {
            seen.add(e.path());
            if (e.path().equals("a")) {
                Files.move(top.resolve("a"), dir.resolve("a-moved"));
                Files.createSymbolicLink(top.resolve("a"), outside);
            }
        }));
        assertEquals(List.of("a"), seen);
        assertTrue(refused.getMessage().startsWith("cannot read directory a: "), refused.getMessage());
    }

    @Test
    void aWalkTellsEveryDirectoryBeforeWhatItHoldsAndCountsTheEntries() throws Exception {
        Path top = Files.createDirectories(dir.resolve("ordered"));
        Files.createDirectories(top.resolve("x/y/z"));
        Files.writeString(top.resolve("x/y/z/deep.txt"), "d");
        Files.writeString(top.resolve("x/file.txt"), "f");
        Files.createSymbolicLink(top.resolve("x/y/loop"), top);
        Files.createSymbolicLink(top.resolve("x/y/z/up"), Path.of(".."));
        List<String> seen = new java.util.ArrayList<>();
        long count = Listing.walk(top, e -> {
            int slash = e.path().lastIndexOf('/');
            if (slash > 0) {
                assertTrue(seen.contains(e.path().substring(0, slash)), e.path() + " came before its directory");
            }
            seen.add(e.path());
        });
        assertEquals(7, count);
        assertEquals(List.of("x", "x/file.txt", "x/y", "x/y/loop", "x/y/z", "x/y/z/deep.txt", "x/y/z/up"),
                seen.stream().sorted().toList());
    }

    @Test
    void aDirectoryThatCannotBeReadEndsTheWalkUnlessTheVisitorGoesOn() throws Exception {
        Path top = Files.createDirectories(dir.resolve("vanishing"));
        Files.createDirectories(top.resolve("a/gone"));
        Files.writeString(top.resolve("a/gone/f.txt"), "f");
        Files.createDirectories(top.resolve("b"));
        Files.writeString(top.resolve("b/kept.txt"), "k");
        // "a/gone" is listed, then removed before the walk goes into it
        Listing.Visitor removing = e -> {
            if (e.path().equals("a/gone")) {
                Files.delete(top.resolve("a/gone/f.txt"));
                Files.delete(top.resolve("a/gone"));
            }
        };
        DeltaRefused refused = assertThrows(DeltaRefused.class, () -> Listing.walk(top, removing));
        assertTrue(refused.getMessage().startsWith("cannot read directory a/gone: "), refused.getMessage());

        Files.createDirectories(top.resolve("a/gone"));
        Files.writeString(top.resolve("a/gone/f.txt"), "f");
        List<String> seen = new java.util.ArrayList<>();
        Map<String, IOException> unreadable = new java.util.HashMap<>();
        long count = Listing.walk(top, new Listing.Visitor() {
            @Override
            public void visit(ListEntry e) throws IOException {
                seen.add(e.path());
                removing.visit(e);
            }

            @Override
            public void unreadable(String path, IOException cause) {
                unreadable.put(path, cause);
            }
        });
        assertEquals(List.of("a", "a/gone", "b", "b/kept.txt"), seen.stream().sorted().toList());
        assertEquals(4, count);
        assertEquals(java.util.Set.of("a/gone"), unreadable.keySet());
        assertTrue(unreadable.get("a/gone") instanceof java.nio.file.NoSuchFileException, unreadable.toString());
    }
}
