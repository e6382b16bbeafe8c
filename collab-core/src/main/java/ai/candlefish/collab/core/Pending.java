package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Comparator;
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
  /** Waiting deletions; each client's ranges sorted and merged, so the first is the lowest. */
  final DeleteSet deletes = new DeleteSet();

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

  /**
   * Takes out the waiting deletions that may apply now: those of clients whose structs have reached the first of
   * them. The others would all wait again (Yjs tries every one at every update, with the same outcome), so a message
   * costs time in proportion to the clients that wait, not to their ranges. In descending client order, the order
   * Yjs reads its encoded pending delete set in. Null when none may apply.
   */
  DeleteSet takeReachableDeletes(StructStore store) {
    List<Long> reached = null;
    for (Map.Entry<Long, DeleteSet.Ranges> e : deletes.clients.entrySet()) {
      if (store.getState(e.getKey()) > e.getValue().clock(0)) {
        if (reached == null) {
          reached = new ArrayList<>();
        }
        reached.add(e.getKey());
      }
    }
    if (reached == null) {
      return null;
    }
    reached.sort(Comparator.reverseOrder());
    DeleteSet out = new DeleteSet();
    for (long client : reached) {
      out.clients.put(client, deletes.remove(client));
    }
    return out;
  }

  /**
   * Adds deletions that wait for their structs. Ranges after a client's last waiting range (the usual case) are
   * appended; only others make the client's ranges sorted again.
   */
  void addDeletes(DeleteSet waiting) {
    for (Map.Entry<Long, DeleteSet.Ranges> e : waiting.clients.entrySet()) {
      DeleteSet.Ranges added = e.getValue();
      added.sortAndMerge();
      DeleteSet.Ranges existing = deletes.clients.get(e.getKey());
      if (existing == null) {
        deletes.clients.put(e.getKey(), added);
        continue;
      }
      int last = existing.count() - 1;
      boolean after = added.clock(0) >= existing.clock(last) + existing.len(last);
      for (int i = 0; i < added.count(); i++) {
        existing.add(added.clock(i), added.len(i));
      }
      if (!after) {
        existing.sortAndMerge();
      }
    }
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
