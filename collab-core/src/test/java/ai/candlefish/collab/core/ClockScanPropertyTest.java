package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Updates#clockRanges} (which skips content) against {@link Updates#parseMeta} (which decodes it): the same
 * answer for real updates of every content kind (text with surrogate pairs, embeds and formatting, values of every
 * kind, nested and XML types, subdocuments, deletions, garbage-collected structs), as written, merged from some of a
 * history (Skips between them), as a diff against another replica and as a whole state. Seeded; a failure names its
 * seed: {@code -DclockScan.seed=<seed> -DclockScan.runs=1}; {@code -DclockScan.runs=2000} for a long run.
 */
class ClockScanPropertyTest {
  private static final long[] CLIENTS = {1, 7, 300, 70_000, 3_000_000_000L};

  @Test
  void clockRanges_ofRealUpdates_areParseMetas() {
    int done = SeededRuns.named("clockScan", 0xC10CL, 60).within(10_000).forEach((seed, run) -> check(seed));
    assertThat(done).isGreaterThanOrEqualTo(3);
  }

  private static void check(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    boolean gc = rnd.nextBoolean();
    RandomEdits edits = new RandomEdits(rnd, true, true);
    List<Doc> docs = new ArrayList<>();
    List<byte[]> history = new ArrayList<>();
    for (long client : CLIENTS) {
      if (rnd.nextBoolean() || docs.isEmpty()) {
        Doc d = Doc.newBuilder().clientId(client).gc(gc).build();
        d.onUpdate((u, origin, txn) -> history.add(u.clone()));
        docs.add(d);
      }
    }
    for (int step = 10 + rnd.nextInt(30); step > 0; step--) {
      Doc d = docs.get(rnd.nextInt(docs.size()));
      if (rnd.nextInt(3) == 0) {
        Doc other = docs.get(rnd.nextInt(docs.size()));
        d.applyUpdate(other.encodeStateAsUpdate(d.encodeStateVector()));
      }
      if (rnd.nextInt(8) == 0) {
        Doc sub = Doc.newBuilder().guid("sub-" + rnd.nextInt(1000)).build();
        if (rnd.nextBoolean()) {
          d.getMap("m").set("sub" + rnd.nextInt(4), sub);
        } else {
          d.getArray("a").insert(0, List.of(sub));
        }
      } else {
        YjsInterop.apply(d, edits.randomOp(d));
      }
    }
    List<byte[]> updates = new ArrayList<>(history);
    for (int i = 0; i < 4; i++) {
      List<byte[]> some = new ArrayList<>();
      for (byte[] u : history) {
        if (rnd.nextInt(3) == 0) {
          some.add(u);
        }
      }
      updates.add(Updates.merge(some));
      Doc a = docs.get(rnd.nextInt(docs.size()));
      Doc b = docs.get(rnd.nextInt(docs.size()));
      updates.add(a.encodeStateAsUpdate(b.encodeStateVector()));
      updates.add(a.encodeStateAsUpdate());
    }
    for (byte[] update : updates) {
      Updates.UpdateMeta expected = Updates.parseMeta(update);
      Updates.UpdateMeta actual = Updates.clockRanges(update);
      assertThat(actual.from()).as("from, seed %d", seed).isEqualTo(expected.from());
      assertThat(actual.to()).as("to, seed %d", seed).isEqualTo(expected.to());
      assertThat(List.copyOf(actual.to().keySet())).as("clients' order, seed %d", seed)
          .isEqualTo(List.copyOf(expected.to().keySet()));
    }
  }

  @Test
  void clockRanges_ofAClientListedTwice_isParseMetas() {
    // Client 5 with clocks 0-2, client 6, then client 5 again from clock 10: the later run wins, in the first's place.
    byte[] update = {3, 1, 5, 0, 4, 1, 1, 't', 2, 'a', 'b', 1, 6, 0, 4, 1, 1, 't', 1, 'x',
        1, 5, 10, 4, 1, 1, 't', 3, 'x', 'y', 'z', 0};
    assertThat(Updates.clockRanges(update)).isEqualTo(Updates.parseMeta(update));
    assertThat(Updates.clockRanges(update).to()).isEqualTo(Map.of(5L, 13, 6L, 1));
  }
}
