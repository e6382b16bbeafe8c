package ai.candlefish.collab.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The maps the differential tests send to the Yjs peer (interop.mjs) and apply with {@link YjsInterop#apply}: an
 * operation on a root type, and a command for one of the peer's documents.
 */
final class YjsOps {
  private YjsOps() {}

  /** {@code {"op": op, "name": name, ...args}}, args in key order (so that logged steps read the same each run). */
  static Map<String, Object> op(String op, String name, Map<String, Object> args) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", op);
    m.put("name", name);
    m.putAll(new TreeMap<>(args));
    return m;
  }

  /** {@code {"op": op, "id": id}}: a command for the peer's document {@code id}; callers add its arguments. */
  static Map<String, Object> cmd(String op, String id) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", op);
    c.put("id", id);
    return c;
  }
}
