package ai.candlefish.collab.core;

import static ai.candlefish.collab.core.YjsOps.cmd;
import static ai.candlefish.collab.core.YjsOps.op;
import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Position lookup in long lists against real Yjs: where the search markers and the hints that shorten their walks
 * ({@link SearchHints}) decide which item an index lands on, which decides the bytes of every update. Replica A (a
 * Java doc and its Yjs twin, same client id) grows a text and an array to a few thousand items with transactions of
 * many random inserts, embeds and deletes at random positions (deleted ranges that later inserts land beside) and
 * of typing and backspacing at a cursor (clock runs of one-character items, which one transaction leaves unmerged),
 * receives concurrent edits of replica B now and then (which drops the markers), undoes and redoes with an
 * {@link UndoManager} (which re-links items the markers were not told about), and late in some runs formats text
 * (which turns Yjs's text markers off). After every transaction A's update events must equal its twin's, byte for
 * byte; at the end the whole states too.
 *
 * <p>Every lookup is also walked from the marker alone ({@link SearchMarkers#crossCheck}) and must end at the same
 * item; a walk of more than one item leaves a hint, so that hints are used everywhere, not only in long walks. So
 * are the lookups that replace Yjs's walks over deleted items (a marker's item deleted, a delete at the start of
 * tombstones): each is walked Yjs's way too, and both kinds must have happened. A received item's right origin
 * taken from the item after its left origin ({@link Item#getMissing}) is looked up in the struct list too.
 * Seeded; a failure names its seed: rerun with {@code -Dlonglist.seed=<seed> -Dlonglist.runs=1}.
 */
@ExtendWith({YjsPeerExtension.class, CrossCheckedLookups.class})
class LongListDifferentialPropertyTest {
  private static final int RUNS = 4;
  private static final Map<String, String> ROOTS = TwinReplica.ROOTS;

  private static YjsPeer peer; // started and closed by YjsPeerExtension
  @BeforeEach
  void countLookups() {
    SearchMarkers.hintedMoves = 0;
    SearchMarkers.hintedSkips = 0;
    SearchMarkers.cachedRuns = 0;
    SearchMarkers.neighbourRightOrigins = 0;
  }

  @Test
  void randomEditsInLongLists_giveYjsBytes() {
    SeededRuns.named("longlist", 0x10_4617L, RUNS).forEach((seed, run) -> {
      Run r = new Run(seed, "l" + run);
      try {
        r.execute();
      } catch (AssertionError | RuntimeException e) {
        throw SeededRuns.withLastSteps(e, r.log, 5);
      } finally {
        r.drop();
      }
    });
    assertThat(SearchMarkers.hintedMoves).as("markers moved off deleted items by a lookup from a hint").isPositive();
    assertThat(SearchMarkers.hintedSkips).as("tombstones skipped by a lookup from a hint").isPositive();
    assertThat(SearchMarkers.cachedRuns).as("walks to a run start that stopped at the cached run").isPositive();
    assertThat(SearchMarkers.neighbourRightOrigins).as("received right origins taken from the left one's neighbour")
        .isPositive();
  }

  private static final class Run {
    private final SplittableRandom rnd;
    private final String a;
    private final String b;
    private final TwinReplica replicaA;
    private final TwinReplica replicaB;
    private final UndoManager undo;
    final List<String> log = new ArrayList<>();
    /** Where the last text insert ended (typing goes on there), or -1. */
    private int cursor = -1;

    Run(long seed, String prefix) {
      rnd = new SplittableRandom(seed);
      a = prefix + "-a";
      b = prefix + "-b";
      replicaA = new TwinReplica(peer, a, 1 + rnd.nextInt(1000), rnd.nextBoolean());
      replicaB = new TwinReplica(peer, b, 1001 + rnd.nextInt(1000), true);
      undo = UndoManager.newBuilder(replicaA.doc.getText("t"), replicaA.doc.getArray("a"))
          .captureTimeout(Duration.ZERO).build();
      Map<String, Object> c = cmd("undoManager", a);
      c.put("scope", List.of(Map.of("name", "t", "kind", "text"), Map.of("name", "a", "kind", "array")));
      c.put("captureTimeout", 0);
      peer.request(c);
    }

    void execute() {
      boolean formatLate = rnd.nextBoolean();
      int steps = 40;
      // Undo can shrink the text: a run goes on (up to three times as long) until the text is long.
      for (int step = 0; step < steps || (replicaA.doc.getText("t").length() <= 1000 && step < 3 * steps); step++) {
        int dice = rnd.nextInt(100);
        if (dice < 70) {
          transaction(replicaA, 20 + rnd.nextInt(150), formatLate && step > steps * 3 / 4);
        } else if (dice < 80) {
          transaction(replicaB, 1 + rnd.nextInt(20), false);
          exchange();
        } else if (dice < 92) {
          undoOrRedo(dice < 88 ? "undo" : "redo");
        } else {
          transaction(replicaA, 1, false);
        }
      }
      exchange();
      assertThat(YjsInterop.base64(replicaA.doc.encodeStateAsUpdate())).as("state of A (Java vs Yjs)")
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(a, null)));
      assertThat(replicaA.doc.getText("t").toString()).isEqualTo(replicaB.doc.getText("t").toString());
      assertThat(replicaA.doc.getText("t").length()).as("the text grew long").isGreaterThan(1000);
    }

    /** {@code count} random edits in one transaction, on the Java replica and then on its twin. */
    private void transaction(TwinReplica r, int count, boolean format) {
      List<Object> ops = new ArrayList<>();
      r.doc.transact(txn -> {
        for (int i = 0; i < count; i++) {
          Map<String, Object> op = randomOp(r.doc, format);
          YjsInterop.apply(r.doc, op);
          ops.add(op);
        }
      });
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("op", "transact");
      op.put("ops", ops);
      log.add(r.id + " " + Json.stringify(op));
      peer.apply(r.id, op);
      TwinReplica.assertSameEvents(r.id + " after a transaction of " + count, r.takeEvents(), peer.updates(r.id));
    }

    private Map<String, Object> randomOp(Doc doc, boolean format) {
      int textLength = doc.getText("t").length();
      int arrayLength = doc.getArray("a").length();
      if (cursor > textLength) {
        cursor = -1;
      }
      int typing = rnd.nextInt(100);
      if (cursor >= 0 && typing < 25) {
        // Typing: one character after the last, or backspacing, which in one transaction leaves long clock runs of
        // one-character items (and tombstones among them) for the search markers to walk.
        if (typing < 21 || cursor == 0) {
          String letter = String.valueOf((char) ('a' + rnd.nextInt(26)));
          return op("insertText", "t", Map.of("index", cursor++, "text", letter));
        }
        return op("deleteText", "t", Map.of("index", --cursor, "len", 1));
      }
      int dice = rnd.nextInt(100);
      if (dice < 45 || textLength == 0) {
        int index = rnd.nextInt(textLength + 1);
        String word = word();
        cursor = index + word.length();
        return op("insertText", "t", Map.of("index", index, "text", word));
      } else if (dice < 62) {
        int index = rnd.nextInt(textLength);
        return op("deleteText", "t", Map.of("index", index, "len", 1 + rnd.nextInt(Math.min(12, textLength - index))));
      } else if (dice < 66) {
        return op("insertEmbed", "t", Map.of("index", rnd.nextInt(textLength + 1),
            "embed", Map.of("image", "i" + rnd.nextInt(9) + ".png")));
      } else if (dice < 68 && format) {
        int index = rnd.nextInt(textLength);
        return op("formatText", "t", Map.of("index", index, "len", 1 + rnd.nextInt(Math.min(30, textLength - index)),
            "attrs", Collections.singletonMap(rnd.nextBoolean() ? "bold" : "italic", rnd.nextBoolean() ? true : null)));
      } else if (dice < 88 || arrayLength == 0) {
        List<Object> values = new ArrayList<>();
        for (int i = rnd.nextInt(1, 4); i > 0; i--) {
          values.add(rnd.nextInt(1000));
        }
        return op("arrayInsert", "a", Map.of("index", rnd.nextInt(arrayLength + 1),
            "values", YjsInterop.toTagged(values)));
      }
      int index = rnd.nextInt(arrayLength);
      return op("arrayDelete", "a", Map.of("index", index, "len", 1 + rnd.nextInt(Math.min(5, arrayLength - index))));
    }

    private String word() {
      StringBuilder sb = new StringBuilder();
      for (int i = rnd.nextInt(1, 8); i > 0; i--) {
        sb.append((char) ('a' + rnd.nextInt(26)));
      }
      return sb.toString();
    }

    /** Each side sends what the other lacks, Java's bytes to the Yjs twin and the twin's to the Java doc. */
    private void exchange() {
      send(replicaA, replicaB);
      send(replicaB, replicaA);
    }

    private void send(TwinReplica from, TwinReplica to) {
      byte[] sv = to.doc.encodeStateVector();
      byte[] fromJava = from.doc.encodeStateAsUpdate(sv);
      byte[] fromYjs = peer.encodeStateAsUpdate(from.id, sv);
      assertThat(YjsInterop.base64(fromJava)).as("%s's update for %s (Java vs Yjs)", from.id, to.id)
          .isEqualTo(YjsInterop.base64(fromYjs));
      log.add(to.id + " <- " + from.id);
      to.doc.applyUpdate(fromYjs, "remote"); // the origin the Yjs peer applies with
      peer.applyUpdate(to.id, fromJava);
      TwinReplica.assertSameEvents(to.id + " applying " + from.id + "'s update", to.takeEvents(), peer.updates(to.id));
    }

    private void undoOrRedo(String which) {
      UndoManager.StackItem result = which.equals("undo") ? undo.undo() : undo.redo();
      boolean yjsChanged = Boolean.TRUE.equals(peer.request(cmd(which, a)).get("changed"));
      log.add(which + " -> " + (result != null));
      assertThat(result != null).as("%s changed something (Java) vs Yjs", which).isEqualTo(yjsChanged);
      TwinReplica.assertSameEvents(a + " after " + which, replicaA.takeEvents(), peer.updates(a));
    }

    void drop() {
      undo.close();
      peer.drop(a);
      peer.drop(b);
    }
  }
}
