package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
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
 * ({@code peer-observers.mjs} subscribes its twin's the same way after every step). Edits reach types anywhere:
 * maps, arrays and texts nested in each other, XML elements with attributes and children, XML texts with formats,
 * attributes and embedded types, embeds of numbers and objects; replicas undo and redo their own transactions (an
 * {@link UndoManager} over the whole document). After every step the listeners must have heard the same, in the same
 * order, interleaved with the {@code afterTransaction} callbacks: per event its target and current target, path,
 * delta, changed keys with action and old value, added and deleted items, XML attribute and child changes.
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.observers.seed=<seed> -Dyjs.observers.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class ObserverEventsDifferentialPropertyTest {
  private static final int RUNS = 60;
  private static final long BUDGET_MILLIS = 12_000;
  private static final Map<String, String> ROOTS = YjsSurfacePropertyTest.ROOTS;
  private static final List<String> KINDS = List.of("map", "array", "text", "xmlText", "xmlElement");
  private static final String[] KEYS = {"a", "b", "10"};

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

    Listening(Doc doc) {
      undo = UndoManager.newBuilder(doc).captureTimeout(Duration.ZERO).build();
      doc.onAfterTransaction(t -> log.add(List.of("afterTransaction", t.isLocal(), t.origin() == undo)));
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

    private static Map<String, Object> describe(YEvent e) {
      Map<String, Object> d = YjsSurfacePropertyTest.describe(e);
      d.put("target", YjsSurfacePropertyTest.typeName(e.target()));
      d.put("currentTarget", YjsSurfacePropertyTest.typeName(e.currentTarget()));
      return d;
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Edits by path, as peer-observers.mjs's pathOps performs them

  /** A shared type and the path to it: [root name, map key / list index / text position of an embedded type...]. */
  private record Located(List<Object> path, SharedType type) {}

  private static List<Located> types(Doc doc) {
    List<Located> out = new ArrayList<>();
    ROOTS.forEach((name, kind) -> walk(Twins.root(doc, name, kind), List.of(name), out));
    return out;
  }

  private static void walk(SharedType t, List<Object> path, List<Located> out) {
    out.add(new Located(path, t));
    if (t instanceof YMap m) {
      for (String key : m.keys()) {
        if (m.get(key) instanceof SharedType child) {
          walk(child, append(path, key), out);
        }
      }
    } else if (t instanceof YArray a) {
      for (int i = 0; i < a.length(); i++) {
        if (a.get(i) instanceof SharedType child) {
          walk(child, append(path, i), out);
        }
      }
    } else if (t instanceof YText x) {
      int at = 0;
      for (Delta d : x.toDelta()) {
        if (d.insert() instanceof SharedType child) {
          walk(child, append(path, at), out);
        }
        at += d.insert() instanceof String s ? s.length() : 1;
      }
    } else if (t instanceof YXmlFragment f) {
      List<Object> children = f.slice(0);
      for (int i = 0; i < children.size(); i++) {
        if (children.get(i) instanceof SharedType child) {
          walk(child, append(path, i), out);
        }
      }
    }
  }

  private static List<Object> append(List<Object> path, Object step) {
    List<Object> out = new ArrayList<>(path);
    out.add(step);
    return out;
  }

  private static SharedType typeAt(Doc doc, List<?> path) {
    for (Located l : types(doc)) {
      if (YjsSurfacePropertyTest.normalized(l.path).equals(YjsSurfacePropertyTest.normalized(path))) {
        return l.type;
      }
    }
    throw new IllegalStateException("no shared type at " + path);
  }

  private static SharedType newType(String kind) {
    return switch (kind) {
      case "map" -> {
        YMap m = new YMap();
        m.set("k", 1);
        yield m;
      }
      case "array" -> {
        YArray a = new YArray();
        a.insert(0, List.of(1));
        yield a;
      }
      case "text" -> new YText("in");
      case "xmlText" -> {
        YXmlText x = new YXmlText();
        x.insert(0, "in");
        yield x;
      }
      default -> new YXmlElement("p");
    };
  }

  @SuppressWarnings("unchecked")
  private static void perform(Doc doc, Map<String, Object> op) {
    SharedType t = typeAt(doc, (List<?>) op.get("path"));
    Object key = op.get("key");
    int index = op.containsKey("index") ? ((Number) op.get("index")).intValue() : 0;
    int len = op.containsKey("len") ? ((Number) op.get("len")).intValue() : 0;
    Map<String, Object> attrs = (Map<String, Object>) YjsInterop.toJava(op.get("attrs"));
    switch ((String) op.get("action")) {
      case "set" -> ((YMap) t).set((String) key, YjsInterop.toJava(op.get("value")));
      case "setType" -> ((YMap) t).set((String) key, newType((String) op.get("kind")));
      case "delete" -> {
        if (t instanceof YMap m) {
          m.delete((String) key);
        } else {
          ((YArray) t).delete(index, len);
        }
      }
      case "insert" -> ((YArray) t).insert(index, (List<Object>) YjsInterop.toJava(op.get("values")));
      case "insertType" -> ((YArray) t).insert(index, List.of(newType((String) op.get("kind"))));
      case "insertText" -> ((YText) t).insert(index, (String) op.get("text"), attrs);
      case "format" -> ((YText) t).format(index, len, attrs);
      case "deleteText" -> ((YText) t).delete(index, len);
      case "embedType" -> ((YText) t).insertEmbed(index, newType((String) op.get("kind")), attrs);
      case "embed" -> ((YText) t).insertEmbed(index, YjsInterop.toJava(op.get("value")));
      case "setAttr" -> {
        Object value = YjsInterop.toJava(op.get("value"));
        if (t instanceof YXmlElement e) {
          if (op.containsKey("value")) {
            e.setAttribute((String) key, value);
          } else {
            e.removeAttribute((String) key);
          }
        } else if (op.containsKey("value")) {
          ((YText) t).setAttribute((String) key, value);
        } else {
          ((YText) t).removeAttribute((String) key);
        }
      }
      case "insertXml" -> {
        SharedType node;
        if ("xmlText".equals(op.get("kind"))) {
          YXmlText x = new YXmlText();
          x.insert(0, (String) op.get("text"));
          node = x;
        } else {
          node = new YXmlElement("p");
        }
        ((YXmlFragment) t).insert(index, List.of(node));
      }
      case "deleteXml" -> ((YXmlFragment) t).delete(index, len);
      default -> throw new IllegalArgumentException("unknown action " + op.get("action"));
    }
  }

  private static final class Run {
    private final TwinSession session;
    private final SplittableRandom rnd;
    private final String prefix;
    private final Map<String, Listening> listening = new LinkedHashMap<>();

    Run(long seed, String prefix) {
      this.session = new TwinSession(peer, seed, ROOTS, this::compare);
      this.rnd = session.rnd;
      this.prefix = prefix;
    }

    void execute() {
      boolean gc = rnd.nextInt(3) != 0;
      int n = 2 + rnd.nextInt(2);
      for (int i = 0; i < n; i++) {
        TwinSession.Twin t = session.add(prefix + "-" + i, 20 + i * 11 + rnd.nextInt(7), gc);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("op", "undoManager");
        c.put("id", t.id);
        c.put("scope", "doc");
        c.put("captureTimeout", 0);
        peer.request(c);
        Listening l = new Listening(t.doc);
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
            Map<String, Object> one = randomOp(t.doc);
            perform(t.doc, one);
            ops.add(one);
          }
        });
        op.put("op", "pathOps");
        op.put("roots", ROOTS);
        op.put("ops", ops);
      }
      session.applied(t, op);
    }

    private Map<String, Object> randomOp(Doc doc) {
      List<Located> all = types(doc);
      Located at = all.get(rnd.nextInt(all.size()));
      boolean deep = at.path.size() > 3;
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("path", at.path);
      SharedType t = at.type;
      int dice = rnd.nextInt(100);
      if (t instanceof YMap) {
        op.put("key", KEYS[rnd.nextInt(KEYS.length)]);
        if (dice < 45 || (deep && dice < 80)) {
          op.put("action", "set");
          op.put("value", rnd.nextInt(4) == 0 ? null : rnd.nextBoolean() ? rnd.nextInt(9) : "s" + rnd.nextInt(3));
        } else if (dice < 80) {
          op.put("action", "setType");
          op.put("kind", KINDS.get(rnd.nextInt(KINDS.size())));
        } else {
          op.put("action", "delete");
        }
      } else if (t instanceof YArray a) {
        int length = a.length();
        if (length > 0 && dice < 30) {
          int index = rnd.nextInt(length);
          op.put("action", "delete");
          op.put("index", index);
          op.put("len", 1 + rnd.nextInt(Math.min(2, length - index)));
        } else if (dice < 65 || deep) {
          op.put("action", "insert");
          op.put("index", rnd.nextInt(length + 1));
          op.put("values", rnd.nextBoolean() ? List.of(rnd.nextInt(9)) : List.of("v", rnd.nextInt(9)));
        } else {
          op.put("action", "insertType");
          op.put("index", rnd.nextInt(length + 1));
          op.put("kind", KINDS.get(rnd.nextInt(KINDS.size())));
        }
      } else if (t instanceof YText x) {
        int length = x.length();
        if (length > 0 && dice < 25) {
          int index = rnd.nextInt(length);
          op.put("action", "deleteText");
          op.put("index", index);
          op.put("len", 1 + rnd.nextInt(Math.min(3, length - index)));
        } else if (length > 0 && dice < 45) {
          int index = rnd.nextInt(length);
          op.put("action", "format");
          op.put("index", index);
          op.put("len", 1 + rnd.nextInt(length - index));
          Map<String, Object> attrs = new LinkedHashMap<>();
          attrs.put(rnd.nextBoolean() ? "bold" : "color", rnd.nextInt(3) == 0 ? null : rnd.nextBoolean() ? true : "r");
          op.put("attrs", attrs);
        } else if (dice < 55 && !deep) {
          op.put("action", "embedType");
          op.put("index", rnd.nextInt(length + 1));
          op.put("kind", KINDS.get(rnd.nextInt(KINDS.size())));
        } else if (dice < 62) {
          op.put("action", "embed");
          op.put("index", rnd.nextInt(length + 1));
          op.put("value", rnd.nextBoolean() ? Map.of("src", "i") : rnd.nextInt(9));
        } else if (dice < 72 && t instanceof YXmlText) {
          setAttr(op);
        } else {
          op.put("action", "insertText");
          op.put("index", rnd.nextInt(length + 1));
          op.put("text", "xy".substring(rnd.nextInt(2)));
          if (rnd.nextBoolean()) {
            op.put("attrs", Map.of(rnd.nextBoolean() ? "bold" : "italic", true));
          }
        }
      } else if (t instanceof YXmlFragment f) {
        int length = f.length();
        if (length > 0 && dice < 25) {
          op.put("action", "deleteXml");
          op.put("index", rnd.nextInt(length));
          op.put("len", 1);
        } else if (dice < 50 && t instanceof YXmlElement) {
          setAttr(op);
        } else {
          op.put("action", "insertXml");
          op.put("index", rnd.nextInt(length + 1));
          op.put("kind", deep || rnd.nextBoolean() ? "xmlText" : "xmlElement");
          op.put("text", "tx".substring(rnd.nextInt(2)));
        }
      }
      return op;
    }

    /** An attribute of an XML element or text set (or, one time in four, removed). */
    private void setAttr(Map<String, Object> op) {
      op.put("action", "setAttr");
      op.put("key", KEYS[rnd.nextInt(KEYS.length)]);
      if (rnd.nextInt(4) != 0) {
        op.put("value", "w" + rnd.nextInt(3));
      }
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
