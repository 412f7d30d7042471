package dev.ferry.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

class OldGroupsTest {

    @Test
    void groupsAreFoundByNameWithTheirCountAndFirstChunk() {
        OldGroups groups = new OldGroups();
        groups.add(10, 3);
        groups.add(20, 128);
        groups.add(30, 1);
        assertEquals(3, groups.size());
        assertEquals(132, groups.chunks());
        assertEquals(1, groups.find(20));
        assertEquals(3, groups.firstChunk(1));
        assertEquals(131, groups.firstChunk(2));
        assertEquals(128, groups.count(1));
        assertEquals(-1, groups.find(40));
    }

    @Test
    void aRepeatedNameFindsItsFirstGroup() {
        OldGroups groups = new OldGroups();
        groups.add(7, 2); // a run of zero pages, say, makes equal groups
        groups.add(8, 2);
        groups.add(7, 2);
        assertEquals(0, groups.find(7));
    }

    @Test
    void manyGroupsAndNamesThatCollideInTheLowBitsAreAllFound() {
        OldGroups groups = new OldGroups();
        Random r = new Random(1);
        long[] names = new long[100_000];
        for (int i = 0; i < names.length; i++) {
            names[i] = i % 2 == 0 ? r.nextLong() : (long) i << 40; // the second half differ only high up
            groups.add(names[i], 1);
        }
        for (int i = 0; i < names.length; i++) {
            assertEquals(i, groups.find(names[i]), "group " + i);
        }
        assertEquals(names.length, groups.chunks());
        assertEquals(names.length - 1, groups.firstChunk(names.length - 1));
    }
}
