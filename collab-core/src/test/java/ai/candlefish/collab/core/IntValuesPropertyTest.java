package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link YArray#toList()} and {@link YArray#toJson()} of arrays that hold integers only come as {@link IntValues}; as
 * a {@code List} they must be indistinguishable from the boxed list of the same elements (the model, an
 * {@code ArrayList} that {@code listToList} fills as before). A random history of inserts (runs of integers, single
 * integers that merge, now and then a string, a double or a nested array of integers) and deletes (which split runs)
 * on one document, and the same history received by a second; after every transaction both documents' lists are
 * compared with the model by every {@code List} operation, both ways round, against plain and linked lists, and a
 * nested array of integers inside a map or array is checked the same way through {@code toJson}.
 *
 * <p>Seeded ({@link SeededRuns}); a failure names its seed and how to rerun it alone.
 */
class IntValuesPropertyTest {
  private static final int RUNS = 200;

  @Test
  void toListAndToJson_ofIntegerArrays_areListsLikeTheBoxedOnes() {
    int[] taken = {0, 0}; // lists checked that were IntValues, and that were not
    SeededRuns.named("intvalues", 0x1A7_5EEDL, RUNS).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      Doc a = Doc.create();
      Doc b = Doc.create();
      a.onUpdate((u, origin, txn) -> b.applyUpdate(u));
      YArray arr = a.getArray("a");
      for (int step = 0; step < 60; step++) {
        a.transact(txn -> edit(rnd, arr));
        String where = "seed " + seed + ", step " + step;
        for (Doc d : List.of(a, b)) {
          YArray x = d.getArray("a");
          List<Object> model = x.listToList();
          check(where + ", toList", x.toList(), model, rnd, taken);
          check(where + ", toJson", x.toJson(), jsonOf(model), rnd, taken);
        }
        YMap nest = a.getMap("m");
        if (rnd.nextInt(4) == 0) {
          YArray inner = new YArray();
          nest.set("k", inner);
          inner.insert(0, ints(rnd, rnd.nextInt(0, 5)));
        }
        if (nest.get("k") instanceof YArray inner) {
          List<Object> model = inner.listToList();
          check(where + ", nested", ((Map<?, ?>) nest.toJson()).get("k"), jsonOf(model), rnd, taken);
        }
      }
    });
    assertThat(taken[0]).as("lists checked that were IntValues").isGreaterThan(1000);
    assertThat(taken[1]).as("lists checked that were not").isGreaterThan(1000);
  }

  private static void edit(SplittableRandom rnd, YArray arr) {
    int dice = rnd.nextInt(10);
    int len = arr.length();
    if (dice < 4 || len == 0) {
      arr.insert(rnd.nextInt(len + 1), ints(rnd, rnd.nextInt(1, 6)));
    } else if (dice < 6) {
      arr.insert(len, ints(rnd, 1)); // appended one at a time: merges into its left neighbour
    } else if (dice < 8) {
      int at = rnd.nextInt(len);
      arr.delete(at, rnd.nextInt(1, Math.min(4, len - at) + 1));
    } else if (dice == 8) {
      Object other = switch (rnd.nextInt(4)) {
        case 0 -> "s" + rnd.nextInt(10);
        case 1 -> 0.5 * rnd.nextInt(-5, 5);
        case 2 -> (double) Integer.MAX_VALUE + 1;
        default -> {
          YArray inner = new YArray();
          inner.insert(0, ints(rnd, rnd.nextInt(0, 4)));
          yield inner;
        }
      };
      arr.insert(rnd.nextInt(len + 1), List.of(other));
    } else {
      // Delete every element that is not an Integer, so that the array holds integers only again.
      List<Object> values = arr.listToList();
      for (int i = values.size() - 1; i >= 0; i--) {
        if (!(values.get(i) instanceof Integer)) {
          arr.delete(i, 1);
        }
      }
    }
  }

  private static List<Object> ints(SplittableRandom rnd, int n) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(switch (rnd.nextInt(5)) {
        case 0 -> Integer.MIN_VALUE + rnd.nextInt(3);
        case 1 -> Integer.MAX_VALUE - rnd.nextInt(3);
        case 2 -> rnd.nextInt(-200, 200);
        default -> rnd.nextInt();
      });
    }
    return out;
  }

  /** What {@code toJson} made of an array's elements before: nested types as their JSON. */
  private static List<Object> jsonOf(List<Object> values) {
    List<Object> out = new ArrayList<>();
    for (Object v : values) {
      out.add(v instanceof YArray inner ? jsonOf(inner.listToList()) : v);
    }
    return out;
  }

  private static void check(String where, Object actualObject, List<Object> model, SplittableRandom rnd,
      int[] taken) {
    @SuppressWarnings("unchecked")
    List<Object> actual = (List<Object>) actualObject;
    boolean allInts = model.stream().allMatch(v -> v instanceof Integer);
    // (All integers may still be held in a double[] run that a double joined and left: then a boxed list.)
    assertThat(!(actual instanceof IntValues) || allInts).as(where + ": IntValues only when all are integers")
        .isTrue();
    taken[actual instanceof IntValues ? 0 : 1]++;
    assertThat(actual.size()).as(where).isEqualTo(model.size());
    assertThat(actual.isEmpty()).as(where).isEqualTo(model.isEmpty());
    for (int i = 0; i < model.size(); i++) {
      assertThat(actual.get(i)).as(where + " [" + i + "]").isEqualTo(model.get(i));
    }
    List<Object> linked = new LinkedList<>(model);
    for (List<Object> other : List.of(model, linked, new ArrayList<>(actual), Collections.unmodifiableList(model))) {
      assertThat(actual.equals(other)).as(where + ": equals").isTrue();
      assertThat(other.equals(actual)).as(where + ": equals, the other way round").isTrue();
    }
    assertThat(actual.hashCode()).as(where + ": hashCode").isEqualTo(model.hashCode());
    assertThat(actual.toString()).as(where + ": toString").isEqualTo(model.toString());
    assertThat(actual.toArray()).as(where + ": toArray").isEqualTo(model.toArray());
    assertThat(actual.toArray(new Object[0])).as(where + ": toArray(T[])").isEqualTo(model.toArray());
    assertThat(new ArrayList<>(actual)).as(where + ": iterator").isEqualTo(model);
    if (!model.isEmpty()) {
      int from = rnd.nextInt(model.size());
      int to = rnd.nextInt(from, model.size() + 1);
      assertThat(actual.subList(from, to)).as(where + ": subList").isEqualTo(model.subList(from, to));
      ListIterator<Object> it = actual.listIterator(to);
      ListIterator<Object> expected = model.listIterator(to);
      while (expected.hasPrevious()) {
        assertThat(it.previous()).as(where + ": listIterator").isEqualTo(expected.previous());
      }
      assertThat(it.hasPrevious()).isFalse();
    }
    // Lists that differ in one element, in length, or in an element's class are not equal.
    List<Object> changed = new ArrayList<>(model);
    if (!model.isEmpty()) {
      int i = rnd.nextInt(model.size());
      Object v = model.get(i);
      changed.set(i, v instanceof Integer n ? (rnd.nextBoolean() ? (Object) (n + 1) : (Object) n.longValue()) : "x");
      assertThat(actual.equals(changed)).as(where + ": equals a changed list").isFalse();
      assertThat(actual.equals(new LinkedList<>(changed))).as(where + ": equals a changed linked list").isFalse();
      assertThat(changed.equals(actual)).as(where + ": a changed list equals it").isFalse();
      List<Object> shorter = model.subList(0, model.size() - 1);
      assertThat(actual.equals(shorter)).as(where + ": equals a shorter list").isFalse();
      assertThat(actual.equals(new LinkedList<>(shorter))).as(where + ": equals a shorter linked list").isFalse();
    }
    List<Object> longer = new ArrayList<>(model);
    longer.add(0);
    assertThat(actual.equals(longer)).as(where + ": equals a longer list").isFalse();
    assertThat(actual.equals(Arrays.asList(model.toArray()).toString())).isFalse();
    // Lookups, with probes that are in it, that are not, and equal numbers of another class.
    List<Object> probes = new ArrayList<>(List.of(0, -1, 7L, 7.0, "7"));
    if (!model.isEmpty()) {
      Object v = model.get(rnd.nextInt(model.size()));
      probes.add(v);
      if (v instanceof Integer n) {
        probes.add(n.longValue());
        probes.add(n.doubleValue());
      }
    }
    probes.add(null);
    for (Object p : probes) {
      assertThat(actual.indexOf(p)).as(where + ": indexOf " + p).isEqualTo(model.indexOf(p));
      assertThat(actual.lastIndexOf(p)).as(where + ": lastIndexOf " + p).isEqualTo(model.lastIndexOf(p));
      assertThat(actual.contains(p)).as(where + ": contains " + p).isEqualTo(model.contains(p));
    }
    assertThatThrownBy(() -> actual.add(1)).isInstanceOf(UnsupportedOperationException.class);
    if (!model.isEmpty()) {
      assertThatThrownBy(() -> actual.set(0, 1)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> actual.remove(0)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(actual::clear).isInstanceOf(UnsupportedOperationException.class);
    }
  }
}
