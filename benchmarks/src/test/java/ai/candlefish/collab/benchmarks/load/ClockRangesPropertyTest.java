package ai.candlefish.collab.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.core.YArray;
import ai.candlefish.collab.core.YMap;
import ai.candlefish.collab.core.YText;
import ai.candlefish.collab.core.YXmlElement;
import ai.candlefish.collab.core.YXmlHook;
import ai.candlefish.collab.core.YXmlText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ClockRanges} against core's {@link Updates#parseMeta} on the updates of random edits by three clients (every
 * content kind: strings with characters outside the BMP, deletions, formats, embeds, binaries, nested and named
 * types, map values that go to core) and on merges of them. Seeded; the seed is in every failure's message.
 */
class ClockRangesPropertyTest {
  private static final int RUNS = Integer.getInteger("clockRanges.runs", 50);
  private static final String[] PIECES = {"a", "bc", "é", "日本", "😀", "x😀y", "\u0000", "ab\ncd"};

  @Test
  void read_givesWhatParseMetaGives_forEveryUpdateAndMergeOfThem() {
    long base = Long.getLong("clockRanges.seed", System.nanoTime());
    for (int run = 0; run < RUNS; run++) {
      long seed = base + run;
      List<byte[]> updates = updates(new SplittableRandom(seed));
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < 10; i++) {
        List<byte[]> some = new ArrayList<>();
        updates.forEach(u -> {
          if (random.nextInt(3) == 0) {
            some.add(u);
          }
        });
        updates.add(Updates.merge(some));
      }
      ClockRanges ranges = new ClockRanges();
      for (byte[] update : updates) {
        byte[] framed = new byte[update.length + 5];
        System.arraycopy(update, 0, framed, 3, update.length);
        ranges.read(framed, 3, update.length);
        assertThat(read(ranges)).as("seed %d, update %s", seed, Updates.log(update)).isEqualTo(core(update));
      }
    }
  }

  @Test
  void read_ofATruncatedUpdate_failsWithWhere() {
    Doc doc = Doc.newBuilder().clientId(5).build();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u));
    doc.getText("t").insert(0, "hello");
    byte[] update = updates.get(0);

    assertThatThrownBy(() -> new ClockRanges().read(update, 0, update.length - 8))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed update");
  }

  private static Map<Long, List<Long>> read(ClockRanges ranges) {
    Map<Long, List<Long>> out = new LinkedHashMap<>();
    for (int i = 0; i < ranges.size(); i++) {
      out.put(ranges.client(i), List.of(ranges.from(i), ranges.to(i)));
    }
    return out;
  }

  private static Map<Long, List<Long>> core(byte[] update) {
    Updates.UpdateMeta meta = Updates.parseMeta(update);
    Map<Long, List<Long>> out = new LinkedHashMap<>();
    meta.to().forEach((client, to) -> out.put(client, List.of((long) meta.from().get(client), (long) to)));
    return out;
  }

  /** The updates of 30 random transactions of three clients that sync now and then. */
  private static List<byte[]> updates(SplittableRandom random) {
    List<Doc> docs = List.of(Doc.newBuilder().clientId(1).build(), Doc.newBuilder().clientId(2).build(),
        Doc.newBuilder().clientId(300_000).build());
    List<byte[]> updates = new ArrayList<>();
    docs.forEach(d -> d.onUpdate((u, origin, txn) -> updates.add(u)));
    for (int step = 0; step < 30; step++) {
      Doc doc = docs.get(random.nextInt(docs.size()));
      doc.transact(txn -> {
        for (int op = 1 + random.nextInt(3); op > 0; op--) {
          change(doc, random);
        }
      });
      if (random.nextInt(4) == 0) {
        for (Doc to : docs) {
          docs.forEach(from -> to.applyUpdate(from.encodeStateAsUpdate(to.encodeStateVector())));
        }
      }
    }
    return updates;
  }

  private static void change(Doc doc, SplittableRandom random) {
    YText text = doc.getText("t");
    YArray array = doc.getArray("a");
    switch (random.nextInt(8)) {
      case 0, 1 -> text.insert(random.nextInt(text.length() + 1), PIECES[random.nextInt(PIECES.length)]);
      case 2 -> {
        if (text.length() > 1) {
          int at = random.nextInt(text.length() - 1);
          text.delete(at, 1 + random.nextInt(Math.min(3, text.length() - at)));
        }
      }
      case 3 -> {
        if (text.length() > 0) {
          text.format(0, 1 + random.nextInt(text.length()), Map.of("bold", random.nextBoolean()));
        }
        text.insertEmbed(random.nextInt(text.length() + 1), Map.of("image", "i.png"));
      }
      case 4 -> array.insert(random.nextInt(array.length() + 1), List.of(new byte[] {1, 2}, "s", 3));
      case 5 -> array.push(List.of(new YMap(), new YText("nested"), new YArray()));
      case 6 -> doc.getXmlFragment("x").push(List.of(new YXmlElement("p"), new YXmlHook("h"), new YXmlText("xt")));
      default -> doc.getMap("m").set("k" + random.nextInt(3), random.nextInt(100));
    }
  }
}
