package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Differential test of documents written from inside their own events, against real Yjs: each replica gets a few
 * random reactions (an observer, a deep observer or a document event that performs edits when it fires, a limited
 * number of times), then random local edits and deliveries as in {@link YjsSurfacePropertyTest}. After every step
 * the update events are the same bytes, the transaction events and reactions came in Yjs's order, and the deep
 * observers of the roots saw the same events, computed lazily after a reaction wrote (as Yjs computes them).
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.reentrant.seed=<seed> -Dyjs.reentrant.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class ReentrantEventsDifferentialPropertyTest {
  private static final int RUNS = 60;
  private static final long BUDGET_MILLIS = 10_000;
  private static final Map<String, String> ROOTS = YjsSurfacePropertyTest.ROOTS;

  private static final List<String> EVENTS = List.of("observe", "observeDeep", "beforeTransaction",
      "beforeObserverCalls", "afterTransaction", "afterTransactionCleanup", "update", "afterAllTransactions");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void randomSessions_writeFromEventsAsYjs() {
    SeededRuns.named("yjs.reentrant", 0x2E_E7L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "re" + run).execute());
  }

  /** An edit that is valid whatever the document holds (a reaction cannot know when it will fire). */
  private static Map<String, Object> safeOp(SplittableRandom rnd) {
    Map<String, Object> op = new LinkedHashMap<>();
    switch (rnd.nextInt(8)) {
      case 0 -> {
        op.put("op", "insertText");
        op.put("name", "t");
        op.put("index", 0);
        op.put("text", "r");
      }
      case 1 -> {
        op.put("op", "formatText");
        op.put("name", "t");
        op.put("index", 0);
        op.put("len", 1);
        op.put("attrs", Map.of("bold", true));
      }
      case 2 -> {
        op.put("op", "arrayPush");
        op.put("name", "a");
        op.put("values", List.of(rnd.nextInt(9)));
      }
      case 3 -> {
        op.put("op", "arrayInsert");
        op.put("name", "a");
        op.put("index", 0);
        op.put("values", List.of("r"));
      }
      case 4 -> {
        op.put("op", "mapSet");
        op.put("name", "m");
        op.put("key", "k" + rnd.nextInt(3));
        op.put("value", rnd.nextInt(9));
      }
      case 6 -> {
        op.put("op", "arrayInsertMap");
        op.put("name", "a");
        op.put("index", rnd.nextInt(2));
      }
      case 7 -> {
        op.put("op", "arrayChildSet");
        op.put("name", "a");
        op.put("index", rnd.nextInt(3));
        op.put("key", "c" + rnd.nextInt(2));
        op.put("value", rnd.nextInt(9));
      }
      default -> {
        op.put("op", "mapDelete");
        op.put("name", "m");
        op.put("key", "k" + rnd.nextInt(3));
      }
    }
    return op;
  }

  @Test
  void pathsOfSeveralEvents_areTakenWhenDeepObserversAreSorted() {
    // Yjs sorts a deep observer's events by path length, which computes (and caches) every path before the first
    // observer runs; one that then inserts before a nested type does not move the paths the next one reads. (No
    // recording observers here: one that read the paths first would hide the difference.)
    Doc doc = Doc.newBuilder().clientId(31).build();
    TwinSession.Twin t = new TwinSession.Twin("paths", doc);
    peer.newDoc(t.id, 31, true, ROOTS, false);
    Map<String, Object> child = Map.of("op", "arrayInsertMap", "name", "a", "index", 0);
    Map<String, Object> both = Map.of("op", "transact", "ops", List.of(
        Map.of("op", "arrayPush", "name", "a", "values", List.of(5)),
        Map.of("op", "arrayChildSet", "name", "a", "index", 0, "key", "c", "value", 1)));
    Map<String, Object> insertFirst = Map.of("op", "arrayInsert", "name", "a", "index", 0, "values", List.of("r"));
    try {
      YjsInterop.apply(doc, child);
      peer.apply(t.id, child);
      react(t, List.of(
          Map.of("on", "observeDeep", "name", "a", "kind", "array", "limit", 1, "describe", false, "adds", false,
              "ops", List.of(insertFirst)),
          Map.of("on", "observeDeep", "name", "a", "kind", "array", "limit", 1, "describe", true, "adds", false,
              "ops", List.of())));
      YjsInterop.apply(doc, both);
      peer.apply(t.id, both);
      Run.compareLogs(t, "after a transaction that changed a and the map in it");
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate()))
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(t.id, null)));
    } finally {
      peer.drop(t.id);
    }
  }

  @Test
  void deepObserverSubscribedDuringTheCalls_isCalledAsYjsDecides() {
    // Yjs 13.6 gives every ancestor of a changed type its events and, once the per-type observers are done, decides
    // which types' deep observers it calls: those that observe deeply and are not deleted then. So a deep observer
    // that an observer subscribes is called in the same round (on a, which had none, and on the map in a, which both
    // changed); one that a deep observer subscribes on a type that did not observe deeply waits for the next
    // transaction, whether its turn is still to come (m's on the map in a) or passed (a's on m); and a type that a
    // deep observer deletes is still called (the map in a, deleted by a's: its own event left out). No recording deep
    // observers on the roots here: they would have decided for a and m before any was subscribed.
    Map<String, Object> onA = reaction("observe", "a", "array", "a", List.of());
    Map<String, Object> onAChild = reaction("observe", "a", "array", "a/0", List.of());
    Map<String, Object> onDeepM = reaction("observeDeep", "m", "map", "a/0", List.of());
    Map<String, Object> onDeepA = reaction("observeDeep", "a", "array", "m", List.of());
    Map<String, Object> deleteChild = reaction("observeDeep", "a", "array", null,
        List.of(Map.of("op", "arrayDelete", "name", "a", "index", 0, "len", 1)));
    List<List<Object>> scenarios = List.of(List.of(onA, onAChild), List.of(onDeepM), List.of(onDeepA),
        List.of(onAChild, deleteChild));
    Map<String, Object> child = Map.of("op", "arrayInsertMap", "name", "a", "index", 0);
    Map<String, Object> three = Map.of("op", "transact", "ops", List.of(
        Map.of("op", "mapSet", "name", "m", "key", "k", "value", 1),
        Map.of("op", "arrayPush", "name", "a", "values", List.of(5)),
        Map.of("op", "arrayChildSet", "name", "a", "index", 0, "key", "c", "value", 1)));
    for (int i = 0; i < scenarios.size(); i++) {
      Doc doc = Doc.newBuilder().clientId(32).build();
      TwinSession.Twin t = new TwinSession.Twin("addsDeep" + i, doc);
      peer.newDoc(t.id, 32, true, ROOTS, false);
      try {
        for (int k = 0; k < 2; k++) {
          YjsInterop.apply(doc, child);
          peer.apply(t.id, child);
        }
        react(t, scenarios.get(i));
        for (int round = 0; round < 2; round++) {
          YjsInterop.apply(doc, three);
          peer.apply(t.id, three);
          Run.compareLogs(t, "after transaction " + round + " of " + scenarios.get(i));
        }
        assertThat(YjsInterop.base64(doc.encodeStateAsUpdate()))
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(t.id, null)));
      } finally {
        peer.drop(t.id);
      }
    }
  }

  /** A reaction that fires once, performs {@code ops} and subscribes a deep observer at {@code addsDeep}. */
  private static Map<String, Object> reaction(String on, String name, String kind, String addsDeep,
      List<Object> ops) {
    Map<String, Object> spec = new LinkedHashMap<>(Map.of("on", on, "name", name, "kind", kind, "limit", 1,
        "describe", false, "adds", false, "ops", ops));
    if (addsDeep != null) {
      spec.put("addsDeep", addsDeep);
    }
    return spec;
  }

  /** Installs the reactions on the Java replica and on its twin. */
  private static void react(TwinSession.Twin t, List<Object> reactions) {
    for (Object spec : reactions) {
      new Reaction(t, YjsInterop.asMap(spec)).install();
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "react");
    c.put("id", t.id);
    c.put("reactions", reactions);
    peer.request(c);
  }

  private static final class Run {
    private final TwinSession session;
    private final SplittableRandom rnd;
    private final String prefix;

    Run(long seed, String prefix) {
      this.session = new TwinSession(peer, seed, ROOTS, Run::compareLogs);
      this.rnd = session.rnd;
      this.prefix = prefix;
    }

    void execute() {
      boolean gc = rnd.nextBoolean();
      for (int i = 0; i < 2; i++) {
        TwinSession.Twin t = YjsSurfacePropertyTest.addLoggedTwin(session, prefix + "-" + i, 10 + i * 7 + rnd.nextInt(5),
            gc);
        List<Object> reactions = new ArrayList<>();
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
          reactions.add(randomReaction());
        }
        session.log.add(t.id + " reacts " + Json.stringify(reactions));
        react(t, reactions);
      }
      session.run(10 + rnd.nextInt(25), 55, t -> {
        Map<String, Object> op = safeOp(rnd);
        if (op.get("op").equals("insertText")) {
          op.put("index", rnd.nextInt(t.doc.getText("t").length() + 1));
        } else if (rnd.nextInt(3) == 0) {
          // Several types changed in one transaction: a deep observer gets several events.
          List<Object> ops = List.of(op, safeOp(rnd), safeOp(rnd));
          op = new LinkedHashMap<>();
          op.put("op", "transact");
          op.put("ops", ops);
        }
        YjsInterop.apply(t.doc, op);
        session.applied(t, op);
      });
    }

    private static void compareLogs(TwinSession.Twin t, String when) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("op", "log");
      c.put("id", t.id);
      Object yjsLog = peer.request(c).get("log");
      List<Object> javaLog = new ArrayList<>(t.log);
      t.log.clear();
      assertThat(YjsSurfacePropertyTest.normalized(javaLog)).as("transaction events and reactions of %s %s", t.id, when)
          .isEqualTo(yjsLog);
    }

    private Map<String, Object> randomReaction() {
      Map<String, Object> spec = new LinkedHashMap<>();
      String on = EVENTS.get(rnd.nextInt(EVENTS.size()));
      spec.put("on", on);
      if (on.startsWith("observe")) {
        String name = List.of("t", "a", "m").get(rnd.nextInt(3));
        spec.put("name", name);
        spec.put("kind", ROOTS.get(name));
      }
      spec.put("limit", 1 + rnd.nextInt(3));
      spec.put("describe", rnd.nextInt(3) == 0);
      spec.put("adds", rnd.nextInt(4) == 0);
      if (rnd.nextInt(4) == 0) {
        // The roots observe deeply already (the session's recorders): a map in a is where a new one is owed events.
        spec.put("addsDeep", List.of("a/0", "a/1", "a/0", "t", "a").get(rnd.nextInt(5)));
      }
      List<Object> ops = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(2); i > 0; i--) {
        ops.add(safeOp(rnd));
      }
      spec.put("ops", ops);
      return spec;
    }
  }

  /** A reaction installed on a Java replica as peer-surface.mjs's "react" installs it on the twin. */
  private static final class Reaction {
    private final TwinSession.Twin twin;
    private final Doc doc;
    private final String on;
    private final String name;
    private final Map<String, Object> spec;
    private int fired;

    Reaction(TwinSession.Twin twin, Map<String, Object> spec) {
      this.twin = twin;
      this.doc = twin.doc;
      this.on = (String) spec.get("on");
      this.name = (String) spec.get("name");
      this.spec = spec;
    }

    private void fire(Object local, Supplier<Object> event) {
      if (fired >= ((Number) spec.get("limit")).intValue()) {
        return;
      }
      fired++;
      twin.log.add(Arrays.asList("react", on, name, local,
          Boolean.TRUE.equals(spec.get("describe")) && event != null ? event.get() : null));
      if (Boolean.TRUE.equals(spec.get("adds"))) {
        listen(() -> twin.log.add(Arrays.asList("added", on, name)));
      }
      if (spec.get("addsDeep") instanceof String where) {
        String[] parts = where.split("/");
        SharedType target = root(parts[0]);
        if (parts.length > 1) {
          int index = Integer.parseInt(parts[1]);
          target = index < doc.getArray("a").length() && doc.getArray("a").get(index) instanceof YMap m ? m : null;
        }
        if (target != null) {
          target.observeDeepWithTransaction((es, txn) -> twin.log.add(Arrays.asList("addedDeep", where, txn.isLocal(),
              es.stream().map(e -> (Object) YjsSurfacePropertyTest.describe(e)).toList())));
        }
      }
      for (Object o : (List<?>) spec.get("ops")) {
        YjsInterop.apply(doc, YjsInterop.asMap(o));
      }
    }

    void install() {
      switch (on) {
        case "observe" -> {
          if (name.equals("t")) {
            doc.getText(name).observe(e -> fire(e.transaction().isLocal(), () -> YjsSurfacePropertyTest.describe(e)));
          } else if (name.equals("a")) {
            doc.getArray(name).observe(e -> fire(e.transaction().isLocal(), () -> YjsSurfacePropertyTest.describe(e)));
          } else {
            doc.getMap(name).observe(e -> fire(e.transaction().isLocal(), () -> YjsSurfacePropertyTest.describe(e)));
          }
        }
        case "observeDeep" -> root().observeDeep(es -> fire(es.get(0).transaction().isLocal(),
            () -> es.stream().map(e -> (Object) YjsSurfacePropertyTest.describe(e)).toList()));
        case "update" -> doc.onUpdate((bytes, origin, t) -> fire(t.isLocal(), null));
        case "afterAllTransactions" -> doc.onAfterAllTransactions(ts -> fire(ts.stream().map(Transaction::isLocal).toList(), null));
        // Only local ones: a write that joins a remote transaction makes both Yjs and us pick a random client id.
        case "beforeTransaction" -> doc.onBeforeTransaction(t -> {
          if (t.isLocal()) {
            fire(true, null);
          }
        });
        case "beforeObserverCalls" -> doc.onBeforeObserverCalls(t -> fire(t.isLocal(), null));
        case "afterTransaction" -> doc.onAfterTransaction(t -> fire(t.isLocal(), null));
        case "afterTransactionCleanup" -> doc.onAfterTransactionCleanup(t -> fire(t.isLocal(), null));
        default -> throw new IllegalArgumentException(on);
      }
    }

    /** Subscribes {@code added} to the event this reaction reacts to. */
    private void listen(Runnable added) {
      switch (on) {
        case "observe" -> {
          if (name.equals("t")) {
            doc.getText(name).observe(e -> added.run());
          } else if (name.equals("a")) {
            doc.getArray(name).observe(e -> added.run());
          } else {
            doc.getMap(name).observe(e -> added.run());
          }
        }
        case "observeDeep" -> root().observeDeep(es -> added.run());
        case "update" -> doc.onUpdate((bytes, origin, t) -> added.run());
        case "afterAllTransactions" -> doc.onAfterAllTransactions(ts -> added.run());
        case "beforeTransaction" -> doc.onBeforeTransaction(t -> added.run());
        case "beforeObserverCalls" -> doc.onBeforeObserverCalls(t -> added.run());
        case "afterTransaction" -> doc.onAfterTransaction(t -> added.run());
        case "afterTransactionCleanup" -> doc.onAfterTransactionCleanup(t -> added.run());
        default -> throw new IllegalArgumentException(on);
      }
    }

    private SharedType root() {
      return root(name);
    }

    private SharedType root(String root) {
      return root.equals("t") ? doc.getText(root) : root.equals("a") ? doc.getArray(root) : doc.getMap(root);
    }
  }
}
