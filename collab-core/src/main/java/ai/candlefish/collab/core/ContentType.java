package ai.candlefish.collab.core;

import java.util.ArrayDeque;
import java.util.List;

/** A nested shared type (an array in a map, a paragraph in an XML fragment…). */
final class ContentType extends Content {
  final SharedType type;

  ContentType(SharedType type) {
    this.type = type;
  }

  @Override
  int length() {
    return 1;
  }

  @Override
  boolean isCountable() {
    return true;
  }

  @Override
  void collect(List<Object> out) {
    out.add(type);
  }

  @Override
  Content copy() {
    return new ContentType(type.copyEmpty());
  }

  @Override
  void integrate(Transaction txn, Item item) {
    type.integrate(txn.doc, item);
  }

  /**
   * Deletes everything nested in this type. Iterative, not recursive: a hostile update may nest types
   * arbitrarily deep, and deleting them must not overflow the stack.
   */
  @Override
  void delete(Transaction txn) {
    ArrayDeque<SharedType> todo = new ArrayDeque<>();
    todo.push(type);
    while (!todo.isEmpty()) {
      SharedType t = todo.pop();
      for (Item item = t.start; item != null; item = item.right) {
        deleteChild(txn, item, todo);
      }
      for (Item item : t.map.values()) {
        deleteChild(txn, item, todo);
      }
      txn.removeChanged(t);
    }
  }

  private static void deleteChild(Transaction txn, Item item, ArrayDeque<SharedType> todo) {
    if (!item.isDeleted()) {
      item.deleteShallow(txn);
      if (item.content instanceof ContentType nested) {
        todo.push(nested.type);
      } else {
        item.content.delete(txn);
      }
    } else if (item.clock < txn.beforeState(item.client)) {
      // Deleted before this transaction: not in its delete set, but it may merge with its now-deleted neighbours.
      txn.addMergeStruct(item);
    }
  }

  /** Collects everything nested in this type (iteratively, for the same reason as {@link #delete}). */
  @Override
  void gc(StructStore store) {
    ArrayDeque<SharedType> todo = new ArrayDeque<>();
    todo.push(type);
    while (!todo.isEmpty()) {
      SharedType t = todo.pop();
      for (Item item = t.start; item != null; item = item.right) {
        collect(store, item, todo);
      }
      t.start = null;
      for (Item item : t.map.values()) {
        for (Item i = item; i != null; i = i.left) {
          collect(store, i, todo);
        }
      }
      t.clearMap();
    }
  }

  private static void collect(StructStore store, Item item, ArrayDeque<SharedType> todo) {
    if (item.content instanceof ContentType nested) {
      todo.push(nested.type);
    } else {
      item.content.gc(store);
    }
    store.replaceStruct(item, new GC(item.client, item.clock, item.length));
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    type.writeTypeRef(encoder);
  }

  @Override
  int ref() {
    return TYPE;
  }
}
