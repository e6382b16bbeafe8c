package ai.candlefish.collab.core;

import static ai.candlefish.collab.core.OutOfRangeDifferentialTest.op;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Y.Text edits with negative indexes and lengths among ordinary ones, against real Yjs (see
 * {@link OutOfRangeDifferentialTest}): every step fails on both sides or on neither, writes the same update and
 * leaves the same content. Long enough that Yjs's search markers are in play (a negative index moves one to the
 * start), with formatting so that deletes and formats of negative length meet format marks, and with
 * {@link YText#cleanupFormatting()} (Yjs's {@code cleanupYTextFormatting}) removing the marks they leave.
 *
 * <p>Every position lookup is also walked from the marker alone ({@link SearchMarkers#crossCheck}): a negative index
 * moves a marker to the start, and the cached lookup must end where the plain walk does.
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.negative.seed=<seed> -Dyjs.negative.runs=1} reruns it).
 */
@ExtendWith({YjsPeerExtension.class, CrossCheckedLookups.class})
class NegativeIndexDifferentialPropertyTest {
  private static final int RUNS = 30;
  private static final int STEPS = 60;
  private static final long BUDGET_MILLIS = 8_000;
  private static final List<Map<String, Object>> ATTRS = List.of(Map.of("b", true), Map.of("i", 1), Map.of());

  private static YjsPeer peer; // started and closed by YjsPeerExtension
  @Test
  void randomTextEdits_withNegativeIndexesAndLengths_asYjs() {
    SeededRuns.named("yjs.negative", 0x4E_6A_71L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> OutOfRangeDifferentialTest.run(peer, "neg" + run, ops(new SplittableRandom(seed))));
  }

  private static List<Map<String, Object>> ops(SplittableRandom random) {
    List<Map<String, Object>> ops = new ArrayList<>();
    // Plain typing first (a text with search markers, as long as no format mark arrives), then anything.
    int length = 0;
    for (int i = 0; i < STEPS; i++) {
      boolean formatted = i >= STEPS / 2;
      int index = random.nextInt(-4, length + 3);
      int len = random.nextInt(-3, 7);
      Map<String, Object> attrs = ATTRS.get(random.nextInt(ATTRS.size()));
      Map<String, Object> op = switch (random.nextInt(formatted ? 6 : 2)) {
        case 0 -> op("op", "insertText", "name", "t", "index", index, "text", "abcdefgh".substring(random.nextInt(8)));
        case 1 -> op("op", "deleteText", "name", "t", "index", index, "len", len);
        case 2 -> op("op", "formatText", "name", "t", "index", index, "len", len, "attrs", attrs);
        case 3 -> op("op", "insertText", "name", "t", "index", index, "text", "xy", "attrs", attrs);
        case 4 -> op("op", "cleanupYTextFormatting", "name", "t");
        default -> op("op", "insertEmbed", "name", "t", "index", index, "embed", Map.of("e", i));
      };
      ops.add(new LinkedHashMap<>(op));
      length = Math.max(0, length + switch ((String) op.get("op")) {
        case "insertText" -> ((String) op.get("text")).length();
        case "insertEmbed" -> 1;
        case "deleteText" -> -Math.max(0, len);
        default -> len > 0 && index + len > length ? index + len - length : 0;
      });
    }
    return ops;
  }
}
