package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link StructList#findIndex} (which first tries where its last search ended, and searches the structs' clocks
 * once the list has them) and {@link StructList#findIndexNearEnd} against a linear scan, while structs are split,
 * merged (the left one grows, the right one is removed), replaced, lists grow as in a document and drop their
 * clocks as a transaction's end does. Seeded ({@link SeededRuns}: a failure names its seed).
 *
 * <p>Removed structs leave a gap that moves with the next removal or insert: every step also compares the whole list
 * with an {@link ArrayList} that went through the same changes, with removals of runs (cleanup merging several
 * structs into one) swept from right to left as cleanup does, and at random places.
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

  /** Merges structs {@code [i - n, i]} into struct {@code i - n}, as cleanup's merge of a run does. */
  private static void mergeRun(StructList l, List<AbstractStruct> model, int i, int n) {
    AbstractStruct left = l.get(i - n);
    for (int k = i - n + 1; k <= i; k++) {
      left.length += l.get(k).length;
    }
    l.remove(i - n + 1, n);
    model.subList(i - n + 1, i + 1).clear();
  }

  /** Returns how many searches found the list with its clocks. */
  private static int check(SplittableRandom rnd) {
    StructList l = new StructList();
    List<AbstractStruct> model = new ArrayList<>();
    int state = 0;
    int withClocks = 0;
    for (int step = 0; step < 1000; step++) {
      int op = rnd.nextInt(200) == 0 ? 7 : rnd.nextInt(100) == 0 ? 8 : rnd.nextInt(7);
      if (op == 0 || l.size == 0) {
        int len = 1 + rnd.nextInt(12);
        GC added = new GC(1, state, len);
        l.add(added);
        model.add(added);
        state += len;
      } else if (op == 7 && l.size > 2) {
        // A cleanup sweep: runs merged from a random place leftwards over up to 40 structs, right to left.
        int from = rnd.nextInt(l.size);
        for (int i = from, stop = from - rnd.nextInt(40); i > 0 && i > stop; ) {
          int n = rnd.nextInt(Math.min(i, 4) + 1);
          if (n > 0) {
            mergeRun(l, model, i, n);
          }
          i -= 1 + n + rnd.nextInt(3);
        }
      } else if (op == 8 && l.size > 1) {
        int i = 1 + rnd.nextInt(l.size - 1);
        mergeRun(l, model, i, 1 + rnd.nextInt(Math.min(i, 6)));
      } else if (op == 1) {
        // Split a struct in two, as getItemCleanStart does.
        int i = rnd.nextInt(l.size);
        AbstractStruct s = l.get(i);
        if (s.length > 1) {
          int diff = 1 + rnd.nextInt(s.length - 1);
          GC left = new GC(1, s.clock, diff);
          GC right = new GC(1, s.clock + diff, s.length - diff);
          l.set(i, left);
          l.insert(i + 1, right);
          model.set(i, left);
          model.add(i + 1, right);
        }
      } else if (op == 2 && l.size > 1) {
        // Merge a struct into its left neighbour, as cleanup does: the left one grows in place.
        int i = rnd.nextInt(l.size - 1);
        AbstractStruct left = l.get(i);
        left.length += l.get(i + 1).length;
        l.remove(i + 1, 1);
        model.remove(i + 1);
      } else if (op == 3) {
        // Replace a struct by one with the same clocks, as garbage collection does.
        int i = rnd.nextInt(l.size);
        AbstractStruct s = l.get(i);
        GC replaced = new GC(1, s.clock, s.length);
        l.set(i, replaced);
        model.set(i, replaced);
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
      assertThat(l.size).as("step %d, size", step).isEqualTo(model.size());
      for (int i = 0; i < l.size; i++) {
        assertThat(l.get(i)).as("step %d, struct %d", step, i).isSameAs(model.get(i));
      }
      assertThat(l.heldStructs()).as("step %d, structs held (the gap holds none)", step).isEqualTo(l.size);
      if (l.size > 0) {
        assertThat(l.state()).as("step %d, state", step).isEqualTo(state);
      }
    }
    return withClocks;
  }
}
