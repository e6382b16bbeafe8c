package ai.candlefish.collab.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Received structs that depend on structs not received yet, and received deletions of structs not received yet.
 * As in Yjs, waiting structs are kept as one encoded update (merged with each new batch), and retried whenever
 * an update brings a clock they were missing.
 */
final class Pending {
  /** The format waiting structs are kept in: v2, as Yjs keeps them (so that their values round-trip as in Yjs). */
  static final UpdateFormat FORMAT = UpdateFormat.V2;

  /** Waiting structs as an update in {@link #FORMAT}, or null. */
  byte[] update;
  /** The lowest missing clock per client that blocks the waiting structs. */
  final Map<Long, Integer> missing = new HashMap<>();
  DeleteSet deletes = new DeleteSet();

  boolean isEmpty() {
    return update == null && deletes.isEmpty();
  }

  void addStructs(byte[] restUpdate, Map<Long, Integer> restMissing) {
    for (Map.Entry<Long, Integer> e : restMissing.entrySet()) {
      missing.merge(e.getKey(), e.getValue(), Math::min);
    }
    update = update == null ? restUpdate
        : UpdateMerger.merge(List.of(UpdateReader.decodeStream(update, FORMAT), UpdateReader.decodeStream(restUpdate, FORMAT)),
            FORMAT);
  }

  /** Takes the waiting structs out, for a retry. */
  byte[] takeUpdate() {
    byte[] u = update;
    update = null;
    missing.clear();
    return u;
  }

  /** Whether something that blocks the waiting structs has arrived. */
  boolean canRetry(StructStore store) {
    for (Map.Entry<Long, Integer> e : missing.entrySet()) {
      if (e.getValue() < store.getState(e.getKey())) {
        return true;
      }
    }
    return false;
  }
}
