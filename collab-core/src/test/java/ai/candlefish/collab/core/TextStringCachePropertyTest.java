package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link YText#toString()} returns its last string while no transaction ran since; it must always equal a fresh walk
 * of the items ({@link YText#walkString()}). A random history on two documents that sync now and then (so that
 * received updates split, merge and collect items, and a surrogate pair split by an insert turns into U+FFFD on
 * both sides), with formatting, embeds, undo and redo, changes of another type, and reads in the middle of a
 * transaction and from observers; after every step both texts are read twice and compared with the walk, and a
 * quiet text read twice must give the same instance (the cache is used, else this test would prove nothing).
 *
 * <p>Seeded ({@link SeededRuns}); a failure names its seed and how to rerun it alone.
 */
class TextStringCachePropertyTest {
  private static final int RUNS = 150;
  private static final String[] WORDS = {"a", "bc", "def ", "ü", "😀", "x😀y", "👍🏽", "日本", "\n"};

  @Test
  void toString_equalsAFreshWalk_afterEveryKindOfChange() {
    int[] reused = {0};
    SeededRuns.named("textcache", 0x7E47_CACEL, RUNS).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      Doc a = Doc.create();
      Doc b = Doc.create();
      YText ta = a.getText("t");
      YText tb = b.getText("t");
      UndoManager undo = UndoManager.newBuilder(ta).captureTimeout(Duration.ZERO).build();
      // Reads from observers (during cleanup) and the strings they saw, kept reachable like a caller's.
      ArrayDeque<String> held = new ArrayDeque<>();
      ta.observe(e -> held.add(ta.toString()));
      tb.observe(e -> held.add(tb.toString()));
      for (int step = 0; step < 80; step++) {
        String where = "seed " + seed + ", step " + step;
        switch (rnd.nextInt(9)) {
          case 0, 1 -> edit(rnd, ta);
          case 2 -> edit(rnd, tb);
          case 3 -> a.transact(txn -> { // read mid-transaction, then change the text in the same transaction
            held.add(ta.toString());
            edit(rnd, ta);
            held.add(ta.toString());
            edit(rnd, ta);
          });
          case 4 -> sync(a, b);
          case 5 -> {
            if (rnd.nextBoolean()) {
              undo.undo();
            } else {
              undo.redo();
            }
          }
          case 6 -> a.getMap("m").set("k", step); // another type's transaction
          case 7 -> {
            int len = ta.length();
            if (len > 0) {
              int at = rnd.nextInt(len);
              ta.format(at, rnd.nextInt(1, len - at + 1), Map.of("bold", rnd.nextBoolean()));
            }
          }
          default -> ta.insertEmbed(rnd.nextInt(ta.length() + 1), Map.of("image", "i" + step));
        }
        for (YText t : List.of(ta, tb)) {
          String first = t.toString();
          assertThat(first).as(where).isEqualTo(t.walkString());
          assertThat(t.toString()).as(where + ", read again").isSameAs(first);
          held.add(first);
          reused[0]++;
        }
        while (held.size() > 8) {
          held.poll();
        }
      }
      sync(a, b); // (they may differ where only one side split a surrogate pair, as Yjs's U+FFFD rule allows)
      assertThat(ta.toString()).as("seed " + seed + ", synced").isEqualTo(ta.walkString());
      assertThat(tb.toString()).as("seed " + seed + ", synced").isEqualTo(tb.walkString());
    });
    assertThat(reused[0]).isGreaterThan(1000);
  }

  @Test
  void aStringNoLongerReferenced_isReadAgain() {
    Doc d = Doc.create();
    YText t = d.getText("t");
    t.insert(0, "hello");
    assertThat(t.toString()).isEqualTo("hello");
    System.gc(); // the cache holds its string weakly: whether or not it was collected, the text reads the same
    assertThat(t.toString()).isEqualTo("hello").isEqualTo(t.walkString());
  }

  private static void edit(SplittableRandom rnd, YText t) {
    int len = t.length();
    if (len == 0 || rnd.nextInt(3) > 0) {
      // Any index, also between the halves of a surrogate pair (the split writes U+FFFD on both sides, as Yjs).
      t.insert(rnd.nextInt(len + 1), WORDS[rnd.nextInt(WORDS.length)]);
    } else {
      int at = rnd.nextInt(len);
      t.delete(at, rnd.nextInt(1, Math.min(5, len - at) + 1));
    }
  }

  private static void sync(Doc a, Doc b) {
    byte[] toB = a.encodeStateAsUpdate(b.encodeStateVector());
    byte[] toA = b.encodeStateAsUpdate(a.encodeStateVector());
    b.applyUpdate(toB);
    a.applyUpdate(toA);
  }
}
