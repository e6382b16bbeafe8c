package ai.candlefish.collab.core.internal.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JavaScript's order of an object's keys: array-index keys ({@code "0"} … {@code "4294967294"}) first in
 * ascending numeric order, then the other keys in insertion order. Yjs encodes objects in that order, so every
 * map we encode or decode follows it.
 */
public final class JsObjects {
  /**
   * The one key that JavaScript's {@code obj[key] = value} does not store as an entry: it sets the object's
   * prototype (to an object or array value) or does nothing, so the key shows neither in JSON nor in
   * {@code Object.keys}. Yjs builds objects this way when it decodes values and in its {@code toJSON} views.
   */
  public static final String PROTO = "__proto__";

  private JsObjects() {}

  /** The keys of {@code map} in JavaScript's order. @throws IllegalArgumentException if a key is not a String */
  public static List<String> orderedKeys(Map<?, ?> map) {
    List<String> indices = null;
    List<String> others = new ArrayList<>(map.size());
    for (Object k : map.keySet()) {
      if (!(k instanceof String key)) {
        throw new IllegalArgumentException("object keys must be strings but found " + k);
      }
      if (isArrayIndex(key)) {
        if (indices == null) {
          indices = new ArrayList<>();
        }
        indices.add(key);
      } else {
        others.add(key);
      }
    }
    if (indices == null) {
      return others;
    }
    indices.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
    indices.addAll(others);
    return indices;
  }

  /** An unmodifiable copy of {@code map} with keys in JavaScript's order. */
  public static Map<String, Object> ordered(Map<String, Object> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : orderedKeys(map)) {
      out.put(key, map.get(key));
    }
    return Collections.unmodifiableMap(out);
  }

  /** A canonical array index: no sign, no leading zero, below 2^32 - 1. */
  static boolean isArrayIndex(String key) {
    int n = key.length();
    if (n == 0 || n > 10 || (n > 1 && key.charAt(0) == '0')) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return Long.parseLong(key) < 0xFFFFFFFFL;
  }
}
