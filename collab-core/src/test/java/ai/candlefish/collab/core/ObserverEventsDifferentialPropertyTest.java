package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Events as observers see them, against real Yjs, on every shared type and not only at the roots: random sessions of
 * replicas ({@link TwinSession}: concurrent edits delivered in random order, merged, with structs that wait for others)
 * whose every type, nested ones included, has an {@code observe} and then an {@code observeDeep} listener
 * ({@code peer-observers.mjs} subscribes its twin's the same way after every step). Edits reach types anywhere
 * ({@link PathEdits}); replicas undo and redo their own transactions (an
 * {@link UndoManager} over the whole document). After every step the listeners must have heard the same, in the same
 * order, interleaved with the {@code afterTransaction} callbacks (with the transaction's origin and changed types),
 * the {@code afterTransactionCleanup} callbacks and the undo manager's stack events (with their changed parent
 * types): per event its target and current target, its transaction's origin, path, delta, changed keys with action
 * and old value, added and deleted items, XML attribute and child changes.
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.observers.seed=<seed> -Dyjs.observers.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class ObserverEventsDifferentialPropertyTest {
  private static final int RUNS = 60;
  private static final long BUDGET_MILLIS = 12_000;
  private static final Map<String, String> ROOTS = YjsSurfacePropertyTest.ROOTS;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void randomSessions_everyTypesObserversHearWhatYjssHear() {
    SeededRuns.named("yjs.observers", 0x0B5E_27E5L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "o" + run).execute());
  }

  /** A Java replica's listeners: which types they are on, what they heard, its undo manager. */
  private static final class Listening {
    final Set<SharedType> observed = Collections.newSetFromMap(new IdentityHashMap<>());
    final List<Object> log = new ArrayList<>();
    final UndoManager undo;

    Listening(Doc doc, UndoManager undo) {
      this.undo = undo;
      undo.onStackItemAdded(e -> log.add(stackEvent("stack-item-added", e)));
      undo.onStackItemUpdated(e -> log.add(stackEvent("stack-item-updated", e)));
      undo.onStackItemPopped(e -> log.add(stackEvent("stack-item-popped", e)));
      doc.onAfterTransaction(t -> log.add(Arrays.asList("afterTransaction", t.isLocal(), origin(t.origin()),
          changed(t))));
      doc.onAfterTransactionCleanup(t -> log.add(List.of("afterTransactionCleanup", t.isLocal())));
    }

    /** An origin as peer-observers.mjs describes it: "um" for the undo manager, else itself (null or "remote"). */
    private Object origin(Object origin) {
      return origin == undo ? "um" : origin;
    }

    /** The transaction's changed types with their changed keys (null: the list part), in their order. */
    private static List<Object> changed(Transaction t) {
      List<Object> out = new ArrayList<>();
      t.changedTypes().forEach((type, keys) -> out.add(List.of(YjsSurfacePropertyTest.typeName(type),
          new ArrayList<>(keys))));
      return out;
    }

    private List<Object> stackEvent(String kind, UndoManager.StackItemEvent e) {
      return Arrays.asList(kind, e.kind() == UndoManager.Kind.UNDO ? "undo" : "redo", origin(e.origin()),
          e.changedParentTypes().stream().map(YjsSurfacePropertyTest::typeName).sorted().toList());
    }

    /** As peer-observers.mjs's observeAll: an observe and then an observeDeep listener on each type not heard yet. */
    void observeAll(Doc doc) {
      doc.share.values().forEach(this::subscribe);
      StructStore store = doc.store;
      for (int c = 0; c < store.clientCount(); c++) {
        StructList structs = store.listAt(c);
        for (int i = 0; i < structs.size; i++) {
          if (structs.get(i) instanceof Item item && !item.isDeleted() && item.content instanceof ContentType ct) {
            subscribe(ct.type);
          }
        }
      }
    }

    private void subscribe(SharedType t) {
      if (!observed.add(t)) {
        return;
      }
      Consumer<YEvent> heard = e -> log.add(List.of("observe", YjsSurfacePropertyTest.typeName(t), describe(e)));
      if (t instanceof YArray a) {
        a.observe(heard::accept);
      } else if (t instanceof YMap m) {
        m.observe(heard::accept);
      } else if (t instanceof YText x) {
        x.observe(heard::accept);
      } else if (t instanceof YXmlFragment f) {
        f.observe(heard::accept);
      }
      t.observeDeep(events -> {
        List<Object> described = new ArrayList<>();
        events.forEach(e -> described.add(describe(e)));
        log.add(List.of("deep", YjsSurfacePropertyTest.typeName(t), described));
      });
    }

    private Map<String, Object> describe(YEvent e) {
      Map<String, Object> d = YjsSurfacePropertyTest.describe(e);
      d.put("origin", origin(e.transaction().origin()));
      d.put("target", YjsSurfacePropertyTest.typeName(e.target()));
      d.put("currentTarget", YjsSurfacePropertyTest.typeName(e.currentTarget()));
      return d;
    }
  }

  private static final class Run {
    private final TwinSession session;
    private final SplittableRandom rnd;
    private final String prefix;
    private final Map<String, Listening> listening = new LinkedHashMap<>();
    private final PathEdits edits;

    Run(long seed, String prefix) {
      this.session = new TwinSession(peer, seed, ROOTS, this::compare);
      this.rnd = session.rnd;
      this.prefix = prefix;
      this.edits = new PathEdits(rnd, ROOTS);
    }

    void execute() {
      boolean gc = rnd.nextInt(3) != 0;
      int n = 2 + rnd.nextInt(2);
      for (int i = 0; i < n; i++) {
        TwinSession.Twin t = session.add(prefix + "-" + i, 20 + i * 11 + rnd.nextInt(7), gc);
        Listening l = new Listening(t.doc, session.addUndoManager(t));
        listening.put(t.id, l);
        l.observeAll(t.doc);
        peer.request(Map.of("op", "observeAll", "id", t.id));
      }
      session.run(25 + rnd.nextInt(40), 60, this::localEdit);
    }

    private void localEdit(TwinSession.Twin t) {
      Map<String, Object> op = new LinkedHashMap<>();
      int dice = rnd.nextInt(100);
      if (dice < 10) {
        op.put("op", "undo");
        listening.get(t.id).undo.undo();
      } else if (dice < 15) {
        op.put("op", "redo");
        listening.get(t.id).undo.redo();
      } else {
        List<Map<String, Object>> ops = new ArrayList<>();
        int count = rnd.nextInt(6) == 0 ? 2 + rnd.nextInt(2) : 1;
        t.doc.transact(txn -> {
          for (int i = 0; i < count; i++) {
            Map<String, Object> one = edits.randomOp(t.doc);
            edits.perform(t.doc, one);
            ops.add(one);
          }
        });
        op.put("op", "pathOps");
        op.put("roots", ROOTS);
        op.put("ops", ops);
      }
      session.applied(t, op);
    }

    /** After each step of replica t: what its listeners heard, against its twin's; then listeners on new types. */
    private void compare(TwinSession.Twin t, String when) {
      Listening l = listening.get(t.id);
      Object yjsLog = peer.request(Map.of("op", "observed", "id", t.id)).get("log");
      List<Object> javaLog = new ArrayList<>(l.log);
      l.log.clear();
      assertThat(YjsSurfacePropertyTest.normalized(javaLog)).as("what the listeners of %s heard %s", t.id, when)
          .isEqualTo(yjsLog);
      l.observeAll(t.doc);
      peer.request(Map.of("op", "observeAll", "id", t.id));
    }
  }
}
