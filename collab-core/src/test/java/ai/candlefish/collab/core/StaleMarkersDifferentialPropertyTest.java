package ai.candlefish.collab.core;

import static ai.candlefish.collab.core.OutOfRangeDifferentialTest.op;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Y.Array edits after deletes past the end, against real Yjs (see {@link OutOfRangeDifferentialTest}): such a delete
 * deletes what its range covered and fails before Yjs moves its search markers, so their indexes are off from then
 * on and where each marker points decides where later inserts and deletes land. Which marker a lookup starts from
 * must then be Yjs's, also when two are equally near the index (Yjs takes the later one), and so must every marker
 * that lookup leaves, moves or reuses. Every step fails on both sides or on neither, writes the same update and
 * leaves the same content.
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.stalemarkers.seed=<seed> -Dyjs.stalemarkers.runs=1} reruns it).
 */
@ExtendWith({YjsPeerExtension.class, CrossCheckedLookups.class})
class StaleMarkersDifferentialPropertyTest {
  private static final int RUNS = 40;
  private static final int STEPS = 120;
  private static final long BUDGET_MILLIS = 20_000;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void randomArrayEdits_afterDeletesPastTheEnd_asYjs() {
    SeededRuns.named("yjs.stalemarkers", 0x57A1E_0L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> OutOfRangeDifferentialTest.run(peer, "stale" + run, ops(new SplittableRandom(seed))));
  }

  private static List<Map<String, Object>> ops(SplittableRandom random) {
    List<Map<String, Object>> ops = new ArrayList<>();
    int length = 0;
    int value = 0;
    for (int i = 0; i < STEPS; i++) {
      int choice = length < 8 ? 0 : random.nextInt(10);
      if (choice < 6) {
        List<Object> values = new ArrayList<>();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
          values.add(value++);
        }
        // Inside the list as the markers no longer know it; an insert past the end fails on both sides.
        int index = random.nextInt(length + 1);
        ops.add(op("op", "arrayInsert", "name", "a", "index", index, "values", values));
        length += values.size();
      } else if (choice < 9) {
        int index = random.nextInt(length);
        int len = 1 + random.nextInt(Math.min(4, length - index));
        ops.add(op("op", "arrayDelete", "name", "a", "index", index, "len", len));
        length -= len;
      } else {
        // Past the end: deletes from the index to the end, then fails; Yjs's markers are not moved.
        int index = length / 2 + random.nextInt(length - length / 2);
        ops.add(op("op", "arrayDelete", "name", "a", "index", index, "len", length - index + 1 + random.nextInt(3)));
        length = index;
      }
    }
    return ops;
  }
}
