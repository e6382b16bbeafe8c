package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link StructList#findIndex} (which first tries where its last search ended, and searches the structs' clocks
 * once the list has them) and {@link StructList#findIndexNearEnd} against a linear scan, while structs are split,
 * merged (the left one grows, the right one is removed), replaced, lists grow as in a document and drop their
 * clocks as a transaction's end does. Seeded ({@link SeededRuns}: a failure names its seed).
 */
class StructListPropertyTest {
  private static int linear(StructList l, int clock) {
    for (int i = 0; i < l.size; i++) {
      AbstractStruct s = l.get(i);
      if (s.clock <= clock && clock < s.clock + s.length) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void findIndex_matchesLinearScan() {
    int[] withClocks = {0};
    SeededRuns.named("structlist", 0x57_4C15L, 50).forEach((seed, run) -> withClocks[0] +=
        check(new SplittableRandom(seed)));
    assertThat(withClocks[0]).as("searches of a list with clocks").isGreaterThan(1000);
  }

  /** Returns how many searches found the list with its clocks. */
  private static int check(SplittableRandom rnd) {
    StructList l = new StructList();
    int state = 0;
    int withClocks = 0;
    for (int step = 0; step < 1000; step++) {
      int op = rnd.nextInt(7);
      if (op == 0 || l.size == 0) {
        int len = 1 + rnd.nextInt(12);
        l.add(new GC(1, state, len));
        state += len;
      } else if (op == 1) {
        // Split a struct in two, as getItemCleanStart does.
        int i = rnd.nextInt(l.size);
        AbstractStruct s = l.get(i);
        if (s.length > 1) {
          int diff = 1 + rnd.nextInt(s.length - 1);
          l.set(i, new GC(1, s.clock, diff));
          l.insert(i + 1, new GC(1, s.clock + diff, s.length - diff));
        }
      } else if (op == 2 && l.size > 1) {
        // Merge a struct into its left neighbour, as cleanup does: the left one grows in place.
        int i = rnd.nextInt(l.size - 1);
        AbstractStruct left = l.get(i);
        left.length += l.get(i + 1).length;
        l.remove(i + 1, 1);
      } else if (op == 3) {
        // Replace a struct by one with the same clocks, as garbage collection does.
        int i = rnd.nextInt(l.size);
        AbstractStruct s = l.get(i);
        l.set(i, new GC(1, s.clock, s.length));
      } else if (op == 4 && rnd.nextInt(40) == 0) {
        // What the end of a transaction that added structs does.
        l.dropClocks();
      } else {
        withClocks += l.hasClocks() ? 1 : 0;
        int clock = rnd.nextInt(state + 3) - 1;
        if (rnd.nextBoolean()) {
          assertThat(l.findIndexNearEnd(clock)).as("step %d, clock %d near the end", step, clock)
              .isEqualTo(linear(l, clock));
        }
        assertThat(l.findIndex(clock)).as("step %d, clock %d", step, clock).isEqualTo(linear(l, clock));
        if (clock + 1 < state) {
          assertThat(l.findIndex(clock + 1)).as("step %d, next clock", step).isEqualTo(linear(l, clock + 1));
        }
      }
    }
    return withClocks;
  }
}
