package ai.candlefish.collab.core;

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
 * Relative positions in every kind of type, nested anywhere, against real Yjs: random sessions of replicas
 * ({@link TwinSession}; edits anywhere by {@link PathEdits}; undo and redo by an {@link UndoManager} over the whole
 * document) in which replicas create positions at random indexes of random types: texts, arrays, XML fragments and
 * elements, XML texts, maps (which have no list part), roots and nested types, both {@code assoc} signs, at the ends
 * and past them. Each position's encoding and JSON must be Yjs's, and each JSON must read back on both sides as the
 * same position. After every step of a replica, every position created so far must resolve on it to the same type and
 * index as on its twin, following undone deletions and not: positions whose item or type was deleted, collected, or
 * re-created by an undo or a redo.
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.positions.seed=<seed> -Dyjs.positions.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class NestedPositionsDifferentialPropertyTest {
  private static final int RUNS = 40;
  private static final long BUDGET_MILLIS = 12_000;
  private static final Map<String, String> ROOTS = YjsSurfacePropertyTest.ROOTS;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void positionsAnywhere_encodeAndResolveAsInYjs() {
    int[] resolved = {0};
    int runs = SeededRuns.named("yjs.positions", 0x9051_7105L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> resolved[0] += new Run(seed, "p" + run).execute());
    assertThat(resolved[0]).isGreaterThan(runs * 10);
  }

  /** An absolute position as {@code peer-extras.mjs}'s {@code absPos} describes it: type, index and assoc, or null. */
  static Object describe(AbsolutePosition p) {
    if (p == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    SharedType t = p.type();
    m.put("type", t.item == null ? "root:" + t.rootName : t.item.client + ":" + t.item.clock);
    m.put("index", p.index());
    m.put("assoc", p.assoc());
    return m;
  }

  private static final class Run {
    private final TwinSession session;
    private final SplittableRandom rnd;
    private final String prefix;
    private final PathEdits edits;
    private final Map<String, UndoManager> undo = new LinkedHashMap<>();
    private final List<byte[]> positions = new ArrayList<>();
    private int resolved;

    Run(long seed, String prefix) {
      this.session = new TwinSession(peer, seed, ROOTS, this::resolveAll);
      this.rnd = session.rnd;
      this.prefix = prefix;
      this.edits = new PathEdits(rnd, ROOTS);
    }

    int execute() {
      boolean gc = rnd.nextInt(3) != 0;
      int n = 2 + rnd.nextInt(2);
      for (int i = 0; i < n; i++) {
        TwinSession.Twin t = session.add(prefix + "-" + i, 20 + i * 11 + rnd.nextInt(7), gc);
        undo.put(t.id, session.addUndoManager(t));
      }
      session.run(20 + rnd.nextInt(30), 60, this::localStep,
          () -> session.twins.forEach(t -> resolveAll(t, "at the end")));
      return resolved;
    }

    /** Positions created on {@code t} now (sometimes), then an edit, an undo or a redo of it. */
    private void localStep(TwinSession.Twin t) {
      for (int k = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 0; k > 0; k--) {
        createPosition(t);
      }
      Map<String, Object> op = new LinkedHashMap<>();
      int dice = rnd.nextInt(100);
      if (dice < 12) {
        op.put("op", "undo");
        undo.get(t.id).undo();
      } else if (dice < 18) {
        op.put("op", "redo");
        undo.get(t.id).redo();
      } else {
        Map<String, Object> one = edits.randomOp(t.doc);
        t.doc.transact(txn -> edits.perform(t.doc, one));
        op.put("op", "pathOps");
        op.put("roots", ROOTS);
        op.put("ops", List.of(one));
      }
      session.applied(t, op);
    }

    private void createPosition(TwinSession.Twin t) {
      List<PathEdits.Located> all = edits.types(t.doc);
      PathEdits.Located at = all.get(rnd.nextInt(all.size()));
      int length = at.type().length;
      int index = switch (rnd.nextInt(6)) {
        case 0 -> 0;
        case 1 -> length;
        case 2 -> length + 1 + rnd.nextInt(2); // past the end
        default -> rnd.nextInt(length + 1);
      };
      int assoc = List.of(-1, 0, 1, -5).get(rnd.nextInt(4));
      RelativePosition ours = RelativePosition.fromTypeIndex(at.type(), index, assoc);
      Map<String, Object> cmd = new LinkedHashMap<>();
      cmd.put("op", "relPos");
      cmd.put("id", t.id);
      cmd.put("at", at.path());
      cmd.put("roots", ROOTS);
      cmd.put("index", index);
      cmd.put("assoc", assoc);
      Map<String, Object> reply = peer.request(cmd);
      String what = "position " + Json.stringify(cmd);
      session.log.add(t.id + " " + what + " -> " + Json.stringify(reply.get("json")));
      byte[] theirs = YjsInterop.fromBase64(reply.get("encoded"));
      assertThat(YjsInterop.base64(ours.encode())).as("encoded %s", what).isEqualTo(YjsInterop.base64(theirs));
      assertThat(Json.stringify(ours.toJson())).as("JSON of %s", what).isEqualTo(Json.stringify(reply.get("json")));
      assertThat(RelativePosition.fromJson(reply.get("json"))).as("Yjs's JSON of %s read", what).isEqualTo(ours);
      Map<String, Object> fromJson = new LinkedHashMap<>();
      fromJson.put("op", "jsonPos");
      fromJson.put("json", ours.toJson());
      assertThat(peer.request(fromJson).get("encoded")).as("our JSON of %s read by Yjs", what)
          .isEqualTo(YjsInterop.base64(theirs));
      positions.add(theirs);
    }

    /** Every position so far resolved on {@code t} and on its twin, following undone deletions and not. */
    private void resolveAll(TwinSession.Twin t, String when) {
      if (positions.isEmpty()) {
        return;
      }
      List<Object> encoded = positions.stream().map(p -> (Object) YjsInterop.base64(p)).toList();
      for (boolean follow : List.of(true, false)) {
        Map<String, Object> cmd = new LinkedHashMap<>();
        cmd.put("op", "absPositions");
        cmd.put("id", t.id);
        cmd.put("encoded", encoded);
        cmd.put("follow", follow);
        Object theirs = peer.request(cmd).get("abs");
        List<Object> ours = new ArrayList<>();
        for (byte[] p : positions) {
          ours.add(absolute(p, t.doc, follow));
        }
        assertThat(Json.stringify(ours)).as("positions resolved on %s %s (follow %s): %s", t.id, when, follow,
            encoded).isEqualTo(Json.stringify(theirs));
        resolved += positions.size();
      }
    }

    private static Object absolute(byte[] position, Doc doc, boolean follow) {
      try {
        return describe(RelativePosition.decode(position).toAbsolute(doc, follow));
      } catch (RuntimeException e) {
        return Map.of("error", true);
      }
    }
  }
}
