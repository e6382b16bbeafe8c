package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks nested shared types and the JSON values made of them with an explicit stack, never by recursion: a hostile
 * update can nest types tens of thousands of levels deep (Yjs accepts it), and a recursive {@code toJson()} or
 * {@code toString()} of such a document would overflow the thread's stack. Each walk costs time linear in what it
 * visits.
 */
final class TypeWalk {
  private TypeWalk() {}

  /** {@code type.toJson()} for maps and arrays: unmodifiable maps and lists, nested types as their JSON. */
  static Object toJson(SharedType type) {
    ArrayDeque<Object[]> todo = new ArrayDeque<>();
    Object root = shell(type, todo);
    while (!todo.isEmpty()) {
      Object[] next = todo.pop();
      if (next[0] instanceof YMap map) {
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) next[1];
        (map.doc == null ? map.toMap() : map.mapEntries()).forEach((k, v) -> {
          if (!k.equals(JsObjects.PROTO)) { // Yjs's map[key] = value: not an entry (see JsObjects.PROTO)
            out.put(k, value(v, todo));
          }
        });
      } else {
        @SuppressWarnings("unchecked")
        List<Object> out = (List<Object>) next[1];
        // Copied in bulk, then nested types replaced in place: arrays of thousands of numbers are common.
        out.addAll(((YArray) next[0]).toList());
        for (int i = 0, n = out.size(); i < n; i++) {
          Object v = out.get(i);
          if (v instanceof SharedType) {
            out.set(i, value(v, todo));
          }
        }
      }
    }
    return root;
  }

  /** The JSON of a value read from a type: maps and arrays are filled later, from {@code todo}. */
  private static Object value(Object v, ArrayDeque<Object[]> todo) {
    if (v instanceof YMap || v instanceof YArray) {
      return shell((SharedType) v, todo);
    }
    // Text and XML are strings (see toXml); anything else is already a JSON value.
    return v instanceof SharedType t ? t.toJson() : v;
  }

  /** An empty unmodifiable view of the map or list that {@code type}'s JSON will be once filled. */
  private static Object shell(SharedType type, ArrayDeque<Object[]> todo) {
    if (type instanceof YMap) {
      Map<String, Object> out = new LinkedHashMap<>();
      todo.push(new Object[] {type, out});
      return Collections.unmodifiableMap(out);
    }
    // An array of integers only is its own JSON (and has nothing nested to fill in).
    List<Object> ints = ((YArray) type).intValues();
    if (ints != null) {
      return ints;
    }
    List<Object> out = new ArrayList<>();
    todo.push(new Object[] {type, out});
    return Collections.unmodifiableList(out);
  }

  /**
   * XML as Yjs's {@code toString()} writes it: {@code <nodename attr="value">children</nodename>}, attributes sorted
   * by name; a fragment is its children, an element ({@code withOwnTag}) is wrapped in its own tag.
   */
  static String toXml(YXmlFragment node, boolean withOwnTag) {
    StringBuilder sb = new StringBuilder();
    // Strings are written as they come off the stack; nodes are replaced by their parts (in reverse order).
    ArrayDeque<Object> todo = new ArrayDeque<>();
    if (withOwnTag) {
      todo.push(node);
    } else {
      pushChildren(node, todo);
    }
    while (!todo.isEmpty()) {
      Object next = todo.pop();
      if (next instanceof String s) {
        sb.append(s);
      } else if (next instanceof YXmlElement element) {
        String name = JsCase.toLowerCase(element.nodeName()); // Yjs: toLocaleLowerCase()
        todo.push("</" + name + ">");
        pushChildren(element, todo);
        todo.push(openTag(element, name));
      } else {
        sb.append(JsStrings.of(next)); // XML text: a leaf; a hook, or any other type a peer put there, as Yjs prints it
      }
    }
    return sb.toString();
  }

  private static void pushChildren(YXmlFragment fragment, ArrayDeque<Object> todo) {
    // A Yjs peer can put any value in a fragment (only the types say XML nodes): Yjs prints each child's
    // toString(), which is String(value) for the values it has (and a TypeError for null and undefined).
    List<?> children = fragment.doc == null ? fragment.toList() : fragment.listToList();
    for (int i = children.size() - 1; i >= 0; i--) {
      Object child = children.get(i);
      if (child instanceof SharedType) {
        todo.push(child);
      } else if (child == null || child == Undefined.INSTANCE) {
        throw new IllegalStateException("cannot print an XML fragment holding " + child
            + " (Yjs fails too): a peer put a value that is no XML node into it");
      } else {
        todo.push(JsStrings.of(child));
      }
    }
  }

  private static String openTag(YXmlElement element, String name) {
    // Yjs lists the keys of getAttributes() with for...in: an object filled with res[key] = value, so "__proto__"
    // is no entry but, if it holds an object or array, the prototype, whose keys the object inherits (see JsObject).
    Map<String, Object> attrs = new LinkedHashMap<>(element.getAttributes()); // lists no "__proto__"
    Object proto = element.getAttribute(JsObjects.PROTO);
    if (YText.isJsObject(proto)) {
      for (String key : YText.jsKeys(proto)) {
        if (!attrs.containsKey(key)) {
          attrs.put(key, YText.jsGet(proto, key));
        }
      }
    }
    List<String> keys = new ArrayList<>(attrs.keySet());
    Collections.sort(keys);
    StringBuilder sb = new StringBuilder().append('<').append(name);
    for (String key : keys) {
      sb.append(' ').append(key).append("=\"").append(JsStrings.of(attrs.get(key))).append('"');
    }
    return sb.append('>').toString();
  }

  /**
   * {@code json.toString()} for maps and lists of any depth, in the format of Java's collections ({@code {k=v, ...}},
   * {@code [a, b]}).
   */
  static String render(Object json) {
    StringBuilder sb = new StringBuilder();
    ArrayDeque<Object> todo = new ArrayDeque<>();
    todo.push(json);
    while (!todo.isEmpty()) {
      Object next = todo.pop();
      if (next instanceof Literal literal) {
        sb.append(literal.text);
      } else if (next instanceof Map<?, ?> map) {
        todo.push(new Literal("}"));
        List<Object> parts = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!parts.isEmpty()) {
            parts.add(new Literal(", "));
          }
          parts.add(new Literal(e.getKey() + "="));
          parts.add(e.getValue());
        }
        pushReversed(parts, todo);
        todo.push(new Literal("{"));
      } else if (next instanceof List<?> list) {
        todo.push(new Literal("]"));
        List<Object> parts = new ArrayList<>();
        for (Object v : list) {
          if (!parts.isEmpty()) {
            parts.add(new Literal(", "));
          }
          parts.add(v);
        }
        pushReversed(parts, todo);
        todo.push(new Literal("["));
      } else {
        sb.append(next);
      }
    }
    return sb.toString();
  }

  /** Text to write as is (a value that is a string is written the same way, but is not a marker). */
  private record Literal(String text) {}

  private static void pushReversed(List<Object> parts, ArrayDeque<Object> todo) {
    for (int i = parts.size() - 1; i >= 0; i--) {
      todo.push(parts.get(i) == null ? new Literal("null") : parts.get(i));
    }
  }
}
