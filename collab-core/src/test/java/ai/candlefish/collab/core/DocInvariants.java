package ai.candlefish.collab.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Checks the invariants every document must hold after any sequence of operations: each client's structs sorted
 * without gaps, every type's cached length equal to its visible items, list links consistent, map entries
 * pointing at their newest item, and (optionally) nothing pending.
 */
final class DocInvariants {
  private DocInvariants() {}

  static void check(Doc doc) {
    check(doc, true);
  }

  static void check(Doc doc, boolean requireNothingPending) {
    doc.store.checkIntegrity();
    if (requireNothingPending && doc.hasPendingUpdates()) {
      throw new AssertionError("document has pending structs or deletions");
    }
    Deque<SharedType> todo = new ArrayDeque<>(doc.share.values());
    while (!todo.isEmpty()) {
      SharedType t = todo.pop();
      int visible = 0;
      Item prev = null;
      for (Item n = t.start; n != null; n = n.right) {
        if (n.left != prev) {
          throw new AssertionError("broken left link at " + n.client + ":" + n.clock);
        }
        if (n.parent != t) {
          throw new AssertionError("item " + n.client + ":" + n.clock + " has the wrong parent");
        }
        if (n.isVisible()) {
          visible += n.length;
        }
        if (n.content instanceof ContentType ct && !n.isDeleted()) {
          todo.push(ct.type);
        }
        prev = n;
      }
      if (visible != t.length) {
        throw new AssertionError("type length " + t.length + " but visible items sum to " + visible);
      }
      for (Map.Entry<String, Item> e : t.map.entrySet()) {
        Item item = e.getValue();
        if (item.right != null) {
          throw new AssertionError("map entry '" + e.getKey() + "' does not point at its newest item");
        }
        if (item.content instanceof ContentType ct && !item.isDeleted()) {
          todo.push(ct.type);
        }
      }
    }
  }
}
