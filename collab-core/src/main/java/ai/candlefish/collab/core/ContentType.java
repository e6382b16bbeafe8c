package ai.candlefish.collab.core;

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

  @Override
  void delete(Transaction txn) {
    for (Item item = type.start; item != null; item = item.right) {
      deleteChild(txn, item);
    }
    for (Item item : type.map.values()) {
      deleteChild(txn, item);
    }
    txn.changed.remove(type);
  }

  private static void deleteChild(Transaction txn, Item item) {
    if (!item.isDeleted()) {
      item.delete(txn);
    } else if (item.clock < txn.beforeState(item.client)) {
      // Deleted before this transaction: not in its delete set, but it may merge with its now-deleted neighbours.
      txn.mergeStructs.add(item);
    }
  }

  @Override
  void gc(StructStore store) {
    for (Item item = type.start; item != null; item = item.right) {
      item.gc(store, true);
    }
    type.start = null;
    for (Item item : type.map.values()) {
      for (Item i = item; i != null; i = i.left) {
        i.gc(store, true);
      }
    }
    type.map.clear();
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
