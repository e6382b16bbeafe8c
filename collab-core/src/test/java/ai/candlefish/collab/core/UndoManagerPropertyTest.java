package ai.candlefish.collab.core;

import static ai.candlefish.collab.core.YjsOps.cmd;
import static ai.candlefish.collab.core.YjsOps.op;
import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link UndoManager} against real Yjs's {@code Y.UndoManager} ({@code yjs-peer.mjs}, commands in
 * {@code peer-extras.mjs}). Replica A (a Java {@link Doc} and its Yjs twin, each with an undo manager built with
 * the same random options: scope of one to four root types or the whole document, capture timeout 0, 500 ms or
 * "forever" with {@code stopCapturing}, tracked origins, {@code ignoreRemoteMapChanges}, a delete filter) makes local edits on
 * text (with formatting), array, map, nested types and XML (attributes too), with tracked and untracked origins; replica B edits
 * concurrently and the two sync at random; A undoes, redoes, stops capturing and clears at random. After every
 * step A's whole state must equal its twin's byte for byte, undo/redo must report the same outcome, the stacks must
 * have the same sizes and the stack events the same kinds, stacks and origins; relative positions taken along the
 * way must resolve as in Yjs, following the items that undo and redo re-created and not. Both read one clock, moved
 * on at random steps by amounts around the 500 ms timeout ({@code Builder.clock} and the peer's {@code clock}, which
 * fixes the {@code Date.now} that Yjs's {@code captureTimeout} reads); a clock at 0 shows that Yjs groups nothing
 * after a change at time 0.
 *
 * <p>Seeded; a failure names its seed: rerun with {@code -Dundo.seed=<seed> -Dundo.runs=1}.
 */
@ExtendWith(YjsPeerExtension.class)
class UndoManagerPropertyTest {
  private static final int RUNS = 40;
  private static final Map<String, String> ROOTS = Map.of("t", "text", "a", "array", "m", "map", "x", "xml");
  private static final long FOREVER = 1_000_000_000_000L;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void randomUndoRedoSequences_leaveTheDocumentAsYjsDoes() {
    SeededRuns runs = SeededRuns.named("undo", 0x0DD0L, RUNS);
    int[] undone = {0};
    runs.forEach((seed, run) -> {
      Run r = new Run(seed, "u" + run);
      try {
        undone[0] += r.execute();
      } catch (AssertionError | RuntimeException e) {
        throw SeededRuns.withLastSteps(e, r.log, 20);
      } finally {
        r.drop();
      }
    });
    assertThat(undone[0]).as("undo/redo steps that changed something").isGreaterThan(runs.count() * 3);
  }

  @Test
  void changedParentTypes_areThoseYjsRecordsWhenItCallsTheObservers() {
    // Yjs records a changed type (and its ancestors) in changedParentTypes when it calls the type's observers. A
    // nested map changed and then deleted by a deep observer of its parent is therefore there, and puts the
    // transaction in the undo manager's scope; the popped event of an undo made inside an outer transaction hears an
    // empty map, which is filled when that transaction ends.
    String id = "cpt";
    Doc doc = Twins.create(peer, id, 41, true, ROOTS);
    try {
      Map<String, Object> nested = Map.of("op", "mapSetType", "name", "m", "key", "c", "kind", "map");
      YjsInterop.apply(doc, nested);
      peer.apply(id, nested);
      UndoManager undo = UndoManager.newBuilder(doc.getMap("m")).captureTimeout(Duration.ofMillis(FOREVER)).build();
      peer.request(Map.of("op", "undoManager", "id", id, "scope", List.of(Map.of("name", "m", "kind", "map")),
          "captureTimeout", FOREVER));
      List<Object[]> events = new ArrayList<>();
      undo.onStackItemAdded(e -> events.add(new Object[] {"stack-item-added", e, describe("stack-item-added", e, undo)}));
      undo.onStackItemUpdated(e -> events.add(new Object[] {"stack-item-updated", e,
          describe("stack-item-updated", e, undo)}));
      undo.onStackItemPopped(e -> events.add(new Object[] {"stack-item-popped", e,
          describe("stack-item-popped", e, undo)}));
      boolean[] fired = {false};
      doc.getMap("m").observeDeep(es -> {
        if (!fired[0]) {
          fired[0] = true;
          doc.getMap("m").delete("c");
        }
      });
      peer.request(Map.of("op", "react", "id", id, "reactions", List.of(Map.of("on", "observeDeep", "name", "m",
          "kind", "map", "limit", 1, "describe", false, "adds", false,
          "ops", List.of(Map.of("op", "mapDelete", "name", "m", "key", "c"))))));
      Map<String, Object> inNested = Map.of("op", "nestedInsert", "name", "m", "key", "c", "text", "x", "values", 1);
      YjsInterop.apply(doc, inNested);
      peer.apply(id, inNested);
      compareStackEvents(id, undo, events, "after a change to a map that a deep observer then deleted");

      Map<String, Object> set = Map.of("op", "mapSet", "name", "m", "key", "y", "value", 2);
      YjsInterop.apply(doc, set);
      peer.apply(id, set);
      undo.stopCapturing();
      peer.request(cmd("stopCapturing", id));
      doc.transact(txn -> undo.undo());
      Map<String, Object> nestedUndo = cmd("undo", id);
      nestedUndo.put("inTransact", true);
      peer.request(nestedUndo);
      undo.undo();
      peer.request(cmd("undo", id));
      compareStackEvents(id, undo, events, "after an undo inside a transaction, then one outside");
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
      undo.close();
    } finally {
      peer.drop(id);
    }
  }

  /**
   * An editor's use of {@code stackItem.meta}: something put on each item when it is added, read when an event names
   * the item (updated by an edit within the capture time, popped by undo or redo, which adds a new item to the other
   * stack). Text typed in two steps, then formatted; undone and redone.
   */
  @Test
  void stackItemMeta_setWhenAddedAndReadWhenUpdatedOrPopped_asYjs() {
    String id = "meta";
    Doc doc = Twins.create(peer, id, 43, true, ROOTS);
    try {
      UndoManager undo = UndoManager.newBuilder(doc.getText("t")).captureTimeout(Duration.ofMillis(FOREVER)).build();
      peer.request(Map.of("op", "undoManager", "id", id, "scope", List.of(Map.of("name", "t", "kind", "text")),
          "captureTimeout", FOREVER, "stampMeta", true));
      List<Object[]> events = new ArrayList<>();
      int[] stamps = {0};
      undo.onStackItemAdded(e -> {
        e.stackItem().meta().put("n", ++stamps[0]);
        events.add(new Object[] {"stack-item-added", e, withMeta(describe("stack-item-added", e, undo), e)});
      });
      undo.onStackItemUpdated(e -> events.add(new Object[] {"stack-item-updated", e,
          withMeta(describe("stack-item-updated", e, undo), e)}));
      undo.onStackItemPopped(e -> events.add(new Object[] {"stack-item-popped", e,
          withMeta(describe("stack-item-popped", e, undo), e)}));
      for (Map<String, Object> op : List.of(
          Map.<String, Object>of("op", "insertText", "name", "t", "index", 0, "text", "ab"),
          Map.<String, Object>of("op", "insertText", "name", "t", "index", 2, "text", "c"),
          Map.<String, Object>of("op", "formatText", "name", "t", "index", 1, "len", 2, "attrs",
              Map.of("bold", true)))) {
        YjsInterop.apply(doc, op);
        peer.apply(id, op);
        if (op.get("op").equals("insertText") && op.get("text").equals("c")) {
          undo.stopCapturing();
          peer.request(cmd("stopCapturing", id));
        }
      }
      compareStackEvents(id, undo, events, "after typing and formatting");
      for (String step : List.of("undo", "undo", "redo", "undo", "redo", "redo")) {
        assertThat((step.equals("undo") ? undo.undo() : undo.redo()) != null).as(step)
            .isEqualTo(peer.request(cmd(step, id)).get("changed"));
        compareStackEvents(id, undo, events, "after " + step);
        Twins.assertSameState("state after " + step, doc.encodeStateAsUpdate(), peer.encodeStateAsUpdate(id, null),
            false);
      }
      undo.close();
    } finally {
      peer.drop(id);
    }
  }

  /** The event's item's meta, as {@code peer-extras.mjs} adds it for {@code stampMeta}. */
  private static Map<String, Object> withMeta(Map<String, Object> described, UndoManager.StackItemEvent e) {
    Map<String, Object> meta = new LinkedHashMap<>();
    e.stackItem().meta().forEach((k, v) -> meta.put((String) k, v));
    described.put("meta", meta);
    return described;
  }

  /** The stack events as heard and their changed parent types read now, against Yjs's ("stacks"). */
  private static void compareStackEvents(String id, UndoManager undo, List<Object[]> events, String when) {
    Map<String, Object> stacks = peer.request(cmd("stacks", id));
    assertThat(Json.stringify(events.stream().map(e -> e[2]).toList())).as("stack events %s", when)
        .isEqualTo(Json.stringify(stacks.get("events")));
    assertThat(Json.stringify(events.stream().map(e -> describe((String) e[0], (UndoManager.StackItemEvent) e[1], undo)
        .get("changed")).toList())).as("their changedParentTypes read %s", when)
        .isEqualTo(Json.stringify(stacks.get("changedNow")));
    assertThat(List.of(undo.undoStackSize(), undo.redoStackSize())).as("stack sizes %s", when)
        .isEqualTo(List.of(((Number) stacks.get("undo")).intValue(), ((Number) stacks.get("redo")).intValue()));
    events.clear();
  }

  /** A stack event as {@code peer-extras.mjs} describes Yjs's. */
  private static Map<String, Object> describe(String kind, UndoManager.StackItemEvent e, UndoManager undo) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("type", e.kind() == UndoManager.Kind.UNDO ? "undo" : "redo");
    m.put("origin", e.origin() == undo ? "um" : e.origin());
    m.put("changed", e.changedParentTypes().stream()
        .map(t -> t.item == null ? "root:" + t.rootName : t.item.client + ":" + t.item.clock).sorted().toList());
    return m;
  }

  private static final class Run {
    final SplittableRandom rnd;
    final String a;
    final String b;
    final Doc docA;
    final Doc docB;
    final List<String> log = new ArrayList<>();
    final List<Object> javaEvents = new ArrayList<>();
    final List<byte[]> positions = new ArrayList<>();
    UndoManager undo;
    List<Object> origins;
    /** The clock both undo managers read. */
    final FakeClock clock;

    Run(long seed, String prefix) {
      rnd = new SplittableRandom(seed);
      boolean gc = rnd.nextInt(3) != 0;
      a = prefix + "a";
      b = prefix + "b";
      docA = Twins.create(peer, a, 1 + rnd.nextInt(50), gc, ROOTS);
      docB = Twins.create(peer, b, 100 + rnd.nextInt(50), gc, ROOTS);
      log.add("gc=" + gc);
      clock = new FakeClock(peer, log, rnd.nextInt(4) == 0 ? 0 : 1_000);
    }

    int execute() {
      // some shared history first
      for (int i = 0; i < 3; i++) {
        edit(b, docB, null, 1);
      }
      sync();
      createUndoManager();
      int changed = 0;
      int steps = 30 + rnd.nextInt(50);
      for (int step = 0; step < steps; step++) {
        // by nothing, or by amounts on and around the 500 ms timeout
        clock.maybeAdvance(rnd, 0, 1, 250, 499, 500, 501, 5_000);
        int dice = rnd.nextInt(100);
        if (dice < 40) {
          edit(a, docA, origins.get(rnd.nextInt(origins.size())), rnd.nextInt(4) == 0 ? 2 : 1);
        } else if (dice < 50) {
          edit(b, docB, null, 1);
        } else if (dice < 58) {
          sync();
        } else if (dice < 75) {
          changed += undoOrRedo("undo");
        } else if (dice < 88) {
          changed += undoOrRedo("redo");
        } else if (dice < 92) {
          createPosition();
        } else if (dice < 97) {
          log.add("stopCapturing");
          undo.stopCapturing();
          peer.request(cmd("stopCapturing", a));
        } else {
          boolean undoStack = rnd.nextBoolean();
          boolean redoStack = rnd.nextBoolean();
          log.add("clear " + undoStack + " " + redoStack);
          undo.clear(undoStack, redoStack);
          Map<String, Object> c = cmd("clear", a);
          c.put("undo", undoStack);
          c.put("redo", redoStack);
          peer.request(c);
        }
        compare();
      }
      sync();
      compare();
      for (int i = 0; i < 5; i++) {
        changed += undoOrRedo("undo");
        compare();
      }
      assertThat(YjsInterop.base64(docB.encodeStateAsUpdate())).isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(b, null)));
      undo.close();
      return changed;
    }

    private void createUndoManager() {
      List<String> names = new ArrayList<>(List.of("t", "a", "m", "x"));
      List<SharedType> scope = new ArrayList<>();
      List<Object> scopeJson = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
        String name = names.remove(rnd.nextInt(names.size()));
        scope.add(switch (name) {
          case "t" -> docA.getText(name);
          case "a" -> docA.getArray(name);
          case "m" -> docA.getMap(name);
          default -> docA.getXmlFragment(name);
        });
        scopeJson.add(Map.of("name", name, "kind", ROOTS.get(name)));
      }
      long timeout = new long[] {0, 500, FOREVER}[rnd.nextInt(3)];
      boolean ignoreRemote = rnd.nextInt(4) == 0;
      String filterKey = rnd.nextInt(4) == 0 ? "b" : null;
      boolean wholeDoc = rnd.nextInt(5) == 0;
      UndoManager.Builder builder = (wholeDoc ? UndoManager.newBuilder(docA)
          : UndoManager.newBuilder(scope.get(0), scope.subList(1, scope.size()).toArray(SharedType[]::new)))
          .captureTimeout(Duration.ofMillis(timeout))
          .clock(clock.millis())
          .ignoreRemoteMapChanges(ignoreRemote);
      Map<String, Object> c = cmd("undoManager", a);
      c.put("scope", wholeDoc ? "doc" : scopeJson);
      c.put("captureTimeout", timeout);
      c.put("ignoreRemoteMapChanges", ignoreRemote);
      if (rnd.nextBoolean()) {
        List<Object> tracked = new ArrayList<>(Arrays.asList(null, "mine"));
        builder.trackedOrigins(tracked);
        c.put("trackedOrigins", tracked);
      }
      origins = Arrays.asList(null, null, "mine", "other");
      if (filterKey != null) {
        builder.deleteFilter(candidate -> !filterKey.equals(candidate.key()));
        c.put("deleteFilterKey", filterKey);
      }
      undo = builder.build();
      peer.request(c);
      log.add("undoManager " + Json.stringify(c));
      undo.onStackItemAdded(e -> javaEvents.add(event("stack-item-added", e)));
      undo.onStackItemUpdated(e -> javaEvents.add(event("stack-item-updated", e)));
      undo.onStackItemPopped(e -> javaEvents.add(event("stack-item-popped", e)));
      undo.onStackCleared(e -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "stack-cleared");
        m.put("undo", e.undoStackCleared());
        m.put("redo", e.redoStackCleared());
        javaEvents.add(m);
      });
    }

    private Map<String, Object> event(String kind, UndoManager.StackItemEvent e) {
      return describe(kind, e, undo);
    }

    private int undoOrRedo(String which) {
      UndoManager.StackItem result = which.equals("undo") ? undo.undo() : undo.redo();
      boolean yjsChanged = Boolean.TRUE.equals(peer.request(cmd(which, a)).get("changed"));
      log.add(which + " -> " + (result != null) + " (Yjs " + yjsChanged + ")");
      assertThat(result != null).as("%s changed something (Java) vs Yjs", which).isEqualTo(yjsChanged);
      return yjsChanged ? 1 : 0;
    }

    private void compare() {
      assertThat(YjsInterop.base64(docA.encodeStateAsUpdate())).as("state of A (Java vs Yjs)")
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(a, null)));
      Map<String, Object> stacks = peer.request(cmd("stacks", a));
      assertThat(List.of(undo.undoStackSize(), undo.redoStackSize())).as("undo and redo stack sizes")
          .isEqualTo(List.of(((Number) stacks.get("undo")).intValue(), ((Number) stacks.get("redo")).intValue()));
      assertThat(Json.stringify(javaEvents)).as("stack events").isEqualTo(Json.stringify(stacks.get("events")));
      javaEvents.clear();
      // positions whose characters were deleted and brought back by undo/redo: following the re-created items
      for (byte[] encoded : positions) {
        for (boolean follow : List.of(true, false)) {
          Map<String, Object> c = cmd("absPos", a);
          c.put("encoded", YjsInterop.base64(encoded));
          c.put("follow", follow);
          Map<?, ?> expected = (Map<?, ?>) peer.request(c).get("abs");
          AbsolutePosition actual = RelativePosition.decode(encoded).toAbsolute(docA, follow);
          assertThat(actual == null ? null : actual.index()).as("position %s (follow %s)", RelativePosition.decode(encoded), follow)
              .isEqualTo(expected == null ? null : ((Number) expected.get("index")).intValue());
        }
      }
    }

    private void createPosition() {
      YText text = docA.getText("t");
      RelativePosition pos = RelativePosition.fromTypeIndex(text, rnd.nextInt(text.length() + 1), rnd.nextBoolean() ? 0 : -1);
      log.add("position " + pos);
      positions.add(pos.encode());
    }

    void drop() {
      peer.drop(a);
      peer.drop(b);
      clock.close();
    }

    private Map<String, Object> randomOp(Doc doc) {
      YText text = doc.getText("t");
      YArray array = doc.getArray("a");
      YXmlFragment xml = doc.getXmlFragment("x");
      String key = String.valueOf((char) ('a' + rnd.nextInt(4)));
      Object nested = doc.getMap("m").get("n");
      int dice = rnd.nextInt(100);
      if (rnd.nextInt(6) == 0) {
        // XML as y-prosemirror keeps it: paragraphs with text, removed whole
        if (xml.length() > 0 && rnd.nextInt(3) == 0) {
          int index = rnd.nextInt(xml.length());
          return op("xmlDelete", "x", Map.of("index", index, "len", 1 + rnd.nextInt(Math.min(2, xml.length() - index))));
        }
        if (xml.length() > 0 && rnd.nextBoolean()) {
          // attributes of a paragraph set, changed and removed (undo brings the old value back)
          Map<String, Object> attr = new LinkedHashMap<>();
          attr.put("index", rnd.nextInt(xml.length()));
          attr.put("key", rnd.nextBoolean() ? "level" : "align");
          if (rnd.nextInt(4) != 0) {
            attr.put("value", rnd.nextBoolean() ? rnd.nextInt(3) : "c" + rnd.nextInt(2));
          }
          return op("xmlSetAttribute", "x", attr);
        }
        Map<String, Object> paragraph = Map.of("element", "p", "attrs", Map.of("level", rnd.nextInt(3)),
            "children", List.of(Map.of("text", "para" + rnd.nextInt(10)), Map.of("element", "br")));
        return op("xmlInsert", "x", Map.of("index", rnd.nextInt(xml.length() + 1), "nodes", List.of(paragraph)));
      }
      if (dice < 22) {
        return op("insertText", "t", Map.of("index", rnd.nextInt(text.length() + 1), "text", "abcdef".substring(rnd.nextInt(6))));
      } else if (dice < 34 && text.length() > 0) {
        int index = rnd.nextInt(text.length());
        return op("deleteText", "t", Map.of("index", index, "len", 1 + rnd.nextInt(Math.min(4, text.length() - index))));
      } else if (dice < 40 && text.length() > 0) {
        int index = rnd.nextInt(text.length());
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(rnd.nextBoolean() ? "bold" : "italic", rnd.nextInt(3) == 0 ? null : Boolean.TRUE);
        return op("formatText", "t", Map.of("index", index, "len", 1 + rnd.nextInt(Math.min(4, text.length() - index)), "attrs", attrs));
      } else if (dice < 54) {
        return op("arrayInsert", "a", Map.of("index", rnd.nextInt(array.length() + 1), "values", List.of(1, "x", 3).subList(0, 1 + rnd.nextInt(3))));
      } else if (dice < 62 && array.length() > 0) {
        int index = rnd.nextInt(array.length());
        return op("arrayDelete", "a", Map.of("index", index, "len", 1 + rnd.nextInt(Math.min(3, array.length() - index))));
      } else if (dice < 74) {
        return op("mapSet", "m", Map.of("key", key, "value", rnd.nextInt(100)));
      } else if (dice < 78) {
        return op("mapDelete", "m", Map.of("key", key));
      } else if (dice < 82) {
        return op("mapSetType", "m", Map.of("key", "n", "kind", rnd.nextBoolean() ? "text" : "array"));
      } else if (dice < 94 && nested instanceof YText t) {
        if (t.length() > 0 && rnd.nextInt(3) == 0) {
          int index = rnd.nextInt(t.length());
          return op("nestedDelete", "m", Map.of("key", "n", "index", index, "len", 1 + rnd.nextInt(Math.min(3, t.length() - index))));
        }
        return op("nestedInsert", "m", Map.of("key", "n", "index", rnd.nextInt(t.length() + 1), "text", "xyz".substring(rnd.nextInt(3))));
      } else if (dice < 94 && nested instanceof YArray arr) {
        if (arr.length() > 0 && rnd.nextInt(3) == 0) {
          int index = rnd.nextInt(arr.length());
          return op("nestedDelete", "m", Map.of("key", "n", "index", index, "len", 1));
        }
        return op("nestedInsert", "m", Map.of("key", "n", "index", rnd.nextInt(arr.length() + 1), "text", "", "values", List.of(7, 8)));
      }
      return op("insertText", "t", Map.of("index", 0, "text", "q"));
    }

    /** {@code count} random ops in one transaction with {@code origin}, each picked on the state the last left. */
    private void edit(String id, Doc doc, Object origin, int count) {
      List<Map<String, Object>> ops = new ArrayList<>();
      doc.transact(txn -> {
        for (int i = 0; i < count; i++) {
          Map<String, Object> op = randomOp(doc);
          YjsInterop.apply(doc, op);
          ops.add(op);
        }
      }, origin);
      Map<String, Object> c = cmd("withOrigin", id);
      c.put("origin", origin);
      c.put("ops", ops);
      log.add(Json.stringify(c));
      peer.request(c);
    }

    private void sync() {
      log.add("sync");
      Twins.sync(peer, a, docA, b, docB);
    }
  }
}
