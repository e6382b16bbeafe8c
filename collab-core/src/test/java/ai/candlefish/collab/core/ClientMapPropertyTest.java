package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientMap} against {@link LinkedHashMap} (the insertion order of a JavaScript Map, which the delete set's
 * cleanups follow): random puts, overwrites, removals (through the map and its iterator), puts of removed keys and
 * clears, from few keys to thousands (growth, compaction), ids small, large and colliding in the low bits; after
 * every step the same entries in the same order and the same answers.
 */
class ClientMapPropertyTest {
  @Test
  void behavesAsAnInsertionOrderedMap() {
    // Seeds 0xC11E47L + 1 to + 40, as when this was a repeated test.
    SeededRuns.named("clientmap", 0xC11E47L + 1, 40).forEach((seed, run) -> run(seed));
  }

  private static void run(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int keySpace = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 3000);
    long[] ids = new long[keySpace];
    for (int i = 0; i < keySpace; i++) {
      ids[i] = switch (rnd.nextInt(3)) {
        case 0 -> i; // small, consecutive
        case 1 -> (long) i << 32; // equal low bits
        default -> rnd.nextLong(1L << 53); // anything a client id can be
      };
    }
    ClientMap<Integer> map = new ClientMap<>();
    Map<Long, Integer> expected = new LinkedHashMap<>();
    int steps = 200 + rnd.nextInt(6000);
    for (int step = 0; step < steps; step++) {
      long id = ids[rnd.nextInt(keySpace)];
      int op = rnd.nextInt(100);
      Integer value = step;
      if (op < 55) {
        assertThat(map.put(id, value)).isEqualTo(expected.put(id, value));
      } else if (op < 85) {
        assertThat(map.remove(id)).isEqualTo(expected.remove(id));
      } else if (op < 95) {
        assertThat(map.get(id)).isEqualTo(expected.get(id));
        assertThat(map.containsKey(id)).isEqualTo(expected.containsKey(id));
      } else if (op < 99) {
        removeSomeByIterator(map, expected, rnd);
      } else {
        map.clear();
        expected.clear();
      }
      assertThat(map.size()).isEqualTo(expected.size());
      if (step % 50 == 0 || step == steps - 1) {
        assertThat(new ArrayList<>(map.entrySet())).containsExactlyElementsOf(expected.entrySet());
        for (long k : ids) {
          assertThat(map.get(k)).isEqualTo(expected.get(k));
        }
      }
    }
  }

  private static void removeSomeByIterator(ClientMap<Integer> map, Map<Long, Integer> expected,
      SplittableRandom rnd) {
    List<Long> removed = new ArrayList<>();
    for (Iterator<Map.Entry<Long, Integer>> it = map.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Integer> e = it.next();
      if (rnd.nextInt(4) == 0) {
        it.remove();
        removed.add(e.getKey());
      }
    }
    removed.forEach(expected::remove);
  }
}
