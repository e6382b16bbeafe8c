package ai.candlefish.collab.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random edits for the differential tests against Yjs: operations of the shared vocabulary ({@link
 * YjsInterop#apply}, interop.mjs's applyOp) on a text "t", an array "a" and a map "m" with nested types, chosen
 * from a document's current state, with values of every kind Yjs stores.
 */
final class RandomEdits {
  private final SplittableRandom rnd;
  private final boolean xml;
  private final boolean emptyEmbeds;

  RandomEdits(SplittableRandom rnd) {
    this(rnd, false);
  }

  /** With {@code xml}, some operations insert XML elements into (or delete them from) an XML fragment "x" too. */
  RandomEdits(SplittableRandom rnd, boolean xml) {
    this(rnd, xml, false);
  }

  /** With {@code emptyEmbeds}, some embeds are {@code ""}: Yjs writes an item of length 0 for them. */
  RandomEdits(SplittableRandom rnd, boolean xml, boolean emptyEmbeds) {
    this.rnd = rnd;
    this.xml = xml;
    this.emptyEmbeds = emptyEmbeds;
  }

  /** A random operation of the shared vocabulary on the roots "t" (text), "a" (array) and "m" (map) of doc. */
  Map<String, Object> randomOp(Doc doc) {
    Map<String, Object> op = new LinkedHashMap<>();
    String s = flat(doc.getText("t"));
    YArray array = doc.getArray("a");
    int dice = rnd.nextInt(100);
    if (dice < 25) {
      op.put("op", "insertText");
      op.put("name", "t");
      op.put("index", boundary(s, rnd.nextInt(s.length() + 1)));
      op.put("text", randomText());
      int a = rnd.nextInt(10);
      if (a >= 6) {
        op.put("attrs", a == 6 ? Map.of() : randomAttrs(false));
      }
    } else if (dice < 37 && !s.isEmpty()) {
      int[] range = range(s);
      op.put("op", "deleteText");
      op.put("name", "t");
      op.put("index", range[0]);
      op.put("len", range[1]);
    } else if (dice < 45 && !s.isEmpty()) {
      int[] range = range(s);
      op.put("op", "formatText");
      op.put("name", "t");
      op.put("index", range[0]);
      op.put("len", range[1]);
      op.put("attrs", randomAttrs(true));
    } else if (dice < 48) {
      op.put("op", "insertEmbed");
      op.put("name", "t");
      op.put("index", boundary(s, rnd.nextInt(s.length() + 1)));
      // An empty string is an item of length 0 in Yjs
      op.put("embed", emptyEmbeds && rnd.nextInt(3) == 0 ? "" : Map.of("image", "img" + rnd.nextInt(10) + ".png"));
      if (rnd.nextBoolean()) {
        op.put("attrs", Map.of("width", rnd.nextInt(500)));
      }
    } else if (dice < 63) {
      op.put("op", "arrayInsert");
      op.put("name", "a");
      op.put("index", rnd.nextInt(array.length() + 1));
      op.put("values", YjsInterop.toTagged(randomTopLevelValues()));
    } else if (dice < 68) {
      op.put("op", "arrayPush");
      op.put("name", "a");
      op.put("values", YjsInterop.toTagged(randomTopLevelValues()));
    } else if (dice < 76 && array.length() > 0) {
      int index = rnd.nextInt(array.length());
      op.put("op", "arrayDelete");
      op.put("name", "a");
      op.put("index", index);
      op.put("len", 1 + rnd.nextInt(Math.min(3, array.length() - index)));
    } else if (dice < 84) {
      op.put("op", "mapSet");
      op.put("name", "m");
      op.put("key", String.valueOf((char) ('a' + rnd.nextInt(6))));
      op.put("value", YjsInterop.toTagged(randomValue(0, true)));
    } else if (dice < 87) {
      op.put("op", "mapSetType");
      op.put("name", "m");
      op.put("key", String.valueOf((char) ('a' + rnd.nextInt(6))));
      op.put("kind", List.of("map", "array", "text").get(rnd.nextInt(3)));
    } else if (xml && dice >= 92 && dice < 95) {
      xmlOp(doc, op);
    } else if (dice < 95) {
      nestedOp(doc, op);
    } else {
      op.put("op", "mapDelete");
      op.put("name", "m");
      op.put("key", String.valueOf((char) ('a' + rnd.nextInt(6))));
    }
    return op;
  }

  /** An edit inside the shared type nested at a map key (whatever it is; nothing happens if it is not a type). */
  private void nestedOp(Doc doc, Map<String, Object> op) {
    String key = String.valueOf((char) ('a' + rnd.nextInt(6)));
    Object nested = doc.getMap("m").get(key);
    int length = nested instanceof YText t ? t.length() : nested instanceof YArray a ? a.length() : 0;
    op.put("name", "m");
    op.put("key", key);
    if (length > 0 && rnd.nextInt(3) == 0) {
      int index = rnd.nextInt(length);
      op.put("op", "nestedDelete");
      op.put("index", index);
      op.put("len", 1 + rnd.nextInt(Math.min(3, length - index)));
      op.put("text", String.valueOf((char) ('p' + rnd.nextInt(3))));
    } else {
      op.put("op", "nestedInsert");
      op.put("index", rnd.nextInt(length + 1));
      op.put("text", nested instanceof YMap ? String.valueOf((char) ('p' + rnd.nextInt(3))) : "xy".substring(rnd.nextInt(2)));
      op.put("values", YjsInterop.toTagged(randomTopLevelValues()));
    }
  }

  /** Inserts XML elements (with attributes, children, formatted text) into root "x", or deletes some. */
  private void xmlOp(Doc doc, Map<String, Object> op) {
    int length = doc.getXmlFragment("x").length();
    op.put("name", "x");
    if (length > 0 && rnd.nextInt(3) == 0) {
      int index = rnd.nextInt(length);
      op.put("op", "xmlDelete");
      op.put("index", index);
      op.put("len", 1 + rnd.nextInt(Math.min(2, length - index)));
    } else {
      op.put("op", "xmlInsert");
      op.put("index", rnd.nextInt(length + 1));
      List<Object> nodes = new ArrayList<>();
      for (int i = 1 + rnd.nextInt(2); i > 0; i--) {
        nodes.add(xmlNode(0));
      }
      op.put("nodes", nodes);
    }
  }

  private Map<String, Object> xmlNode(int depth) {
    Map<String, Object> node = new LinkedHashMap<>();
    if (depth > 0 && rnd.nextBoolean()) {
      node.put("text", randomText());
      if (rnd.nextBoolean()) {
        node.put("attrs", Map.of("bold", true));
      }
      return node;
    }
    node.put("element", List.of("p", "h1", "li").get(rnd.nextInt(3)));
    if (rnd.nextBoolean()) {
      node.put("attrs", Map.of("class", "c" + rnd.nextInt(3)));
    }
    List<Object> children = new ArrayList<>();
    for (int i = depth < 2 ? rnd.nextInt(3) : 0; i > 0; i--) {
      children.add(xmlNode(depth + 1));
    }
    node.put("children", children);
    return node;
  }

  /** The text in Yjs's index space: its characters, with U+FFFC standing for each embed. */
  static String flat(YText text) {
    StringBuilder sb = new StringBuilder();
    for (Delta d : text.toDelta()) {
      if (d.insert() instanceof String str) {
        sb.append(str);
      } else {
        sb.append('\uFFFC');
      }
    }
    return sb.toString();
  }

  private static final String[] WORDS = {"a", "bc", "def", "ghij", " ", "\n", "ü", "€", "😀", "👍🏽", "x😀y", "日本"};

  private String randomText() {
    StringBuilder sb = new StringBuilder();
    for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
      sb.append(WORDS[rnd.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  /**
   * Moves an index off the middle of a surrogate pair. Splitting a pair is legal (Yjs turns both halves into
   * U+FFFD, and YjsFixturesTest pins that), but how it ends then depends on delivery order even within Yjs,
   * so replicas that received updates in different orders could legitimately disagree.
   */
  private static int boundary(String s, int index) {
    return index > 0 && index < s.length() && Character.isLowSurrogate(s.charAt(index))
        && Character.isHighSurrogate(s.charAt(index - 1)) ? index - 1 : index;
  }

  private int[] range(String s) {
    int start = boundary(s, rnd.nextInt(s.length()));
    int end = boundary(s, Math.min(s.length(), start + 1 + rnd.nextInt(6)));
    if (end <= start) {
      end = Math.min(s.length(), start + 2);
    }
    return new int[] {start, end - start};
  }

  private Map<String, Object> randomAttrs(boolean allowRemoval) {
    Map<String, Object> attrs = new LinkedHashMap<>();
    switch (rnd.nextInt(5)) {
      case 0 -> attrs.put("bold", allowRemoval && rnd.nextBoolean() ? null : Boolean.TRUE);
      case 1 -> attrs.put("italic", allowRemoval && rnd.nextBoolean() ? null : Boolean.TRUE);
      case 2 -> attrs.put("color", "#" + rnd.nextInt(1000));
      case 3 -> attrs.put("link", allowRemoval && rnd.nextBoolean() ? null : Map.of("href", "https://x/" + rnd.nextInt(5)));
      default -> {
        attrs.put("bold", Boolean.TRUE);
        attrs.put("size", rnd.nextInt(3) + 10);
      }
    }
    return attrs;
  }

  /** Values an array insert takes at the top level: Yjs refuses undefined and bigint there. */
  private List<Object> randomTopLevelValues() {
    List<Object> values = new ArrayList<>();
    for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
      values.add(randomValue(0, false));
    }
    return values;
  }

  private Object randomValue(int depth, boolean anyScalar) {
    int dice = rnd.nextInt(depth >= 2 ? 9 : 11);
    switch (dice) {
      case 0:
        return null;
      case 1:
        return rnd.nextBoolean();
      case 2:
        return rnd.nextInt(-1000, 1000);
      case 3:
        return rnd.nextBoolean() ? Integer.MAX_VALUE : -Integer.MAX_VALUE;
      case 4:
        return rnd.nextInt(-4000, 4000) / 8.0 + 0.125; // float32-exact, never integral
      case 5:
        return rnd.nextInt(1, 1000) / 10.0 + 0.01; // float64 only
      case 6:
        return "s" + rnd.nextInt(100) + (rnd.nextBoolean() ? "😀" : "");
      case 7: {
        byte[] b = new byte[rnd.nextInt(5)];
        rnd.nextBytes(b);
        return b;
      }
      case 8:
        if (anyScalar || depth > 0) {
          return rnd.nextBoolean() ? Undefined.INSTANCE : BigInteger.valueOf(rnd.nextLong());
        }
        return "plain";
      case 9: {
        List<Object> list = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          list.add(randomValue(depth + 1, true));
        }
        return list;
      }
      default: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          map.put("k" + rnd.nextInt(10), randomValue(depth + 1, true));
        }
        return map;
      }
    }
  }
}
