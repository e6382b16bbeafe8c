package ai.candlefish.collab.core;

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
 * {@link UndoManager}s with changing scopes against real Yjs: random sessions of replicas ({@link TwinSession}: after
 * every step the update events, v1 and v2, are the same bytes, the deep observers of the roots heard the same events
 * and the roots read the same) that edit types anywhere in the document ({@link PathEdits}: nested maps, arrays, texts
 * with formats and embedded types, XML elements and texts) in transactions of tracked and untracked origins, while one
 * or two undo managers per replica, built with random options (scope: nested types as well as roots, or the document;
 * capture timeout 0, 500 ms on a shared fake clock, or "forever" with {@code stopCapturing}; tracked origins; {@code
 * captureTransaction}; {@code deleteFilter}; {@code ignoreRemoteMapChanges}), undo and redo (sometimes inside a
 * transaction of another origin), grow their scope ({@code addToScope}), add and remove tracked origins, stop
 * capturing and clear. Undo and redo must report the same outcome, and after every step each manager's stacks must
 * have the same sizes and its stack events the same kinds, origins and changed types, heard with the same
 * {@code currentStackItem()} (set or not).
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.undoscopes.seed=<seed> -Dyjs.undoscopes.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class UndoScopesDifferentialPropertyTest {
  private static final int RUNS = 30;
  private static final long BUDGET_MILLIS = 12_000;
  private static final long FOREVER = 1_000_000_000_000L;
  private static final Map<String, String> ROOTS = YjsSurfacePropertyTest.ROOTS;
  private static final List<String> ORIGINS = Arrays.asList(null, null, "mine", "other");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void undoManagersWithChangingScopes_undoAsYjs() {
    int[] changed = {0};
    SeededRuns runs = SeededRuns.named("yjs.undoscopes", 0x5C0_9E5L, RUNS).within(BUDGET_MILLIS);
    int done = runs.forEach((seed, run) -> changed[0] += new Run(seed, "us" + run).execute());
    assertThat(changed[0]).as("undo/redo steps that changed something").isGreaterThan(done * 2);
  }

  /**
   * An undo manager that tracks remote transactions: Yjs records a step's insertions in the order of its
   * {@code afterState}, the store's order of clients (the order their first struct arrived), and undoes them last
   * first, so observers hear the types in that order. Here client 20's array came before client 90's text; one
   * update then brings more of both (integrated client 90 first, as Yjs integrates too).
   */
  @Test
  void remoteStepOfSeveralClients_undoneInTheStoresOrderOfClients() {
    Doc b = Doc.newBuilder().clientId(20).build();
    Doc c = Doc.newBuilder().clientId(90).build();
    b.getArray("a").insert(0, List.of(1));
    c.getText("t").insert(0, "x");
    List<byte[]> first = List.of(b.encodeStateAsUpdate(), c.encodeStateAsUpdate());
    byte[] bState = b.encodeStateVector();
    byte[] cState = c.encodeStateVector();
    b.getArray("a").insert(1, List.of(2));
    c.getText("t").insert(1, "y");
    byte[] second = Updates.merge(List.of(b.encodeStateAsUpdate(bState), c.encodeStateAsUpdate(cState)));

    String id = "remote-steps";
    Doc a = Doc.newBuilder().clientId(51).build();
    List<Object> events = new ArrayList<>();
    ROOTS.forEach((name, kind) -> Twins.root(a, name, kind)
        .observeDeep(list -> list.forEach(e -> events.add(YjsSurfacePropertyTest.describe(e)))));
    peer.newDoc(id, 51, true, ROOTS, true);
    try {
      for (byte[] update : first) {
        a.applyUpdate(update, "remote");
        peer.applyUpdate(id, update);
      }
      UndoManager undo = UndoManager.newBuilder(a).trackedOrigins(List.of("remote")).captureTimeout(Duration.ZERO)
          .build();
      Map<String, Object> c2 = new LinkedHashMap<>();
      c2.put("op", "undoManager");
      c2.put("id", id);
      c2.put("scope", "doc");
      c2.put("captureTimeout", 0);
      c2.put("trackedOrigins", List.of("remote"));
      peer.request(c2);
      a.applyUpdate(second, "remote");
      peer.applyUpdate(id, second);
      events.clear();
      peer.request(Map.of("op", "events", "id", id));

      assertThat(undo.undo()).isNotNull();
      assertThat(peer.request(Map.of("op", "undo", "id", id)).get("changed")).isEqualTo(true);
      assertThat(YjsSurfacePropertyTest.normalized(events)).as("events of the undo")
          .isEqualTo(peer.request(Map.of("op", "events", "id", id)).get("events"));
      assertThat(YjsInterop.base64(a.encodeStateAsUpdate()))
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
      undo.close();
    } finally {
      peer.drop(id);
    }
  }

  /** One undo manager of a replica, its name in the peer and the stack events it emitted since the last check. */
  private record Manager(String name, UndoManager undo, List<Object> events) {}

  private static final class Run {
    private final TwinSession session;
    private final SplittableRandom rnd;
    private final String prefix;
    private final PathEdits edits;
    private final Map<String, List<Manager>> managers = new LinkedHashMap<>();
    private final Map<String, List<byte[]>> updatesV2 = new LinkedHashMap<>();
    private FakeClock clock;
    private int changed;

    Run(long seed, String prefix) {
      this.session = new TwinSession(peer, seed, ROOTS, this::compareStacks);
      this.rnd = session.rnd;
      this.prefix = prefix;
      this.edits = new PathEdits(rnd, ROOTS);
    }

    int execute() {
      boolean gc = rnd.nextInt(3) != 0;
      clock = new FakeClock(peer, session.log, rnd.nextInt(4) == 0 ? 0 : 1_000);
      try {
        int n = 2 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
          TwinSession.Twin t = session.add(prefix + "-" + i, 30 + i * 13 + rnd.nextInt(9), gc);
          List<byte[]> v2 = new ArrayList<>();
          updatesV2.put(t.id, v2);
          t.doc.onUpdateV2((bytes, origin, txn) -> v2.add(bytes.clone()));
        }
        // some shared history first, so that scopes can start at nested types
        for (int i = 0; i < 4; i++) {
          edit(session.twins.get(rnd.nextInt(n)));
        }
        session.run(40 + rnd.nextInt(40), 75, this::localStep);
      } finally {
        managers.values().forEach(list -> list.forEach(m -> m.undo().close()));
        clock.close();
      }
      return changed;
    }

    private void localStep(TwinSession.Twin t) {
      List<Manager> mine = managers.computeIfAbsent(t.id, id -> new ArrayList<>());
      if (mine.size() < 2 && (mine.isEmpty() ? rnd.nextInt(3) != 0 : rnd.nextInt(25) == 0)) {
        mine.add(createManager(t, "u" + mine.size()));
      }
      clock.maybeAdvance(rnd, 0, 1, 499, 500, 501, 5_000);
      int dice = rnd.nextInt(100);
      if (mine.isEmpty() || dice < 45) {
        edit(t);
        return;
      }
      Manager m = mine.get(rnd.nextInt(mine.size()));
      if (dice < 65) {
        undoOrRedo(t, m, "undo");
      } else if (dice < 80) {
        undoOrRedo(t, m, "redo");
      } else if (dice < 86) {
        control(t, m, command(t, m, "stopCapturing"), () -> m.undo().stopCapturing());
      } else if (dice < 89) {
        boolean undoStack = rnd.nextBoolean();
        boolean redoStack = rnd.nextBoolean();
        Map<String, Object> c = command(t, m, "clear");
        c.put("undo", undoStack);
        c.put("redo", redoStack);
        control(t, m, c, () -> m.undo().clear(undoStack, redoStack));
      } else if (dice < 95) {
        Map<String, Object> c = command(t, m, "addToScope");
        if (rnd.nextInt(8) == 0) {
          c.put("scope", "doc");
          control(t, m, c, () -> m.undo().addToScope(t.doc));
        } else {
          List<PathEdits.Located> types = randomTypes(t.doc);
          c.put("scope", scopeJson(types));
          control(t, m, c, () -> m.undo().addToScope(types.stream().map(PathEdits.Located::type)
              .toArray(SharedType[]::new)));
        }
      } else {
        String origin = List.of("mine", "other", "$UndoManager", "").get(rnd.nextInt(4));
        boolean add = rnd.nextBoolean();
        Map<String, Object> c = command(t, m, "trackedOrigin");
        c.put("add", add);
        c.put("origin", origin.isEmpty() ? null : origin);
        control(t, m, c, () -> {
          if (add) {
            m.undo().addTrackedOrigin(trackedOrigin(c.get("origin")));
          } else {
            m.undo().removeTrackedOrigin(trackedOrigin(c.get("origin")));
          }
        });
      }
    }

    private Manager createManager(TwinSession.Twin t, String name) {
      long timeout = new long[] {0, 500, FOREVER}[rnd.nextInt(3)];
      boolean wholeDoc = rnd.nextInt(6) == 0;
      List<PathEdits.Located> types = wholeDoc ? List.of() : randomTypes(t.doc);
      UndoManager.Builder builder = wholeDoc ? UndoManager.newBuilder(t.doc)
          : UndoManager.newBuilder(t.doc, types.stream().map(PathEdits.Located::type).toList());
      builder.captureTimeout(Duration.ofMillis(timeout)).clock(clock.millis());
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("op", "undoManager");
      c.put("id", t.id);
      c.put("um", name);
      c.put("scope", wholeDoc ? "doc" : scopeJson(types));
      c.put("captureTimeout", timeout);
      c.put("current", true);
      if (rnd.nextInt(4) == 0) {
        builder.ignoreRemoteMapChanges(true);
        c.put("ignoreRemoteMapChanges", true);
      }
      if (rnd.nextBoolean()) {
        List<Object> tracked = switch (rnd.nextInt(4)) {
          case 0 -> Arrays.asList(null, "mine");
          case 1 -> List.of("mine");
          case 2 -> Arrays.asList(null, "$UndoManager"); // also what the other undo manager does
          default -> List.of("$String"); // every origin but null
        };
        builder.trackedOrigins(tracked.stream().map(Run::trackedOrigin).toList());
        c.put("trackedOrigins", tracked);
      }
      if (rnd.nextInt(4) == 0) {
        builder.deleteFilter(candidate -> !"a".equals(candidate.key()));
        c.put("deleteFilterKey", "a");
      }
      if (rnd.nextInt(5) == 0) {
        builder.captureTransaction(txn -> !"other".equals(txn.origin()));
        c.put("captureOriginNot", "other");
      }
      UndoManager undo = builder.build();
      peer.request(c);
      session.log.add(t.id + " " + Json.stringify(c));
      Manager m = new Manager(name, undo, new ArrayList<>());
      undo.onStackItemAdded(e -> m.events().add(describe("stack-item-added", e, undo)));
      undo.onStackItemUpdated(e -> m.events().add(describe("stack-item-updated", e, undo)));
      undo.onStackItemPopped(e -> m.events().add(describe("stack-item-popped", e, undo)));
      undo.onStackCleared(e -> {
        Map<String, Object> cleared = new LinkedHashMap<>();
        cleared.put("kind", "stack-cleared");
        cleared.put("undo", e.undoStackCleared());
        cleared.put("redo", e.redoStackCleared());
        m.events().add(cleared);
      });
      return m;
    }

    /** One to three types of the document, roots or nested (a type may come twice: Yjs and ours skip it then). */
    private List<PathEdits.Located> randomTypes(Doc doc) {
      List<PathEdits.Located> all = edits.types(doc);
      List<PathEdits.Located> out = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
        out.add(all.get(rnd.nextInt(all.size())));
      }
      return out;
    }

    private static List<Object> scopeJson(List<PathEdits.Located> types) {
      List<Object> out = new ArrayList<>();
      for (PathEdits.Located l : types) {
        out.add(Map.of("at", l.path(), "roots", ROOTS));
      }
      return out;
    }

    /** One to three edits anywhere, in one transaction of a random origin. */
    private void edit(TwinSession.Twin t) {
      Object origin = ORIGINS.get(rnd.nextInt(ORIGINS.size()));
      List<Object> ops = new ArrayList<>();
      int count = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(2) : 1;
      t.doc.transact(txn -> {
        for (int i = 0; i < count; i++) {
          ops.add(performRandom(t.doc));
        }
      }, origin);
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("op", "pathOps");
      op.put("roots", ROOTS);
      op.put("ops", ops);
      op.put("origin", origin);
      session.applied(t, op);
    }

    private Map<String, Object> performRandom(Doc doc) {
      Map<String, Object> one = edits.randomOp(doc);
      edits.perform(doc, one);
      return one;
    }

    /** A tracked origin as the peer reads it: {@code "$UndoManager"} and {@code "$String"} stand for those classes. */
    private static Object trackedOrigin(Object o) {
      return "$UndoManager".equals(o) ? UndoManager.class : "$String".equals(o) ? String.class : o;
    }

    private void undoOrRedo(TwinSession.Twin t, Manager m, String which) {
      Map<String, Object> c = command(t, m, which);
      UndoManager.StackItem[] result = new UndoManager.StackItem[1];
      Runnable call = () -> result[0] = which.equals("undo") ? m.undo().undo() : m.undo().redo();
      if (rnd.nextInt(4) == 0) {
        // inside a transaction of some origin, sometimes between edits of the same transaction
        Object origin = ORIGINS.get(rnd.nextInt(ORIGINS.size()));
        boolean before = rnd.nextInt(3) == 0;
        boolean after = rnd.nextInt(3) == 0;
        List<Object> opsBefore = new ArrayList<>();
        List<Object> opsAfter = new ArrayList<>();
        t.doc.transact(txn -> {
          if (before) {
            opsBefore.add(performRandom(t.doc));
          }
          call.run();
          if (after) {
            opsAfter.add(performRandom(t.doc));
          }
        }, origin);
        c.put("inTransact", true);
        c.put("origin", origin);
        c.put("roots", ROOTS);
        c.put("before", opsBefore);
        c.put("after", opsAfter);
      } else {
        call.run();
      }
      Map<String, Object> reply = session.applied(t, c);
      boolean yjsChanged = Boolean.TRUE.equals(reply.get("changed"));
      assertThat(result[0] != null).as("%s of %s/%s changed something (Java) vs Yjs", which, t.id, m.name())
          .isEqualTo(yjsChanged);
      changed += yjsChanged ? 1 : 0;
    }

    /** A command that changes no document: performed on both sides, then the stacks compared. */
    private void control(TwinSession.Twin t, Manager m, Map<String, Object> c, Runnable java) {
      java.run();
      session.log.add(t.id + " " + Json.stringify(c));
      peer.request(c);
      compareStacks(t, "after " + c.get("op"));
    }

    private static Map<String, Object> command(TwinSession.Twin t, Manager m, String op) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("op", op);
      c.put("id", t.id);
      c.put("um", m.name());
      return c;
    }

    /** The v2 update events (TwinSession compares the v1 ones) and every undo manager's stacks and events. */
    private void compareStacks(TwinSession.Twin t, String when) {
      List<byte[]> v2 = updatesV2.get(t.id);
      TwinReplica.assertSameEvents(t.id + " (v2) " + when, v2, peer.updates(t.id, true));
      v2.clear();
      for (Manager m : managers.getOrDefault(t.id, List.of())) {
        Map<String, Object> stacks = peer.request(command(t, m, "stacks"));
        assertThat(Json.stringify(m.events())).as("stack events of %s/%s %s", t.id, m.name(), when)
            .isEqualTo(Json.stringify(stacks.get("events")));
        m.events().clear();
        assertThat(List.of(m.undo().undoStackSize(), m.undo().redoStackSize()))
            .as("undo and redo stack sizes of %s/%s %s", t.id, m.name(), when)
            .isEqualTo(List.of(((Number) stacks.get("undo")).intValue(), ((Number) stacks.get("redo")).intValue()));
      }
    }

    private static Map<String, Object> describe(String kind, UndoManager.StackItemEvent e, UndoManager undo) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", kind);
      m.put("type", e.kind() == UndoManager.Kind.UNDO ? "undo" : "redo");
      m.put("origin", e.origin() == undo ? "um" : e.origin() instanceof UndoManager ? "otherUm" : e.origin());
      m.put("changed", e.changedParentTypes().stream()
          .map(t -> t.item == null ? "root:" + t.rootName : t.item.client + ":" + t.item.clock).sorted().toList());
      m.put("current", undo.currentStackItem() != null);
      return m;
    }
  }
}
