package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Strings known to be ASCII, written as their bytes without a check ({@link ContentString#write}), against the plain
 * string encoder. A decoded string is marked ASCII exactly when all its chars are, and then its bytes from any offset
 * are those {@link Lib0Encoder#writeVarString} writes; the mark survives splits, merges and copies only while it is
 * true (received texts edited, split, merged with local text of any kind, and sent on, every string written checked
 * under {@link SearchMarkers#crossCheck}). Seeded; a failure names its seed: rerun with
 * {@code -Dasciistrings.seed=<seed> -Dasciistrings.runs=1}.
 */
@ExtendWith(CrossCheckedLookups.class)
class AsciiStringsPropertyTest {
  private static final int RUNS = 60;
  private static final long BUDGET_MILLIS = 20_000;

  @Test
  void decodedString_markedAsciiExactlyWhenItIs_andWrittenAsTheEncoderWritesIt() {
    int[] marked = {0};
    SeededRuns.named("asciistrings", 0xA5C11L, RUNS).within(BUDGET_MILLIS).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int i = 0; i < 200; i++) {
        String s = text(rnd, rnd.nextInt(4) == 0 ? 100 + rnd.nextInt(400) : rnd.nextInt(40), true);
        Lib0Encoder plain = new Lib0Encoder();
        plain.writeVarString(s);
        Lib0Decoder decoder = new Lib0Decoder(plain.toByteArray());
        String read = decoder.readVarString();
        boolean ascii = read.chars().allMatch(c -> c < 0x80);
        assertThat(decoder.lastStringWasAscii()).as("marked ASCII: %s", read).isEqualTo(ascii);
        if (ascii) {
          marked[0]++;
          int from = rnd.nextInt(read.length() + 1);
          Lib0Encoder expected = new Lib0Encoder();
          expected.writeVarString(read, from);
          Lib0Encoder fast = new Lib0Encoder();
          fast.writeAsciiString(read, from);
          assertThat(fast.toByteArray()).as("%s from %d", read, from).isEqualTo(expected.toByteArray());
        }
      }
    });
    assertThat(marked[0]).as("ASCII strings decoded").isPositive();
  }

  @Test
  void receivedText_keepsTheMarkOnlyWhileEveryCharIsAscii() {
    int[] marked = {0};
    SeededRuns.named("asciistrings", 0xA5C12L, RUNS).within(BUDGET_MILLIS).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      Doc a = Doc.newBuilder().clientId(1 + rnd.nextInt(1000)).build();
      Doc b = Doc.newBuilder().clientId(2000 + rnd.nextInt(1000)).build();
      Doc c = Doc.create(); // receives what b sends on: strings b split, merged or typed
      a.onUpdate((update, origin, txn) -> {
        if (origin != b) {
          b.applyUpdate(update, a);
        }
      });
      b.onUpdate((update, origin, txn) -> {
        c.applyUpdate(update);
        if (origin != a) {
          a.applyUpdate(update, b);
        }
      });
      int[] aTyped = {0};
      int[] bTyped = {0};
      for (int t = 0; t < 10; t++) {
        Doc doc = t % 3 == 2 ? b : a;
        YText text = doc.getText("t");
        int[] typed = doc == a ? aTyped : bTyped;
        int edits = 1 + rnd.nextInt(30);
        doc.transact(txn -> {
          for (int i = 0; i < edits; i++) {
            edit(text, typed, rnd);
          }
        });
        // b edits what it received: splits and deletes inside it, local text beside it (merged at cleanup)
        YText bt = b.getText("t");
        int bEdits = 1 + rnd.nextInt(10);
        b.transact(txn -> {
          for (int i = 0; i < bEdits; i++) {
            edit(bt, bTyped, rnd);
          }
        });
        assertThat(b.getText("t").toString()).as("run %d, step %d", run, t).isEqualTo(a.getText("t").toString());
        assertThat(c.getText("t").toString()).as("run %d, step %d", run, t).isEqualTo(b.getText("t").toString());
        for (Doc d : List.of(a, b, c)) {
          marked[0] += checkMarks(d.getText("t"));
          d.encodeStateAsUpdate(); // writes every string: checked under crossCheck
        }
      }
      // A copy loaded from b's state holds every ASCII string marked, and writes a state that loads to the same text.
      Doc loaded = Doc.create();
      loaded.applyUpdate(b.encodeStateAsUpdate());
      marked[0] += checkMarks(loaded.getText("t"));
      Doc reloaded = Doc.create();
      reloaded.applyUpdate(loaded.encodeStateAsUpdate());
      assertThat(reloaded.getText("t").toString()).as("run %d", run).isEqualTo(b.getText("t").toString());
    });
    assertThat(marked[0]).as("strings marked ASCII").isPositive();
  }

  /** Fails if an item's string is marked ASCII but is not; returns how many are marked. */
  private static int checkMarks(YText text) {
    int marked = 0;
    for (Item n = text.start; n != null; n = n.right) {
      if (n.content instanceof ContentString s && s.knownAscii()) {
        assertThat(s.string().chars().allMatch(ch -> ch < 0x80)).as("marked ASCII: %s", s.string()).isTrue();
        marked++;
      }
    }
    return marked;
  }

  /**
   * A random insert or delete; every other insert goes where the text's last insert ended ({@code typed}), so that
   * a receiver merges what one transaction typed with what an earlier one typed before it, marked or not.
   */
  private static void edit(YText text, int[] typed, SplittableRandom rnd) {
    int length = text.length();
    if (length == 0 || rnd.nextInt(3) > 0) {
      int size = rnd.nextInt(5) == 0 ? 130 + rnd.nextInt(200) : 1 + rnd.nextInt(8);
      int index = rnd.nextBoolean() ? Math.min(typed[0], length) : rnd.nextInt(length + 1);
      String s = text(rnd, size, false);
      text.insert(index, s);
      typed[0] = index + s.length();
    } else {
      int index = rnd.nextInt(length);
      text.delete(index, 1 + rnd.nextInt(Math.min(5, length - index)));
    }
  }

  /**
   * Mostly ASCII; now and then Latin-1, other BMP chars, surrogate pairs and, if {@code lone}, lone surrogates (which
   * a text keeps, as Yjs does, while its updates carry U+FFFD).
   */
  private static String text(SplittableRandom rnd, int length, boolean lone) {
    boolean ascii = rnd.nextInt(3) > 0;
    StringBuilder sb = new StringBuilder();
    while (sb.length() < length) {
      int dice = ascii ? 0 : rnd.nextInt(lone ? 10 : 9);
      switch (dice) {
        case 6 -> sb.append((char) (0x80 + rnd.nextInt(0x80)));
        case 7 -> sb.append((char) (0x100 + rnd.nextInt(0x7000)));
        case 8 -> sb.appendCodePoint(0x10000 + rnd.nextInt(0x1000));
        case 9 -> sb.append((char) (0xD800 + rnd.nextInt(0x800)));
        default -> sb.append((char) (rnd.nextInt(3) == 0 ? rnd.nextInt(0x80) : 'a' + rnd.nextInt(26)));
      }
    }
    return sb.toString();
  }
}
