package ai.candlefish.collab.core;

import static ai.candlefish.collab.core.YjsOps.op;
import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Arrays of numbers (kept in primitive arrays, see {@link ContentValues}) against real Yjs. Replica A (a Java doc and
 * its Yjs twin, same client id) inserts runs of numbers at the edges of lib0's encodings (31 bits,
 * {@code Integer.MIN_VALUE}, float32-exact, -0, NaN, infinities, 2^53) mixed with strings, nulls and nested values,
 * appends one value at a time (items merge), deletes ranges (items split); replica B receives A's updates and, later in
 * each run, edits concurrently. After every transaction A's v1 and v2 update events must equal its twin's byte for
 * byte, and every delivery's bytes and the final states (v1 and v2) too.
 *
 * <p>Values are checked exactly, classes included (Integer 1 is not Double 1.0, -0 is not 0): while only A edits, A's
 * array must hold the values it inserted as {@code Values} normalizes them, and B's what {@code readAny} makes of
 * their bytes; on both replicas, every event's delta applied to the values before must give the values after.
 * Seeded ({@link SeededRuns}); a failure names its seed and how to rerun it alone.
 */
@ExtendWith(YjsPeerExtension.class)
class NumberArrayDifferentialPropertyTest {
  private static final int RUNS = 6;
  private static final List<Object> EDGE_NUMBERS = List.of(0, -1, 128, 0x3FFF_FFFF, Integer.MAX_VALUE,
      -Integer.MAX_VALUE, Integer.MIN_VALUE, -0.0, 0.5, -2.5, 0.1, 1e300, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, 2147483648.0, -2147483648.0, 3.0, 9007199254740991L, -9007199254740991L,
      9007199254740994.0, 1L << 40, 3.4028234663852886e38);

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void numberRuns_giveYjsBytesAndExactValues() {
    SeededRuns.named("numbers", 0x4E_0B5L, RUNS).forEach((seed, run) -> {
      Run r = new Run(seed, "n" + run);
      try {
        r.execute();
      } catch (AssertionError | RuntimeException e) {
        throw SeededRuns.withLastSteps(e, r.log, 5);
      } finally {
        peer.drop(r.a.id);
        peer.drop(r.b.id);
      }
    });
  }

  private static final class Run {
    private final SplittableRandom rnd;
    final TwinReplica a;
    final TwinReplica b;
    /** A's array as A inserted it, while B has not edited. */
    private final List<Object> model = new ArrayList<>();
    private boolean bEdited;
    final List<String> log = new ArrayList<>();

    Run(long seed, String prefix) {
      rnd = new SplittableRandom(seed);
      a = new TwinReplica(peer, prefix + "-a", 1 + rnd.nextInt(1000), rnd.nextBoolean(), true);
      b = new TwinReplica(peer, prefix + "-b", 1001 + rnd.nextInt(1000), true, true);
      checkDeltas(a);
      checkDeltas(b);
    }

