package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reading a document's history below its roots, against real Yjs: every type reachable at a snapshot, as
 * y-prosemirror renders a version of an XML document. Random sessions ({@link TwinSession}: concurrent edits anywhere
 * in maps, arrays, texts, XML elements and XML texts nested in each other ({@link PathEdits}), delivered in random
 * order and merged; in half of the sessions undone and redone by an {@link UndoManager} over each replica's document,
 * which deletes types and re-creates deleted ones as new items, as an editor's undo of a deleted paragraph does),
 * snapshots taken along the way by any replica, and then read on any replica, each against its
 * Yjs twin ({@code snapshot-ops.mjs}'s {@code snapshotTree}), from the roots down through what was there at the
 * snapshot (types deleted since included):
 *
 * <ul>
 *   <li>{@link YMap#toMap(Snapshot)} (Yjs {@code typeMapGetAllSnapshot}), {@link YArray#toList(Snapshot)} and
 *       {@link YXmlFragment#toList(Snapshot)} ({@code typeListToArraySnapshot}, also at y-prosemirror's
 *       {@code new Snapshot(prevSnapshot.ds, snapshot.sv)}, {@link Snapshot#withStateVector});
 *   <li>{@link YXmlElement#getAttributes(Snapshot)}, {@link YText#getAttributes(Snapshot)} of an XML text, and
 *       {@link SharedType#isVisible(Snapshot)} of every nested type;
 *   <li>{@link YText#toDelta(Snapshot, Snapshot, YText.YChangeFunction)} of texts and XML texts, with no previous
 *       snapshot or a random one, with or without {@code ychange} attributes;
 *   <li>{@link Snapshot#toDoc}: Yjs's {@code createDocFromSnapshot} bytes, or a failure on both sides (a replica with
 *       garbage collection, a snapshot of a replica that had received more).
 * </ul>
 *
 * <p>Reading changes nothing: the session's later comparisons (update events, observers, states) would see it.
 * Seeded; a failure names its seed ({@code -Dyjs.snaptree.seed=<seed> -Dyjs.snaptree.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class SnapshotTreeDifferentialPropertyTest {
  private static final int RUNS = 60;
  private static final long BUDGET_MILLIS = 10_000;
  private static final Map<String, String> ROOTS = new LinkedHashMap<>(YjsSurfacePropertyTest.ROOTS);

  static {
    ROOTS.put("w", "xmlText");
  }

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void randomSessions_typesAtSnapshotsReadAsYjsReadsThem() {
    SeededRuns.named("yjs.snaptree", 0x5_7EE5L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "st" + run).execute());
  }

  private static final class Run {
    private final TwinSession session;
    private final SplittableRandom rnd;
    private final String prefix;
    private final PathEdits edits;
    /** Every snapshot taken, as Java encoded it (checked equal to Yjs's bytes). */
    private final List<byte[]> snapshots = new ArrayList<>();
    private boolean gc;
    private final Map<String, UndoManager> undo = new LinkedHashMap<>();

    Run(long seed, String prefix) {
      this.session = new TwinSession(peer, seed, ROOTS, this::afterStep);
      this.rnd = session.rnd;
      this.prefix = prefix;
      this.edits = new PathEdits(rnd, ROOTS);
    }

    void execute() {
      gc = rnd.nextInt(4) == 0;
      int n = 2 + rnd.nextInt(2);
      for (int i = 0; i < n; i++) {
        session.add(prefix + "-" + i, 30 + i * 13 + rnd.nextInt(9), gc);
      }
      session.log.add("gc=" + gc);
      if (rnd.nextBoolean()) {
        session.log.add("undo managers");
        session.twins.forEach(t -> undo.put(t.id, session.addUndoManager(t)));
      }
      try {
        session.run(30 + rnd.nextInt(50), 60, this::localStep, this::atEnd);
      } finally {
        undo.values().forEach(UndoManager::close);
      }
    }

    private void localStep(TwinSession.Twin t) {
      UndoManager manager = undo.get(t.id);
      if (manager == null || rnd.nextInt(3) != 0) {
        localEdit(t);
        return;
      }
      String which = rnd.nextInt(3) == 0 ? "redo" : "undo";
      boolean changed = (which.equals("undo") ? manager.undo() : manager.redo()) != null;
      assertThat(changed).as("%s changed something on %s", which, t.id)
          .isEqualTo(session.applied(t, Map.of("op", which)).get("changed"));
    }

    private void localEdit(TwinSession.Twin t) {
      List<Map<String, Object>> ops = new ArrayList<>();
      int count = rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(2) : 1;
      t.doc.transact(txn -> {
        for (int i = 0; i < count; i++) {
          Map<String, Object> one = edits.randomOp(t.doc);
          edits.perform(t.doc, one);
          ops.add(one);
        }
      });
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("op", "pathOps");
      op.put("roots", ROOTS);
      op.put("ops", ops);
      session.applied(t, op);
    }

    private void afterStep(TwinSession.Twin t, String when) {
      int dice = rnd.nextInt(100);
      if (dice < 25 || snapshots.isEmpty()) {
        takeSnapshot(t);
      } else if (dice < 55) {
        compareTree(t);
      } else if (dice < 62) {
        compareRestored(t, rnd.nextInt(snapshots.size()));
      }
    }

    private void atEnd() {
      takeSnapshot(session.twins.get(0));
      for (TwinSession.Twin t : session.twins) {
        for (int i = 0; i < 4; i++) {
          compareTree(t);
        }
        for (int i = 0; i < snapshots.size(); i++) {
          compareRestored(t, i);
        }
      }
    }

    private void takeSnapshot(TwinSession.Twin t) {
      byte[] java = Snapshot.of(t.doc).encode();
      byte[] yjs = YjsInterop.fromBase64(peer.request(cmd("snapshot", t.id)).get("snapshot"));
      session.log.add(t.id + " snapshot #" + snapshots.size());
      assertThat(YjsInterop.base64(java)).as("snapshot of %s", t.id).isEqualTo(YjsInterop.base64(yjs));
      snapshots.add(java);
    }

    private void compareTree(TwinSession.Twin t) {
      byte[] snap = snapshots.get(rnd.nextInt(snapshots.size()));
      byte[] prev = rnd.nextInt(3) == 0 ? null : snapshots.get(rnd.nextInt(snapshots.size()));
      boolean ychange = rnd.nextBoolean();
      boolean merged = rnd.nextBoolean();
      session.log.add(t.id + " tree at #" + snapshots.indexOf(snap) + " prev #" + snapshots.indexOf(prev)
          + (ychange ? " ychange" : "") + (merged ? " merged" : ""));
      Map<String, Object> c = cmd("snapshotTree", t.id);
      c.put("roots", ROOTS);
      c.put("snapshot", YjsInterop.base64(snap));
      if (prev != null) {
        c.put("prevSnapshot", YjsInterop.base64(prev));
      }
      c.put("ychange", ychange ? "client" : "none");
      c.put("merged", merged);
      Object expected = YjsInterop.toJava(peer.request(c).get("tree"));

      Snapshot snapshot = Snapshot.decode(snap);
      Snapshot prevSnapshot = prev == null ? null : Snapshot.decode(prev);
      Tree tree = new Tree(snapshot, prevSnapshot, ychange, merged);
      Map<String, Object> actual = new LinkedHashMap<>();
      ROOTS.forEach((name, kind) -> actual.put(name, tree.node(Twins.root(t.doc, name, kind))));
      assertThat(YjsInterop.difference("tree", expected, actual)).as("%s at a snapshot", t.id).isNull();
    }

    /**
     * Snapshot.toDoc of snapshot #i on t, against createDocFromSnapshot: the same bytes, or both refuse (a snapshot
     * taken by a replica that had received more, or any snapshot of a replica with gc on).
     */
    private void compareRestored(TwinSession.Twin t, int i) {
      Snapshot snapshot = Snapshot.decode(snapshots.get(i));
      if (undo.containsKey(t.id) && !holds(t.doc, snapshot)) {
        // Yjs fails inside a transaction, which its undo manager records (an empty step; the redo stack cleared);
        // ours refuses before (YJS-PARITY.md, createDocFromSnapshot; seed 2000016)
        session.log.add(t.id + " createDocFromSnapshot #" + i + " skipped: the snapshot holds more than " + t.id);
        return;
      }
      String newId = t.id + "-restored";
      Map<String, Object> c = cmd("createDocFromSnapshot", t.id);
      c.put("snapshot", YjsInterop.base64(snapshots.get(i)));
      c.put("newId", newId);
      session.log.add(t.id + " createDocFromSnapshot #" + i);
      SameOutcomes outcomes = new SameOutcomes();
      try {
        outcomes.same(t.id + " restored at snapshot #" + i, () -> snapshot.toDoc(t.doc).encodeStateAsUpdate(),
            () -> YjsInterop.fromBase64(peer.request(c).get("update")));
      } finally {
        try {
          peer.drop(newId);
        } catch (YjsPeer.PeerException absent) {
          // Yjs refused to make it
        }
      }
      outcomes.assertNoDifferences();
    }

    /** Whether {@code doc} holds every insertion of {@code snapshot}. */
    private static boolean holds(Doc doc, Snapshot snapshot) {
      StateVector have = doc.stateVector();
      return snapshot.stateVector().toMap().entrySet().stream().allMatch(e -> e.getValue() <= have.get(e.getKey()));
    }

    private static Map<String, Object> cmd(String op, String id) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("op", op);
      c.put("id", id);
      return c;
    }
  }

  /** The Java side of snapshot-ops.mjs's snapshotTree: the same nodes, from the public reads at a snapshot. */
  private record Tree(Snapshot snapshot, Snapshot prev, boolean ychange, boolean merged) {
    Map<String, Object> node(SharedType t) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("type", YjsSurfacePropertyTest.typeName(t));
      out.put("kind", YjsSurfacePropertyTest.kindOf(t));
      if (t.item != null) {
        out.put("visible", t.isVisible(snapshot));
      }
      Snapshot listing = merged && prev != null ? prev.withStateVector(snapshot.stateVector()) : snapshot;
      if (t instanceof YMap m) {
        Map<String, Object> entries = new LinkedHashMap<>();
        m.toMap(snapshot).forEach((k, v) -> entries.put(k, value(v)));
        out.put("entries", entries);
      } else if (t instanceof YArray a) {
        out.put("children", a.toList(listing).stream().map(this::value).toList());
      } else if (t instanceof YXmlFragment f) {
        out.put("children", f.toList(listing).stream().map(this::value).toList());
      }
      if (t instanceof YXmlElement e) {
        out.put("nodeName", e.nodeName());
        out.put("attrs", e.getAttributes(snapshot));
      }
      if (t instanceof YText x) {
        YText.YChangeFunction computeYChange = ychange ? (type, client, clock) -> ychange(client, type) : null;
        List<Object> delta = YjsInterop.deltaAsMaps(x.toDelta(snapshot, prev, computeYChange));
        for (Object op : delta) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) op;
          if (m.get("insert") instanceof SharedType embedded) {
            m.put("insert", node(embedded));
          }
        }
        out.put("delta", delta);
      }
      if (t instanceof YXmlText x) {
        out.put("attrs", x.getAttributes(snapshot));
      }
      return out;
    }

    private Object value(Object v) {
      return v instanceof SharedType t ? node(t) : v;
    }

    private static Map<String, Object> ychange(long client, String type) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("user", client);
      m.put("type", type);
      return m;
    }
  }
}
