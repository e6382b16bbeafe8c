package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Received structs that depend on structs not received yet, and received deletions of structs not received yet.
 * They are retried whenever an update brings something they were missing.
 */
final class Pending {
  /** Per client, decoded structs sorted by clock (copies may overlap; integration skips what is known). */
  final Map<Long, List<AbstractStruct>> structs = new HashMap<>();
  /** The lowest missing clock per client that blocks the pending structs. */
  final Map<Long, Integer> missing = new HashMap<>();
  DeleteSet deletes = new DeleteSet();

  boolean isEmpty() {
    return structs.isEmpty() && deletes.isEmpty();
  }

  boolean hasStructs() {
    return !structs.isEmpty();
  }

  void addStructs(Map<Long, List<AbstractStruct>> rest, Map<Long, Integer> restMissing) {
    for (Map.Entry<Long, Integer> e : restMissing.entrySet()) {
      missing.merge(e.getKey(), e.getValue(), Math::min);
    }
    for (Map.Entry<Long, List<AbstractStruct>> e : rest.entrySet()) {
      List<AbstractStruct> existing = structs.get(e.getKey());
      if (existing == null) {
        structs.put(e.getKey(), new ArrayList<>(e.getValue()));
      } else {
        existing.addAll(e.getValue());
        existing.sort((a, b) -> Integer.compare(a.clock, b.clock));
      }
    }
  }

  /** Takes all pending structs out, for a retry. */
  Map<Long, List<AbstractStruct>> takeStructs() {
    Map<Long, List<AbstractStruct>> taken = new HashMap<>(structs);
    structs.clear();
    missing.clear();
    return taken;
  }

  /** Whether something that blocks the pending structs has arrived. */
  boolean canRetry(StructStore store) {
    for (Map.Entry<Long, Integer> e : missing.entrySet()) {
      if (e.getValue() < store.getState(e.getKey())) {
        return true;
      }
    }
    return false;
  }
}
