package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's random tests of Y.Map and Y.Array ({@code testRepeatGeneratingYmapTests*} and
 * {@code testRepeatGeneratingYarrayTests*}: {@code applyRandomTests} with Yjs's own {@code mapTransactions} and
 * {@code arrayTransactions}) on a {@link SyncNetwork} of five users: each step may disconnect or reconnect a user (2 %),
 * deliver everything (1 %) or one message (50 %), then a random user makes a random change; at the end every replica
 * and its merged updates must agree ({@link SyncNetwork#compare()}). Yjs runs 6 to 1,800 steps per test; so do these,
 * seeded ({@code -Dyjs.random.map.seed=…}).
 */
class YjsRandomSuitePropertyTest {
  private static final int[] ITERATIONS = {3, 6, 40, 42, 43, 44, 45, 46, 300, 400, 500, 600, 1000, 1800};

  @FunctionalInterface
  private interface Change {
    void apply(Doc user, SplittableRandom gen);
  }

  private static int uniqueNumber;

  private static void applyRandomTests(long seed, List<Change> mods, int iterations) {
    SyncNetwork net = SyncNetwork.of(5, seed);
    SplittableRandom gen = net.random();
    for (int i = 0; i < iterations; i++) {
      if (gen.nextInt(101) <= 2) {
        if (gen.nextBoolean()) {
          net.disconnectRandom();
        } else {
          net.reconnectRandom();
        }
      } else if (gen.nextInt(101) <= 1) {
        net.flushAll();
      } else if (gen.nextInt(101) <= 50) {
        net.flushRandom();
      }
      Doc user = net.users.get(gen.nextInt(5));
      mods.get(gen.nextInt(mods.size())).apply(user, gen);
    }
    net.compare();
  }

  /** lib0's {@code prng.utf16String}: up to 20 characters from U+0000 to U+0100. */
  private static String utf16String(SplittableRandom gen) {
    int len = gen.nextInt(0, 21);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      sb.append((char) gen.nextInt(0, 257));
    }
    return sb.toString();
  }

  private static final List<Change> MAP_TRANSACTIONS = List.of(
      (user, gen) -> user.getMap("map").set(gen.nextBoolean() ? "one" : "two", utf16String(gen)),
      (user, gen) -> {
        String key = gen.nextBoolean() ? "one" : "two";
        if (gen.nextBoolean()) {
          YArray type = user.getMap("map").set(key, new YArray());
          type.insert(0, List.of(1, 2, 3, 4));
        } else {
          YMap type = user.getMap("map").set(key, new YMap());
          type.set("deepkey", "deepvalue");
        }
      },
      (user, gen) -> user.getMap("map").delete(gen.nextBoolean() ? "one" : "two"));

  private static final List<Change> ARRAY_TRANSACTIONS = List.of(
      (user, gen) -> {
        YArray yarray = user.getArray("array");
        int n = uniqueNumber++;
        List<Object> content = new ArrayList<>();
        for (int i = gen.nextInt(1, 5); i > 0; i--) {
          content.add(n);
        }
        int pos = gen.nextInt(yarray.length() + 1);
        List<Object> expected = new ArrayList<>(yarray.toList());
        yarray.insert(pos, content);
        expected.addAll(pos, content);
        assertThat(yarray.toList()).isEqualTo(expected);
      },
      (user, gen) -> {
        YArray yarray = user.getArray("array");
        int pos = gen.nextInt(yarray.length() + 1);
        yarray.insert(pos, List.of(new YArray()));
        ((YArray) yarray.get(pos)).insert(0, List.of(1, 2, 3, 4));
      },
      (user, gen) -> {
        YArray yarray = user.getArray("array");
        int pos = gen.nextInt(yarray.length() + 1);
        yarray.insert(pos, List.of(new YMap()));
        YMap map = (YMap) yarray.get(pos);
        map.set("someprop", 42);
        map.set("someprop", 43);
        map.set("someprop", 44);
      },
      (user, gen) -> {
        YArray yarray = user.getArray("array");
        yarray.insert(gen.nextInt(yarray.length() + 1), Collections.singletonList(null));
      },
      (user, gen) -> {
        YArray yarray = user.getArray("array");
        int length = yarray.length();
        if (length > 0) {
          int somePos = gen.nextInt(length);
          int delLength = gen.nextInt(1, Math.min(2, length - somePos) + 1);
          if (gen.nextBoolean()) {
            if (yarray.get(somePos) instanceof YArray type && type.length() > 0) {
              somePos = gen.nextInt(type.length());
              delLength = gen.nextInt(0, Math.min(2, type.length() - somePos) + 1);
              type.delete(somePos, delLength);
            }
          } else {
            List<Object> expected = new ArrayList<>(yarray.toList());
            yarray.delete(somePos, delLength);
            expected.subList(somePos, somePos + delLength).clear();
            assertThat(yarray.toList()).isEqualTo(expected);
          }
        }
      });

  @Test
  void repeatGeneratingYmapTests() {
    SeededRuns.named("yjs.random.map", 0x7A9L, ITERATIONS.length)
        .forEach((seed, run) -> applyRandomTests(seed, MAP_TRANSACTIONS, ITERATIONS[run % ITERATIONS.length]));
  }

  @Test
  void repeatGeneratingYarrayTests() {
    SeededRuns.named("yjs.random.array", 0xA77AL, ITERATIONS.length)
        .forEach((seed, run) -> applyRandomTests(seed, ARRAY_TRANSACTIONS, ITERATIONS[run % ITERATIONS.length]));
  }
}
