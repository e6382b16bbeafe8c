package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The content of one ASCII char is one shared {@link ContentString} per char ({@link ContentString#of}), so nothing
 * may change one: typing next to a typed char (cleanup merges the two items), splitting and deleting around it,
 * formatting it, undoing and redoing, and receiving it from other replicas, in random interleavings. After every
 * step each shared instance still holds its one char, every item holding one has length 1, and the edited text
 * equals a model string; at the end the replicas converge and a copy loaded from the state reads the same. Seeded
 * ({@link SeededRuns}: a failure names its seed; {@code -Dcontentsharing.runs=1000} for a long run).
 */
class ContentStringSharingPropertyTest {
  private static final String[] PASTES = {"ab", "hello ", "ü", "日本", "x😀y", "\n", "a longer pasted line. "};

  @Test
  void sharedOneCharContents_neverChange_andTextsEqualTheModel() {
    int[] sharedSeen = {0};
    int[] merges = {0};
    SeededRuns.named("contentsharing", 0x5_4a7ed_c4a7L, 150).within(60_000).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      boolean gc = rnd.nextBoolean();
      List<Doc> docs = new ArrayList<>();
      int firstId = 1 + rnd.nextInt(3); // the model doc's id lowest, middle or highest
      for (int i = 0; i < 3; i++) {
        docs.add(Doc.newBuilder().gc(gc).clientId((firstId + i) % 3 + 1L).build());
      }
      // docs[0] is edited alone until the end, against a model; the others edit concurrently and sync at random.
      YText t = docs.get(0).getText("t");
      UndoManager undo = UndoManager.newBuilder(t).captureTimeout(Duration.ofMillis(rnd.nextBoolean() ? 0 : 60_000))
          .build();
      StringBuilder model = new StringBuilder();
      int[] cursor = {0};
      int steps = 20 + rnd.nextInt(120);
      for (int step = 0; step < steps; step++) {
        String where = "seed " + seed + ", step " + step;
        int items = items(t);
        if (editAlone(t, model, cursor, rnd) && items(t) == items) {
          merges[0]++; // a typed char merged into the item before it
        }
        Doc other = docs.get(1 + rnd.nextInt(2));
        editConcurrently(other.getText("t"), rnd);
        if (rnd.nextInt(4) == 0) {
          Doc to = docs.get(1 + rnd.nextInt(2));
          to.applyUpdate(other.encodeStateAsUpdate(to.encodeStateVector()));
        }
        if (rnd.nextInt(10) == 0) {
          // Undo and redo the model doc's last change: the text must come back as it was.
          String before = t.toString();
          if (undo.undo() != null) {
            undo.redo();
          }
          assertThat(t.toString()).as(where + ", after undo and redo").isEqualTo(before);
        }
        assertThat(t.toString()).as(where).isEqualTo(model.toString());
        sharedSeen[0] += checkShared(docs, where);
      }
      // Everything to everyone, then a loaded copy.
      for (Doc from : docs) {
        for (Doc to : docs) {
          if (from != to) {
            to.applyUpdate(from.encodeStateAsUpdate(to.encodeStateVector()));
          }
        }
      }
      String text = docs.get(0).getText("t").toString();
      for (Doc d : docs) {
        assertThat(d.getText("t").toString()).as("seed %d, converged", seed).isEqualTo(text);
      }
      Doc loaded = Doc.create();
      loaded.applyUpdate(docs.get(1).encodeStateAsUpdate());
      assertThat(loaded.getText("t").toString()).as("seed %d, loaded", seed).isEqualTo(text);
      sharedSeen[0] += checkShared(List.of(docs.get(0), docs.get(1), docs.get(2), loaded), "seed " + seed);
    });
    assertThat(sharedSeen[0]).as("items holding a shared content").isGreaterThan(1000);
    assertThat(merges[0]).as("steps of the model doc after which cleanup merged items").isGreaterThan(100);
  }

  @Test
  void of_oneAsciiChar_isSharedAndRefusesChange() {
    ContentString a = ContentString.of("a");
    assertThat(a).isSameAs(ContentString.of("a", true)).isSameAs(ContentString.of(new String(new char[] {'a'})));
    assertThat(a.isShared()).isTrue();
    assertThat(a.knownAscii()).isTrue();
    assertThat(ContentString.of("ü").isShared()).isFalse();
    assertThat(ContentString.of("ab").isShared()).isFalse();
    assertThatThrownBy(() -> a.mergeWith(ContentString.of("b"))).isInstanceOf(IllegalStateException.class);
    Content mine = a.mutable();
    assertThat(mine).isNotSameAs(a);
    assertThat(mine.mergeWith(ContentString.of("b"))).isTrue();
    assertThat(((ContentString) mine).string()).isEqualTo("ab");
    assertThat(a.string()).isEqualTo("a");
    ContentString notShared = ContentString.of("ü");
    assertThat(notShared.mutable()).isSameAs(notShared);
  }

  private static int items(YText t) {
    int n = 0;
    for (Item i = t.start; i != null; i = i.right) {
      n++;
    }
    return n;
  }

  /**
   * A random edit of {@code t} and the same edit of {@code model}; typing mostly continues at the cursor. Returns
   * whether it typed one char.
   */
  private static boolean editAlone(YText t, StringBuilder model, int[] cursor, SplittableRandom rnd) {
    int length = model.length();
    int kind = rnd.nextInt(10);
    if (kind < 6 || length == 0) {
      int at = rnd.nextInt(4) > 0 ? Math.min(cursor[0], length) : safeIndex(model, rnd.nextInt(length + 1));
      String s = kind == 5 ? PASTES[rnd.nextInt(PASTES.length)] : String.valueOf((char) ('a' + rnd.nextInt(4)));
      t.insert(at, s);
      model.insert(at, s);
      cursor[0] = at + s.length();
      return s.length() == 1;
    } else if (kind < 9) {
      int from = safeIndex(model, rnd.nextInt(length));
      int to = safeIndex(model, Math.min(length, from + 1 + rnd.nextInt(3)));
      if (to > from) {
        t.delete(from, to - from);
        model.delete(from, to);
        cursor[0] = from;
      }
    } else {
      int from = safeIndex(model, rnd.nextInt(length));
      int to = safeIndex(model, Math.min(length, from + 1 + rnd.nextInt(3)));
      if (to > from) {
        // Format marks around a typed char: the text reads the same.
        t.format(from, to - from, Map.of("bold", rnd.nextBoolean() ? true : "x"));
      }
    }
    return false;
  }

  private static void editConcurrently(YText t, SplittableRandom rnd) {
    int length = t.length();
    if (length > 0 && rnd.nextInt(3) == 0) {
      int from = rnd.nextInt(length);
      t.delete(from, Math.min(length - from, 1 + rnd.nextInt(2)));
    } else {
      t.insert(rnd.nextInt(length + 1), String.valueOf((char) ('a' + rnd.nextInt(3))));
    }
  }

  /** Fails if a shared content changed or an item holding one is not of length 1; returns how many items do. */
  private static int checkShared(List<Doc> docs, String where) {
    for (char c = 0; c < 128; c++) {
      ContentString s = ContentString.of(String.valueOf(c));
      assertThat(s.string()).as(where + ", shared content of char %d", (int) c).isEqualTo(String.valueOf(c));
      assertThat(s.length()).isEqualTo(1);
      assertThat(s.knownAscii()).isTrue();
    }
    int seen = 0;
    for (Doc d : docs) {
      for (Item n = d.getText("t").start; n != null; n = n.right) {
        if (n.content instanceof ContentString s && s.isShared()) {
          assertThat(n.length).as(where + ", an item holding a shared content").isEqualTo(1);
          seen++;
        }
      }
    }
    return seen;
  }

  /** {@code i}, or one less if it would fall between the halves of a surrogate pair. */
  private static int safeIndex(CharSequence s, int i) {
    return i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i)) ? i - 1 : i;
  }
}
