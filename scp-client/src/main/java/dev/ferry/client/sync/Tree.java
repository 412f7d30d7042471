package dev.ferry.client.sync;

import java.util.Map;
import java.util.SortedMap;

/**
 * One side's walk of a directory.
 *
 * @param entries    everything listed, keyed by the path relative to the walked directory
 * @param unreadable directories below it that could not be read (relative path to the reason):
 *                   what they hold is missing from {@code entries}, so nothing may be deleted on
 *                   the strength of this walk
 */
record Tree(SortedMap<String, Entry> entries, Map<String, String> unreadable) {

    Tree(SortedMap<String, Entry> entries) {
        this(entries, Map.of());
    }

    boolean complete() {
        return unreadable.isEmpty();
    }
}
