package dev.ferry.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class ChunkGroupsTest {

    record Group(long first, int count, long name) {
    }

    private static List<Group> groups(List<ChunkDigest> digests) {
        List<Group> out = new ArrayList<>();
        ChunkGroups g = new ChunkGroups((first, count, name) -> out.add(new Group(first, count, name)));
        digests.forEach(g::add);
        g.end();
        return out;
    }

    private static List<ChunkDigest> random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<ChunkDigest> d = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            d.add(new ChunkDigest(r.nextLong(), r.nextLong()));
        }
        return d;
    }

    /** A digest whose low bits do not end a group, so that it can stand anywhere in one. */
    private static ChunkDigest inner(long seed) {
        return new ChunkDigest(seed, (seed << ChunkGroups.BITS) | 1);
    }

    @Test
    void groupsCoverEveryChunkInOrderAndEndWhereTheRuleSays() {
        List<ChunkDigest> digests = random(10_000, 1);
        List<Group> groups = groups(digests);
        long next = 0;
        for (Group g : groups) {
            assertEquals(next, g.first());
            assertTrue(g.count() >= 1 && g.count() <= ChunkGroups.MAX_CHUNKS, "count " + g.count());
            ChunkDigest last = digests.get((int) (g.first() + g.count() - 1));
            boolean cut = (last.low() & ((1 << ChunkGroups.BITS) - 1)) == 0;
            boolean isLastGroup = g.first() + g.count() == digests.size();
            assertTrue(cut || g.count() == ChunkGroups.MAX_CHUNKS || isLastGroup, "group at " + g.first());
            for (long i = g.first(); i < g.first() + g.count() - 1; i++) { // no cut inside
                assertNotEquals(0, digests.get((int) i).low() & ((1 << ChunkGroups.BITS) - 1));
            }
            next += g.count();
        }
        assertEquals(digests.size(), next);
        double average = (double) digests.size() / groups.size();
        assertTrue(average > 24 && average < 40, "average group of " + average + " chunks");
    }

    @Test
    void aChangedChunkChangesOnlyTheNameOfItsGroup() {
        List<ChunkDigest> digests = random(5_000, 2);
        List<Group> before = groups(digests);
        int changed = 2_345;
        while ((digests.get(changed).low() & ((1 << ChunkGroups.BITS) - 1)) == 0) {
            changed++; // a chunk inside a group, so that no boundary moves
        }
        digests.set(changed, inner(77)); // same place, other content, not a cut either
        List<Group> after = groups(digests);
        assertEquals(before.size(), after.size());
        int differing = 0;
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).first(), after.get(i).first());
            if (before.get(i).name() != after.get(i).name()) {
                differing++;
                assertTrue(after.get(i).first() <= changed && changed < after.get(i).first() + after.get(i).count());
            }
        }
        assertEquals(1, differing);
    }

    @Test
    void afterAnInsertedChunkTheGroupsComeBackTheSame() {
        List<ChunkDigest> digests = random(5_000, 3);
        List<Group> before = groups(digests);
        List<ChunkDigest> edited = new ArrayList<>(digests);
        edited.add(1_000, inner(99));
        List<Group> after = groups(edited);
        // names of the groups before the edit and after the one it falls in are all still there
        long beforeNamesFound = before.stream().filter(b -> after.stream().anyMatch(a -> a.name() == b.name())).count();
        assertEquals(before.size() - 1, beforeNamesFound);
        assertEquals(before.size(), after.size());
    }

    @Test
    void aRunWithoutCutsEndsAtTheMostChunks() {
        List<ChunkDigest> digests = new ArrayList<>();
        for (int i = 0; i < 3 * ChunkGroups.MAX_CHUNKS + 5; i++) {
            digests.add(inner(i));
        }
        List<Group> groups = groups(digests);
        assertEquals(List.of(ChunkGroups.MAX_CHUNKS, ChunkGroups.MAX_CHUNKS, ChunkGroups.MAX_CHUNKS, 5),
                groups.stream().map(Group::count).toList());
        assertNotEquals(groups.get(0).name(), groups.get(1).name());
    }

    @Test
    void theSameChunksMakeTheSameNamesAndAnEmptyFileNoGroup() {
        assertEquals(groups(random(300, 4)), groups(random(300, 4)));
        assertEquals(List.of(), groups(List.of()));
    }
}
