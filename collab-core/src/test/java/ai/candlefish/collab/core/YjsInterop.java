package ai.candlefish.collab.core;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Java half of the interop tests' shared language (its JavaScript half is {@code src/test/js/interop.mjs}):
 * tagged JSON values, the operation vocabulary, and comparison of a document's roots with what Yjs reported.
 *
 * <p>Tagged JSON carries what plain JSON cannot: {@code {"$type":"undefined"}} ({@link Undefined#INSTANCE}),
 * {@code {"$type":"bigint","value":"…"}} ({@link BigInteger}), {@code {"$type":"bytes","base64":"…"}}
 * ({@code byte[]}), {@code {"$type":"number","value":"NaN"|"Infinity"|"-Infinity"|"-0"}} ({@link Double}), and,
 * on the expected side only, {@code {"$type":"doc","guid":"…"}} (a subdocument) and
 * {@code {"$type":"shared","kind":"map","json":…}} (a shared type that Yjs hands out as itself, as in a text
 * delta). A JavaScript number becomes an {@link Integer} when it is an integer that Yjs writes as a varint
 * (|n| &lt; 2<sup>31</sup>) and a {@link Double} otherwise, which is how Yjs itself tells them apart on the wire.
 *
 * <p>Not thread-safe; stateless apart from that.
 */
final class YjsInterop {
  private static final String TAG = "$type";
  private static final long MAX_VARINT_NUMBER = 0x7FFF_FFFFL; // lib0's BITS31

  private YjsInterop() {}

  // ----------------------------------------------------------------------------------------------------------
  // Tagged JSON <-> Java values

  /** Parsed tagged JSON (maps, lists, strings, numbers, booleans, null) to the Java values collab-core takes. */
  static Object toJava(Object json) {
    if (json == null || json instanceof String || json instanceof Boolean) {
      return json;
    }
    if (json instanceof Number n) {
      return number(n);
    }
    if (json instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(toJava(o));
      }
      return out;
    }
    if (json instanceof Map<?, ?> map) {
      Object tag = map.get(TAG);
      if (tag == null) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          out.put((String) e.getKey(), toJava(e.getValue()));
        }
        return out;
      }
      switch ((String) tag) {
        case "undefined":
          return Undefined.INSTANCE;
        case "bigint":
          return new BigInteger((String) map.get("value"));
        case "bytes":
          return Base64.getDecoder().decode((String) map.get("base64"));
        case "number":
          return specialNumber((String) map.get("value"));
        case "doc":
          return new ExpectedDoc((String) map.get("guid"));
        case "shared":
          return new ExpectedShared((String) map.get("kind"), toJava(map.get("json")));
        default:
          throw new IllegalArgumentException("unknown $type " + tag);
      }
    }
    throw new IllegalArgumentException("not a JSON value: " + json.getClass().getName());
  }

  /** A Java value (as collab-core takes or returns it) to tagged JSON, ready for {@code Json.stringify}. */
  static Object toTagged(Object value) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer) {
      return value;
    }
    if (value == Undefined.INSTANCE) {
      return tagged("undefined", null, null);
    }
    if (value instanceof BigInteger b) {
      return tagged("bigint", "value", b.toString());
    }
    if (value instanceof byte[] bytes) {
      return tagged("bytes", "base64", Base64.getEncoder().encodeToString(bytes));
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d)) {
        return tagged("number", "value", "NaN");
      }
      if (Double.isInfinite(d)) {
        return tagged("number", "value", d > 0 ? "Infinity" : "-Infinity");
      }
      if (d == 0 && 1 / d < 0) {
        return tagged("number", "value", "-0");
      }
      return d;
    }
    if (value instanceof Number n) {
      return n;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(toTagged(o));
      }
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put((String) e.getKey(), toTagged(e.getValue()));
      }
      return out;
    }
    throw new IllegalArgumentException("no tagged JSON for " + value.getClass().getName());
  }

  private static Map<String, Object> tagged(String type, String key, String value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(TAG, type);
    if (key != null) {
      m.put(key, value);
    }
    return m;
  }

  private static Object number(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte || n instanceof BigInteger) {
      BigInteger big = n instanceof BigInteger b ? b : BigInteger.valueOf(n.longValue());
      return big.abs().compareTo(BigInteger.valueOf(MAX_VARINT_NUMBER)) <= 0 ? (Object) big.intValue() : (Object) big.doubleValue();
    }
    double d = n instanceof BigDecimal bd ? bd.doubleValue() : n.doubleValue();
    boolean negativeZero = d == 0 && 1 / d < 0;
    if (!negativeZero && d == Math.rint(d) && Math.abs(d) <= MAX_VARINT_NUMBER) {
      return (int) d;
    }
    return d;
  }

  private static Double specialNumber(String s) {
    switch (s) {
      case "NaN":
        return Double.NaN;
      case "Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      case "-0":
        return -0.0;
      default:
        return Double.parseDouble(s);
    }
  }

  /** Expected: a subdocument with this guid. */
  record ExpectedDoc(String guid) {}

  /** Expected: a shared type of this kind ("text", "map", "xmlElement", ...) whose toJson() is json. */
  record ExpectedShared(String kind, Object json) {}

  // ----------------------------------------------------------------------------------------------------------
  // Comparison

  /**
   * Where actual differs from expected (built by {@link #toJava}), or null if it does not. Numbers compare by
   * value (an Integer 1 equals a Double 1.0; NaN equals NaN), bigints only with BigIntegers, maps regardless
   * of key order (Yjs's own key order depends on the order in which updates arrived).
   */
  static String difference(String path, Object expected, Object actual) {
    if (expected instanceof ExpectedDoc doc) {
      if (!(actual instanceof Doc d)) {
        return path + ": expected a subdocument but was " + describe(actual);
      }
      return Objects.equals(doc.guid(), d.guid()) ? null : path + ": expected subdocument " + doc.guid() + " but was " + d.guid();
    }
    if (expected instanceof ExpectedShared shared) {
      return sharedDifference(path, shared, actual);
    }
    if (expected instanceof BigInteger || actual instanceof BigInteger) {
      return Objects.equals(expected, actual) ? null : mismatch(path, expected, actual);
    }
    if (expected instanceof Number e) {
      if (!(actual instanceof Number a)) {
        return mismatch(path, expected, actual);
      }
      double x = e.doubleValue();
      double y = a.doubleValue();
      return x == y || (Double.isNaN(x) && Double.isNaN(y)) ? null : mismatch(path, expected, actual);
    }
    if (expected instanceof byte[] e) {
      return actual instanceof byte[] a && Arrays.equals(e, a) ? null : mismatch(path, expected, actual);
    }
    if (expected instanceof List<?> e) {
      if (!(actual instanceof List<?> a)) {
        return mismatch(path, expected, actual);
      }
      for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
        String d = difference(path + "[" + i + "]", e.get(i), a.get(i));
        if (d != null) {
          return d;
        }
      }
      return e.size() == a.size() ? null : path + ": expected " + e.size() + " elements but was " + a.size() + ": " + describe(actual);
    }
    if (expected instanceof Map<?, ?> e) {
      if (!(actual instanceof Map<?, ?> a)) {
        return mismatch(path, expected, actual);
      }
      if (!e.keySet().equals(a.keySet())) {
        return path + ": expected keys " + e.keySet() + " but was " + a.keySet();
      }
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        String d = difference(path + "." + entry.getKey(), entry.getValue(), a.get(entry.getKey()));
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    return Objects.equals(expected, actual) ? null : mismatch(path, expected, actual);
  }

  private static String sharedDifference(String path, ExpectedShared shared, Object actual) {
    String kind = shared.kind();
    String expectedClass = "Y" + Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
    if (actual == null || !actual.getClass().getSimpleName().equals(expectedClass)) {
      return path + ": expected a " + expectedClass + " but was " + describe(actual);
    }
    try {
      Method toJson = actual.getClass().getMethod("toJson");
      return difference(path + "(" + expectedClass + ".toJson())", shared.json(), toJson.invoke(actual));
    } catch (ReflectiveOperationException ex) {
      return path + ": cannot call toJson() on " + expectedClass + ": " + ex;
    }
  }

  private static String mismatch(String path, Object expected, Object actual) {
    return path + ": expected " + describe(expected) + " but was " + describe(actual);
  }

  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof byte[] b) {
      return "byte[]" + Arrays.toString(b);
    }
    if (v instanceof String s) {
      return '"' + s + '"';
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v + " (" + v.getClass().getSimpleName() + ")";
    }
    return String.valueOf(v) + " (" + v.getClass().getSimpleName() + ")";
  }

  /**
   * A text delta as Yjs's toDelta() shows it: {insert, attributes?} maps (no attributes when there are none; a
   * null embed as {insert: null}).
   */
  static List<Object> deltaAsMaps(List<Delta> delta) {
    List<Object> out = new ArrayList<>(delta.size());
    for (Delta d : delta) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (d.insert() != null) {
        m.put("insert", d.insert() == Delta.NULL_EMBED ? null : d.insert()); // Yjs's {insert: null}
      }
      if (d.delete() > 0) {
        m.put("delete", d.delete());
      }
      if (d.retain() > 0) {
        m.put("retain", d.retain());
      }
      if (d.attributes() != null) { // empty when every attribute was "__proto__", as Yjs's {}
        m.put("attributes", d.attributes());
      }
      out.add(m);
    }
    return out;
  }

  /**
   * Every way in which doc's roots differ from a Yjs snapshot: {@code roots} names each root with its kind
   * ("text", "array", "map", "xml"); {@code values} holds each root's tagged toJSON() and {@code deltas} each
   * text root's tagged toDelta(). Empty when they agree.
   */
  static List<String> rootDifferences(Doc doc, Map<String, Object> roots, Map<String, Object> values, Map<String, Object> deltas) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Object> root : roots.entrySet()) {
      String name = root.getKey();
      String kind = (String) root.getValue();
      Object expected = toJava(values.get(name));
      switch (kind) {
        case "text", "xmlText" -> {
          YText text = textRoot(doc, name);
          add(out, difference(name + ".toString()", expected, text.toString()));
          add(out, difference(name + ".toJson()", expected, text.toJson()));
          add(out, difference(name + ".toDelta()", toJava(deltas.get(name)), deltaAsMaps(text.toDelta())));
        }
        case "array" -> add(out, difference(name + ".toJson()", expected, doc.getArray(name).toJson()));
        case "map" -> add(out, difference(name + ".toJson()", expected, doc.getMap(name).toJson()));
        case "xml" -> {
          YXmlFragment xml = doc.getXmlFragment(name);
          add(out, difference(name + ".toString()", expected, xml.toString()));
          add(out, difference(name + ".toJson()", expected, xml.toJson()));
        }
        default -> out.add(name + ": unknown root kind " + kind);
      }
    }
    return out;
  }

  private static void add(List<String> out, String difference) {
    if (difference != null) {
      out.add(difference);
    }
  }

  // ----------------------------------------------------------------------------------------------------------
  // The operation vocabulary (see interop.mjs's applyOp)

  /** Whether collab-core's public API can perform op (all of the vocabulary, by now). */
  static boolean supported(Map<String, Object> op) {
    return true;
  }

  /** Performs one operation of the vocabulary on doc, with its values given in tagged JSON. */
  static void apply(Doc doc, Map<String, Object> op) {
    String name = (String) op.get("name");
    switch ((String) op.get("op")) {
      case "transact" -> doc.transact(txn -> {
        for (Object o : (List<?>) op.get("ops")) {
          apply(doc, asMap(o));
        }
      });
      case "insertText" -> {
        if (op.get("attrs") == null) {
          textRoot(doc, name).insert(intOf(op, "index"), (String) op.get("text"));
        } else {
          textRoot(doc, name).insert(intOf(op, "index"), (String) op.get("text"), attrs(op));
        }
      }
      case "insertEmbed" -> {
        // Yjs treats a missing attributes argument of insertEmbed as {} (unlike insert, which inherits).
        Map<String, Object> attrs = op.get("attrs") == null ? Map.of() : attrs(op);
        textRoot(doc, name).insertEmbed(intOf(op, "index"), toJava(op.get("embed")), attrs);
      }
      case "deleteText" -> textRoot(doc, name).delete(intOf(op, "index"), intOf(op, "len"));
      case "formatText" -> textRoot(doc, name).format(intOf(op, "index"), intOf(op, "len"), attrs(op));
      case "cleanupYTextFormatting" -> textRoot(doc, name).cleanupFormatting();
      case "arrayInsert" -> doc.getArray(name).insert(intOf(op, "index"), (List<?>) toJava(op.get("values")));
      case "arrayPush" -> doc.getArray(name).push((List<?>) toJava(op.get("values")));
      case "arrayDelete" -> doc.getArray(name).delete(intOf(op, "index"), intOf(op, "len"));
      case "mapSet" -> doc.getMap(name).set((String) op.get("key"), toJava(op.get("value")));
      case "mapDelete" -> doc.getMap(name).delete((String) op.get("key"));
      case "mapSetType" -> doc.getMap(name).set((String) op.get("key"), switch ((String) op.get("kind")) {
        case "map" -> new YMap();
        case "array" -> new YArray();
        default -> new YText();
      });
      case "nestedInsert" -> {
        Object t = doc.getMap(name).get((String) op.get("key"));
        if (t instanceof YText text) {
          text.insert(intOf(op, "index"), (String) op.get("text"));
        } else if (t instanceof YArray array) {
          array.insert(intOf(op, "index"), (List<?>) toJava(op.get("values")));
        } else if (t instanceof YMap map) {
          map.set((String) op.get("text"), toJava(op.get("values")));
        }
      }
      case "nestedDelete" -> {
        Object t = doc.getMap(name).get((String) op.get("key"));
        if (t instanceof YText text) {
          text.delete(intOf(op, "index"), intOf(op, "len"));
        } else if (t instanceof YArray array) {
          array.delete(intOf(op, "index"), intOf(op, "len"));
        } else if (t instanceof YMap map) {
          map.delete((String) op.get("text"));
        }
      }
      case "xmlInsert" -> {
        List<SharedType> nodes = new ArrayList<>();
        for (Object n : (List<?>) op.get("nodes")) {
          nodes.add(xmlNode(asMap(n)));
        }
        doc.getXmlFragment(name).insert(intOf(op, "index"), nodes);
      }
      case "arrayInsertMap" -> doc.getArray(name).insert(Math.min(intOf(op, "index"), doc.getArray(name).length()),
          List.of(new YMap()));
      case "arrayChildSet" -> {
        YArray a = doc.getArray(name);
        int index = intOf(op, "index");
        if (index < a.length() && a.get(index) instanceof YMap child) {
          child.set((String) op.get("key"), toJava(op.get("value")));
        }
      }
      case "xmlDelete" -> doc.getXmlFragment(name).delete(intOf(op, "index"), intOf(op, "len"));
      case "xmlSetAttribute" -> {
        YXmlFragment f = doc.getXmlFragment(name);
        int index = intOf(op, "index");
        if (index < f.length() && f.get(index) instanceof YXmlElement el) {
          if (!op.containsKey("value")) {
            el.removeAttribute((String) op.get("key"));
          } else {
            el.setAttribute((String) op.get("key"), toJava(op.get("value")));
          }
        }
      }
      case "xmlTextEmbed" -> {
        YXmlFragment f = doc.getXmlFragment(name);
        int index = intOf(op, "index");
        if (index < f.length() && f.get(index) instanceof YXmlText t) {
          String kind = (String) op.get("kind");
          SharedType embed = switch (kind) {
            case "map" -> new YMap();
            case "array" -> new YArray();
            case "text" -> new YText();
            case "xmlElement" -> new YXmlElement("em");
            default -> new YXmlText();
          };
          t.insertEmbed(Math.min(intOf(op, "at"), t.length()), embed);
          if (embed instanceof YMap m) {
            m.set("k", 1);
          } else if (embed instanceof YArray a) {
            a.push(List.of(1, "two"));
          } else if (embed instanceof YText text) {
            text.insert(0, "in");
          }
        }
      }
      default -> throw new IllegalArgumentException("op not supported by the Java API: " + op.get("op"));
    }
  }

  /** An XML node description ({element, attrs, children} or {text, attrs}) to a preliminary node. */
  private static SharedType xmlNode(Map<String, Object> d) {
    if (d.get("text") != null) {
      YXmlText t = new YXmlText();
      if (d.get("attrs") == null) {
        t.insert(0, (String) d.get("text"));
      } else {
        t.insert(0, (String) d.get("text"), asMap(toJava(d.get("attrs"))));
      }
      return t;
    }
    YXmlElement el = new YXmlElement((String) d.get("element"));
    if (d.get("attrs") != null) {
      asMap(d.get("attrs")).forEach((k, v) -> el.setAttribute(k, toJava(v)));
    }
    if (d.get("children") != null) {
      List<SharedType> children = new ArrayList<>();
      for (Object c : (List<?>) d.get("children")) {
        children.add(xmlNode(asMap(c)));
      }
      el.insert(0, children);
    }
    return el;
  }

  @SuppressWarnings("unchecked")
  /** As interop.mjs's textRoot: the root text called name, a text or the XML text defined there. */
  static YText textRoot(Doc doc, String name) {
    return doc.share.get(name) instanceof YText t ? t : doc.getText(name);
  }

  static Map<String, Object> asMap(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> attrs(Map<String, Object> op) {
    return (Map<String, Object>) toJava(op.get("attrs"));
  }

  private static int intOf(Map<String, Object> op, String key) {
    return ((Number) op.get(key)).intValue();
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static byte[] fromBase64(Object s) {
    return Base64.getDecoder().decode((String) s);
  }
}
