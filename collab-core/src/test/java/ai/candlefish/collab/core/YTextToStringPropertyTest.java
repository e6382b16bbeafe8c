package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link YText#walkString} joins a text of at most {@link YText#JOIN_PIECES} unedited pieces with one copy and
 * builds any other text: texts of a few pasted strings (zero, one, up to a few more than the join takes), some of
 * them split by an insert, cut by a delete or grown by typing at their end (a merged piece is a builder, which the
 * join leaves to the builder path), read on the document that made them (also inside a delete's transaction, and
 * without garbage collection, where deleted items keep their text) and on one that received them, against a model
 * string. Seeded ({@link SeededRuns}: a failure names its seed).
 */
class YTextToStringPropertyTest {
  private static final String[] PIECES = {"a", "hello ", "ü-日本", "x😀y", "\n", "a longer pasted line of text. "};

  @Test
  void walkString_ofFewAndManyPieces_equalsTheModel() {
    int[] joined = {0};
    int[] built = {0};
    SeededRuns.named("ytext.tostring", 0x7057_12L, 300).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      // Without garbage collection (and in a read inside the transaction) a deleted item keeps its text.
      boolean gc = rnd.nextBoolean();
      Doc a = Doc.newBuilder().gc(gc).build();
      YText t = a.getText("t");
      StringBuilder model = new StringBuilder();
      int pastes = rnd.nextInt(YText.JOIN_PIECES + 4);
      for (int i = 0; i < pastes; i++) {
        String s = PIECES[rnd.nextInt(PIECES.length)];
        // Inside a piece only between whole surrogate pairs: a split pair is U+FFFD, which the model leaves out.
        int at = safeIndex(model, rnd.nextInt(model.length() + 1));
        t.insert(at, s);
        model.insert(at, s);
        int edit = rnd.nextInt(6);
        if (edit == 0 && model.length() > 0) {
          int from = safeIndex(model, rnd.nextInt(model.length()));
          int to = safeIndex(model, Math.min(model.length(), from + 1 + rnd.nextInt(4)));
          if (to > from) {
            model.delete(from, to);
            a.transact(txn -> {
              t.delete(from, to - from);
              assertThat(t.walkString()).as("seed %d, read in the transaction of a delete", seed)
                  .isEqualTo(model.toString());
            });
          }
        } else if (edit == 1) {
          // Typing at the end of what was just pasted: cleanup merges it into that piece.
          t.insert(at + s.length(), "z");
          model.insert(at + s.length(), "z");
        }
      }
      Doc b = Doc.newBuilder().gc(gc).build();
      b.applyUpdate(a.encodeStateAsUpdate());
      String where = "seed " + seed;
      assertThat(t.walkString()).as(where).isEqualTo(model.toString());
      assertThat(b.getText("t").walkString()).as(where + ", received").isEqualTo(model.toString());
      if (pastes <= YText.JOIN_PIECES) {
        joined[0]++;
      } else {
        built[0]++;
      }
    });
    assertThat(joined[0]).as("texts of few pieces").isGreaterThan(100);
    assertThat(built[0]).as("texts of more pieces than the join takes").isGreaterThan(30);
  }

  /** {@code i}, or one less if it would fall between the halves of a surrogate pair. */
  private static int safeIndex(CharSequence s, int i) {
    return i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i)) ? i - 1 : i;
  }
}