    void execute() {
      int steps = 60;
      for (int step = 0; step < steps; step++) {
        int dice = rnd.nextInt(100);
        if (dice < 50) {
          transaction(a, 1 + rnd.nextInt(6));
        } else if (dice < 70) {
          appendOne(a);
        } else if (dice < 85) {
          exchange();
        } else if (step > steps / 2) {
          bEdited = true;
          transaction(b, 1 + rnd.nextInt(3));
        }
        if (!bEdited) {
          assertExactly("A", a.doc.getArray("a").toList(), model);
        }
      }
      exchange();
      for (boolean v2 : new boolean[] {false, true}) {
        for (TwinReplica r : List.of(a, b)) {
          byte[] java = v2 ? r.doc.encodeStateAsUpdateV2() : r.doc.encodeStateAsUpdate();
          assertThat(YjsInterop.base64(java)).as("state of %s (v2: %s), Java vs Yjs", r.id, v2)
              .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(r.id, null, v2)));
        }
      }
      assertExactly("A's values read back on B", roundTrip(a.doc.getArray("a").toList()),
          roundTrip(b.doc.getArray("a").toList()));
    }

    /** A transaction of {@code count} inserts of runs and deletes of ranges, on the Java replica and its twin. */
    private void transaction(TwinReplica r, int count) {
      List<Object> ops = new ArrayList<>();
      YArray array = r.doc.getArray("a");
      r.doc.transact(txn -> {
        for (int i = 0; i < count; i++) {
          int length = array.length();
          if (length > 0 && rnd.nextInt(4) == 0) {
            int index = rnd.nextInt(length);
            int len = 1 + rnd.nextInt(Math.min(8, length - index));
            array.delete(index, len);
            if (r == a && !bEdited) {
              model.subList(index, index + len).clear();
            }
            ops.add(op("arrayDelete", "a", Map.of("index", index, "len", len)));
          } else {
            int index = rnd.nextInt(4) == 0 ? length : rnd.nextInt(length + 1);
            List<Object> values = randomRun(1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 40));
            array.insert(index, values);
            if (r == a && !bEdited) {
              model.addAll(index, values.stream().map(Values::checkJson).toList());
            }
            ops.add(op("arrayInsert", "a", Map.of("index", index, "values", YjsInterop.toTagged(values))));
          }
        }
      });
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("op", "transact");
      op.put("ops", ops);
      log.add(r.id + " " + Json.stringify(op));
      peer.apply(r.id, op);
      compareEvents(r, r.id + " after a transaction of " + count);
    }

    /** One value at the end, its own transaction: merges into the item before it. */
    private void appendOne(TwinReplica r) {
      YArray array = r.doc.getArray("a");
      Object value = randomRun(1).get(0);
      int index = array.length();
      array.insert(index, List.of(value));
      if (!bEdited) {
        model.add(Values.checkJson(value));
      }
      Map<String, Object> op = op("arrayInsert", "a", Map.of("index", index, "values",
          YjsInterop.toTagged(List.of(value))));
      log.add(r.id + " " + Json.stringify(op));
      peer.apply(r.id, op);
      compareEvents(r, r.id + " after appending " + value);
    }

    private void compareEvents(TwinReplica r, String what) {
      TwinReplica.assertSameEvents(what, r.takeEvents(), peer.updates(r.id));
      TwinReplica.assertSameEvents(what + " (v2)", r.takeEventsV2(), peer.updates(r.id, true));
    }

    private void exchange() {
      send(a, b);
      send(b, a);
      if (!bEdited) {
        assertExactly("B (A's values read back)", b.doc.getArray("a").toList(), roundTrip(model));
      }
    }

    private void send(TwinReplica from, TwinReplica to) {
      boolean v2 = rnd.nextBoolean();
      byte[] sv = to.doc.encodeStateVector();
      byte[] fromJava = v2 ? from.doc.encodeStateAsUpdateV2(sv) : from.doc.encodeStateAsUpdate(sv);
      byte[] fromYjs = peer.encodeStateAsUpdate(from.id, sv, v2);
      assertThat(YjsInterop.base64(fromJava)).as("%s's update for %s (v2: %s), Java vs Yjs", from.id, to.id, v2)
          .isEqualTo(YjsInterop.base64(fromYjs));
      log.add(to.id + " <- " + from.id + (v2 ? " (v2)" : ""));
      if (v2) {
        to.doc.applyUpdateV2(fromYjs);
      } else {
        to.doc.applyUpdate(fromYjs);
      }
      peer.applyUpdate(to.id, fromJava, v2);
      compareEvents(to, to.id + " applying " + from.id + "'s update");
    }

    /** Every event's delta, applied to the values before it, must give the values after it (classes included). */
    private static void checkDeltas(TwinReplica r) {
      YArray array = r.doc.getArray("a");
      List<List<Object>> before = new ArrayList<>(List.of(List.of()));
      array.observe(event -> {
        List<Object> values = new ArrayList<>(before.get(0));
        int at = 0;
        for (Delta d : event.delta()) {
          if (d.isInsert()) {
            List<?> inserted = (List<?>) d.insert();
            values.addAll(at, inserted);
            at += inserted.size();
          } else if (d.isDelete()) {
            values.subList(at, at + d.delete()).clear();
          } else {
            at += d.retain();
          }
        }
        List<Object> after = array.toList();
        assertExactly(r.id + "'s values before and the event's delta", values, after);
        before.set(0, after);
      });
    }

    /** A run of values as an array insert takes them: mostly numbers, of one kind or mixed, now and then others. */
    private List<Object> randomRun(int n) {
      int kind = rnd.nextInt(5);
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int dice = rnd.nextInt(100);
        if (kind == 4 && dice < 25) {
          out.add(switch (rnd.nextInt(5)) {
            case 0 -> "s" + rnd.nextInt(10);
            case 1 -> null;
            case 2 -> rnd.nextBoolean();
            case 3 -> List.of(1, 2.5);
            default -> Map.of("x", -0.0);
          });
        } else if (dice < 15) {
          out.add(EDGE_NUMBERS.get(rnd.nextInt(EDGE_NUMBERS.size())));
        } else if (kind == 0 || kind == 2 && dice < 60) {
          out.add(rnd.nextInt());
        } else if (kind == 3) {
          out.add(rnd.nextInt(-2000, 2000) / 8.0); // float32-exact, some integral
        } else {
          out.add(rnd.nextDouble() * 1e6);
        }
      }
      return out;
    }
  }

  /** Each value as lib0 writes it and reads it back. */
  private static List<Object> roundTrip(List<Object> values) {
    return values.stream().map(ContentValuesPropertyTest::roundTrip).toList();
  }

  private static void assertExactly(String what, List<Object> actual, List<Object> expected) {
    assertThat(actual.stream().map(ContentValuesPropertyTest::describe).toList()).as(what)
        .isEqualTo(expected.stream().map(ContentValuesPropertyTest::describe).toList());
  }
}
