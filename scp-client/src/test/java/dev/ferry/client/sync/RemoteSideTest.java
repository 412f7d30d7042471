package dev.ferry.client.sync;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.SortedMap;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** A server's listing is checked before a download writes anything by its paths. */
class RemoteSideTest {

    private static SortedMap<String, Entry> tree(Entry... entries) {
        SortedMap<String, Entry> map = new TreeMap<>();
        for (Entry e : entries) {
            map.put(e.path(), e);
        }
        return map;
    }

    private static Entry dir(String path) {
        return new Entry(path, true, 0, 0, 0755);
    }

    private static Entry file(String path) {
        return new Entry(path, false, 1, 0, 0644);
    }

    private static Entry link(String path, String to) {
        return new Entry(path, false, 0, 0, 0777, to);
    }

    @Test
    void aTreeWhoseEntriesAllSitInListedDirectoriesPasses() {
        assertDoesNotThrow(() -> RemoteSide.checkTree(tree(dir("a"), dir("a/b"), file("a/b/f"), link("a/l", "/etc"),
                file("top"))));
    }

    @Test
    void anEntryUnderALinkIsRefused() {
        IOException e = assertThrows(IOException.class,
                () -> RemoteSide.checkTree(tree(link("a", "/etc"), file("a/passwd"))));
        assertEquals("the server's listing puts a/passwd under a, which is not a directory", e.getMessage());
    }

    @Test
    void anEntryUnderAFileOrUnderNothingListedIsRefused() {
        assertEquals("the server's listing puts f/x under f, which is not a directory", assertThrows(IOException.class,
                () -> RemoteSide.checkTree(tree(file("f"), file("f/x")))).getMessage());
        assertEquals("the server's listing puts d/x under d, which it did not list", assertThrows(IOException.class,
                () -> RemoteSide.checkTree(tree(file("d/x")))).getMessage());
    }
}
