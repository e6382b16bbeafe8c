package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link JsArraySort} against Node's own {@code Array.prototype.sort}: with comparators that are inconsistent
 * (random answers per pair), the result depends on every comparison the algorithm makes, so equal results over
 * many sizes and tables mean the same algorithm.
 */
@ExtendWith(YjsPeerExtension.class)
class JsArraySortTest {
  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void sort_withInconsistentComparator_ordersAsV8() {
    SplittableRandom rnd = new SplittableRandom(20261204);
    int[] sizes = {2, 3, 5, 9, 10, 11, 17, 31, 32, 33, 40, 63, 64, 65, 100, 129, 200, 257};
    for (int n : sizes) {
      for (int round = 0; round < 4; round++) {
        long seed = rnd.nextLong();
        SplittableRandom r = new SplittableRandom(seed);
        // round 0: fully random; 1: mostly consistent (a random order with a few liars); 2: runs; 3: only -1 and 0
        int[] rank = new int[n];
        for (int i = 0; i < n; i++) {
          rank[i] = round == 2 ? i / 7 * (i % 2 == 0 ? 1 : -1) : r.nextInt(n);
        }
        List<Object> table = new ArrayList<>(n * n);
        int[] t = new int[n * n];
        for (int a = 0; a < n; a++) {
          for (int b = 0; b < n; b++) {
            int v = switch (round) {
              case 0 -> r.nextInt(3) - 1;
              case 3 -> -r.nextInt(2);
              default -> r.nextInt(20) == 0 ? -1 : Integer.compare(rank[a], rank[b]);
            };
            t[a * n + b] = v;
            table.add(v);
          }
        }
        List<Integer> java = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          java.add(i);
        }
        JsArraySort.sort(java, (a, b) -> t[a * n + b]);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("op", "sortProbe");
        c.put("n", n);
        c.put("table", table);
        Object sorted = peer.request(c).get("sorted");
        assertThat(java).as("n=%d round=%d seed=%d", n, round, seed).isEqualTo(sorted);
      }
    }
  }

  @Test
  void minRunLength_asCPython() {
    assertThat(JsArraySort.minRunLength(63)).isEqualTo(63);
    assertThat(JsArraySort.minRunLength(64)).isEqualTo(32);
    assertThat(JsArraySort.minRunLength(65)).isEqualTo(33);
  }
}
