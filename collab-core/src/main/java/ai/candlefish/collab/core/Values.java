package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks and normalizes JSON-like values on their way into a document, so that what this replica reads back is
 * exactly what every other replica (Java or Yjs) reads: integers that fit in 32 bits become {@code Integer},
 * other numbers {@code Double} (as JavaScript sends them); lists and maps become unmodifiable copies,
 * map keys in JavaScript's order.
 */
final class Values {
  private static final int MAX_DEPTH = Lib0Decoder.MAX_DEPTH;
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private Values() {}

  static Object checkJson(Object value) {
    return normalize(value, 0);
  }

  private static Object normalize(Object v, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("value is nested deeper than " + MAX_DEPTH + " levels");
    }
    if (v == null || v instanceof String || v instanceof Boolean || v == Undefined.INSTANCE) {
      return v;
    }
    if (v instanceof Integer) {
      return v;
    }
    if (v instanceof Short || v instanceof Byte) {
      return ((Number) v).intValue();
    }
    if (v instanceof Long l) {
      if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
        return (int) (long) l;
      }
      if (Math.abs(l) > MAX_SAFE_INTEGER) {
        throw new IllegalArgumentException(l + " is beyond JavaScript's safe integers; use BigInteger for a bigint");
      }
      // JavaScript numbers outside 32 bits travel as floating point: read back as Double everywhere.
      return (double) l;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) <= Integer.MAX_VALUE
          && !(d == 0 && 1 / d < 0)) {
        return (int) d;
      }
      return d;
    }
    if (v instanceof BigInteger) {
      // Kept as given, as Yjs keeps a BigInt; it travels modulo 2^64 (JavaScript's BigInt64).
      return v;
    }
    if (v instanceof byte[] bytes) {
      return bytes.clone();
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(normalize(o, depth + 1));
      }
      return Collections.unmodifiableList(out);
    }
    if (v instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException("map keys must be strings but found " + e.getKey());
        }
        copy.put(key, normalize(e.getValue(), depth + 1));
      }
      Map<String, Object> ordered = new LinkedHashMap<>();
      for (String key : JsObjects.orderedKeys(copy)) {
        ordered.put(key, copy.get(key));
      }
      return Collections.unmodifiableMap(ordered);
    }
    throw new IllegalArgumentException("cannot store a " + v.getClass().getName()
        + ": use null, Boolean, a number, String, byte[], List, Map, BigInteger, Undefined or a shared type");
  }
}
