package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Edits of shared types anywhere in a document, addressed by a path ([root name, map key / list index / text position
 * of an embedded type...]), as {@code peer-observers.mjs}'s {@code pathOps} performs them on a Yjs twin: maps, arrays
 * and texts nested in each other, XML elements with attributes and children, XML texts with formats, attributes and
 * embedded types, embeds of numbers and objects.
 */
final class PathEdits {
  private static final List<String> KINDS = List.of("map", "array", "text", "xmlText", "xmlElement");
  private static final String[] KEYS = {"a", "b", "10"};

  private final SplittableRandom rnd;
  private final Map<String, String> roots;

  /** Edits of documents whose roots are {@code roots} (name to kind, as {@link Twins#root}), drawn from {@code rnd}. */
  PathEdits(SplittableRandom rnd, Map<String, String> roots) {
    this.rnd = rnd;
    this.roots = roots;
  }

  /** A shared type and the path to it: [root name, map key / list index / text position of an embedded type...]. */
  record Located(List<Object> path, SharedType type) {}

  List<Located> types(Doc doc) {
    List<Located> out = new ArrayList<>();
    roots.forEach((name, kind) -> walk(Twins.root(doc, name, kind), List.of(name), out));
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

  SharedType typeAt(Doc doc, List<?> path) {
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
  /** Performs {@code op} on {@code doc} as peer-observers.mjs's pathOps performs it on the twin. */
  void perform(Doc doc, Map<String, Object> op) {
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


  /** A random edit of a random type of {@code doc}, anywhere in it. */
  Map<String, Object> randomOp(Doc doc) {
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
}
