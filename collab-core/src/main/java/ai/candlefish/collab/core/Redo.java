package ai.candlefish.collab.core;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The engine under {@link UndoManager} (Yjs {@code redoItem}, {@code keepItem}, {@code isParentOf},
 * {@code iterateDeletedStructs}). Undo never removes anything from the document: it deletes what a change inserted,
 * and re-creates what it deleted as new items of the local client, linking each original to its copy through
 * {@link Item#redone} so that a later undo of the redo (and a relative position) finds the copy. Deleted items that
 * an undo may re-create are marked {@code keep}, which spares them the garbage collection of deleted content.
 */
final class Redo {
  private Redo() {}

  /** Calls {@code f} with every struct in {@code ds}'s ranges that the document has, splitting at range ends. */
  static void iterateDeletedStructs(Transaction txn, DeleteSet ds, Consumer<AbstractStruct> f) {
    StructStore store = txn.doc.store;
    for (Map.Entry<Long, DeleteSet.Ranges> e : ds.clients.entrySet()) {
      StructList structs = store.list(e.getKey());
      if (structs == null) {
        continue;
      }
      int clockState = structs.state();
      DeleteSet.Ranges ranges = e.getValue();
      for (int i = 0; i < ranges.count() && ranges.clock(i) < clockState; i++) {
        store.iterateStructs(txn, structs, ranges.clock(i), ranges.len(i), f);
      }
    }
  }

  /** A struct and the offset of an id inside it. */
  record Followed(AbstractStruct struct, int diff) {}

  /**
   * The struct holding {@code id}, or what an undo re-created in its place, transitively (Yjs {@code followRedone});
   * the caller has checked that the store has {@code id}.
   */
  static Followed followRedone(StructStore store, ID id) {
    ID next = id;
    int diff = 0;
    AbstractStruct s;
    do {
      if (diff > 0) {
        next = new ID(next.client, next.clock + diff);
      }
      s = store.find(next.client, next.clock);
      diff = next.clock - s.clock;
      next = s instanceof Item it ? it.redone : null;
    } while (next != null);
    return new Followed(s, diff);
  }

  /** Marks {@code item} and the items of all types it is nested in as kept from (or again open to) collection. */
  static void keepItem(Item item, boolean keep) {
    while (item != null && item.keep() != keep) {
      item.setKeep(keep);
      item = ((SharedType) item.parent).item;
    }
  }

  /** Whether {@code item} is in {@code parent} or in a type nested in it at any depth. */
  static boolean isParentOf(SharedType parent, Item item) {
    while (item != null) {
      if (item.parent == parent) {
        return true;
      }
      item = item.parent instanceof SharedType p ? p.item : null;
    }
    return false;
  }

  private static boolean isDeletedByStack(List<UndoManager.StackItem> stack, Item item) {
    for (UndoManager.StackItem s : stack) {
      if (s.deletions.isDeleted(item.client, item.clock)) {
        return true;
      }
    }
    return false;
  }

  /** The item at {@code id} (split off at its start), or null if it was collected. */
  private static Item itemAt(Transaction txn, ID id) {
    return txn.doc.store.getItemCleanStart(txn, id) instanceof Item it ? it : null;
  }

  private static Item parentItemOf(Item item) {
    return ((SharedType) item.parent).item;
  }

  /**
   * Re-creates the deleted {@code item} as a new item of the local client at its old place (Yjs {@code redoItem}).
   *
   * @param redoItems everything the current undo step re-creates (a deleted parent is re-created first if in it)
   * @param itemsToDelete what the current step inserted (a map value it overwrote may be restored over it)
   * @return the new item (or the copy made earlier), or null if it cannot be re-created: its parent stays
   *     deleted, or (for a map entry) another client set the key since
   */
  static AbstractStruct redoItem(Transaction txn, Item item, Set<Item> redoItems, DeleteSet itemsToDelete,
      boolean ignoreRemoteMapChanges, UndoManager um) {
    StructStore store = txn.doc.store;
    long ownClientId = txn.doc.clientId();
    if (item.redone != null) {
      return store.getItemCleanStart(txn, item.redone);
    }
    Item parentItem = parentItemOf(item);
    Item left = null;
    Item right;
    // make sure that the parent is redone
    if (parentItem != null && parentItem.isDeleted()) {
      // try to redo the parent if it will be redone anyway
      if (parentItem.redone == null && (!redoItems.contains(parentItem)
          || redoItem(txn, parentItem, redoItems, itemsToDelete, ignoreRemoteMapChanges, um) == null)) {
        return null;
      }
      while (parentItem.redone != null) {
        parentItem = itemAt(txn, parentItem.redone);
        if (parentItem == null) {
          return null;
        }
      }
    }
    SharedType parentType;
    if (parentItem == null) {
      parentType = (SharedType) item.parent;
    } else if (parentItem.content instanceof ContentType ct) {
      parentType = ct.type;
    } else {
      return null; // the parent's content was collected
    }
    if (item.parentSub == null) {
      // An array item: insert it at its old position, next to the nearest neighbours (or their copies) that are
      // in the same parent.
      left = item.left;
      right = item;
      while (left != null) {
        Item leftTrace = left;
        while (leftTrace != null && parentItemOf(leftTrace) != parentItem) {
          leftTrace = leftTrace.redone == null ? null : itemAt(txn, leftTrace.redone);
        }
        if (leftTrace != null && parentItemOf(leftTrace) == parentItem) {
          left = leftTrace;
          break;
        }
        left = left.left;
      }
      while (right != null) {
        Item rightTrace = right;
        while (rightTrace != null && parentItemOf(rightTrace) != parentItem) {
          rightTrace = rightTrace.redone == null ? null : itemAt(txn, rightTrace.redone);
        }
        if (rightTrace != null && parentItemOf(rightTrace) == parentItem) {
          right = rightTrace;
          break;
        }
        right = right.right;
      }
    } else {
      right = null;
      if (item.right != null && !ignoreRemoteMapChanges) {
        left = item;
        // Walk right while the later values are going away anyway (this step or the stacks delete them, or they
        // were redone): the restored value should replace them.
        while (left != null && left.right != null && (left.right.redone != null
            || itemsToDelete.isDeleted(left.right.client, left.right.clock)
            || isDeletedByStack(um.undoStack, left.right) || isDeletedByStack(um.redoStack, left.right))) {
          left = left.right;
          while (left != null && left.redone != null) {
            left = itemAt(txn, left.redone);
          }
        }
        if (left != null && left.right != null) {
          // another client set the key since: never overwrite a remote change
          return null;
        }
      } else {
        left = parentType.map.get(item.parentSub);
      }
      // a left in another parent would give the new item a misleading origin (Yjs #757)
      if (left != null && parentItemOf(left) != parentItem) {
        left = parentType.map.get(item.parentSub);
      }
    }
    int nextClock = store.getState(ownClientId);
    Item redone = new Item(ownClientId, nextClock, left, left == null ? null : left.lastId(), right,
        right == null ? null : right.id(), parentType, item.parentSub, item.content.copy());
    item.redone = new ID(ownClientId, nextClock);
    keepItem(redone, true);
    redone.integrate(txn, 0);
    return redone;
  }
}
