package ai.candlefish.collab.core;

/**
 * A run of content inserted by one client, linked into its parent's list (or into a map entry's history).
 *
 * <p>Concurrent inserts at the same place are ordered by YATA as Yjs resolves them (see {@link #integrate}): an
 * item remembers the neighbours it was inserted between ({@link #origin}, {@link #rightOrigin}); among items
 * competing for the same gap, the lower client id goes left unless origins say otherwise. Every replica that
 * integrates the same items, in any order, ends with the same list.
 */
final class Item extends AbstractStruct {
  private static final int KEEP = 1;
  private static final int COUNTABLE = 2;
  private static final int DELETED = 4;
  private static final int MARKER = 8;

  static final int HAS_ORIGIN = 0x80;
  static final int HAS_RIGHT_ORIGIN = 0x40;
  static final int HAS_PARENT_SUB = 0x20;
  static final int CONTENT_REF_MASK = 0x1F;

  /** The id of the last unit of the item that was to the left at insertion time ({@code null}: start). */
  ID origin;
  /** The id of the item that was to the right at insertion time ({@code null}: end). */
  ID rightOrigin;
  Item left;
  Item right;
  /**
   * The parent: a {@link SharedType} once integrated; while decoded and not yet integrated, the root name
   * ({@code String}), the parent item's {@link ID}, or {@code null} (taken from the neighbours).
   */
  Object parent;
  /** The map key when this item is a map entry, else {@code null}. */
  String parentSub;
  ID redone;
  Content content;
  private int info;

  Item(long client, int clock, Item left, ID origin, Item right, ID rightOrigin, Object parent, String parentSub,
      Content content) {
    super(client, clock, content.length());
    this.left = left;
    this.origin = origin;
    this.right = right;
    this.rightOrigin = rightOrigin;
    this.parent = parent;
    this.parentSub = parentSub;
    this.content = content;
    this.info = content.isCountable() ? COUNTABLE : 0;
  }

  boolean isCountable() {
    return (info & COUNTABLE) != 0;
  }

  @Override
  boolean isDeleted() {
    return (info & DELETED) != 0;
  }

  void markDeleted() {
    info |= DELETED;
    if (parent instanceof SharedType type) {
      type.deletions++;
      if ((info & MARKER) != 0) {
        type.markedDeletions++;
      }
    }
  }

  boolean keep() {
    return (info & KEEP) != 0;
  }

  void setKeep(boolean keep) {
    info = keep ? info | KEEP : info & ~KEEP;
  }

  boolean isMarker() {
    return (info & MARKER) != 0;
  }

  void setMarker(boolean marker) {
    info = marker ? info | MARKER : info & ~MARKER;
  }

  /** Counted towards the parent's length: countable and not deleted. */
  boolean isVisible() {
    return (info & (COUNTABLE | DELETED)) == COUNTABLE;
  }

  SharedType parentType() {
    return (SharedType) parent;
  }

  ID lastId() {
    return new ID(client, clock + length - 1);
  }

  /** The next visible-or-not item to the right that is not deleted. */
  Item next() {
    Item n = right;
    while (n != null && n.isDeleted()) {
      n = n.right;
    }
    return n;
  }

  /** The next item to the left that is not deleted. */
  Item prev() {
    Item n = left;
    while (n != null && n.isDeleted()) {
      n = n.left;
    }
    return n;
  }

  /**
   * Splits this item at {@code diff} and returns the new right part, linked in after this one (the caller puts it
   * into the struct store).
   */
  Item split(Transaction txn, int diff) {
    Item rightItem = new Item(client, clock + diff, this, new ID(client, clock + diff - 1), right, rightOrigin,
        parent, parentSub, content.splice(diff));
    if (isDeleted()) {
      rightItem.markDeleted();
    }
    if (keep()) {
      rightItem.setKeep(true);
    }
    if (redone != null) {
      rightItem.redone = new ID(redone.client, redone.clock + diff);
    }
    // Do not touch this item's rightOrigin: peers must see the origins it was created with.
    right = rightItem;
    if (parent instanceof SharedType type) {
      txn.keyHistoryRelinked(type, parentSub);
    }
    if (rightItem.right != null) {
      rightItem.right.left = rightItem;
    }
    txn.addMergeStruct(rightItem);
    if (rightItem.parentSub != null && rightItem.right == null && parent instanceof SharedType type) {
      type.map.put(rightItem.parentSub, rightItem);
    }
    length = diff;
    return rightItem;
  }

  @Override
  long getMissing(Transaction txn, StructStore store) {
    if (origin != null && origin.client != client && origin.clock >= store.getState(origin.client)) {
      return origin.client;
    }
    if (rightOrigin != null && rightOrigin.client != client
        && rightOrigin.clock >= store.getState(rightOrigin.client)) {
      return rightOrigin.client;
    }
    if (parent instanceof ID p && client != p.client && p.clock >= store.getState(p.client)) {
      return p.client;
    }
    // Everything this item depends on is present: resolve references.
    AbstractStruct l = null;
    AbstractStruct r = null;
    if (origin != null) {
      l = store.getItemCleanEnd(txn, origin);
      if (l instanceof GC) {
        // An item found there was split to end at the origin, so the origin is already its last ID; a GC is not.
        origin = new ID(l.client, l.clock + l.length - 1);
      }
    }
    if (rightOrigin != null) {
      // Most often nothing was inserted here between the two origins, so the item after the left one is the struct
      // starting at the right origin: taken without the second of the two struct-list searches per received item
      // (and without a new ID). Only a collected type's items are replaced in the store, all of them at once
      // (ContentType), so the neighbour of a live left item is live and stored too.
      Item next = l instanceof Item li ? li.right : null;
      if (next != null && next.clock == rightOrigin.clock && next.client == rightOrigin.client && next.length > 0) {
        r = next;
        if (SearchMarkers.crossCheck) {
          if (store.getItemCleanStart(txn, rightOrigin) != next) {
            throw new IllegalStateException("the item after " + l + " starts at " + rightOrigin + " but is not"
                + " the struct stored there");
          }
          SearchMarkers.neighbourRightOrigins++;
        }
      } else if (rightOrigin.client == client && rightOrigin.clock >= store.getState(client)
          && !store.endsWithEmptyAt(client, rightOrigin.clock)) {
        // Its own clock, which only an item of length 0 before it holds (typed before an empty embed at the end of
        // its client's structs). Yjs never sends that item alone (it does not move the clock) and fails here; the
        // item goes after its left origin as if nothing were on its right (garbage if it has no left origin either:
        // its parent is unknown).
        r = null;
      } else {
        r = store.getItemCleanStart(txn, rightOrigin);
        rightOrigin = r.id();
      }
    }
    if (l instanceof GC || r instanceof GC) {
      // A neighbour was collected, so this item's parent is gone too: it becomes garbage.
      parent = null;
      left = null;
      right = null;
      return -1;
    }
    left = (Item) l;
    right = (Item) r;
    if (parent == null) {
      // Only take the parent from a neighbour if this item should not be garbage collected.
      if (left != null) {
        parent = left.parent;
        parentSub = left.parentSub;
      } else if (right != null) {
        parent = right.parent;
        parentSub = right.parentSub;
      }
    } else if (parent instanceof ID p) {
      AbstractStruct parentStruct = store.find(p.client, p.clock);
      // A parent that is collected, or that is not a type at all (only a hostile peer sends that), makes this
      // item garbage, deterministically, on every replica.
      parent = parentStruct instanceof Item pi && pi.content instanceof ContentType ct ? ct.type : null;
    } else if (parent instanceof String rootName) {
      parent = txn.doc.getOrCreateRoot(rootName);
    }
    return -1;
  }

  @Override
  void integrate(Transaction txn, int offset) {
    StructStore store = txn.doc.store;
    if (offset > 0) {
      clock += offset;
      AbstractStruct l = store.getItemCleanEnd(txn, new ID(client, clock - 1));
      origin = new ID(l.client, l.clock + l.length - 1);
      content = content.splice(offset);
      length -= offset;
      if (l instanceof Item li) {
        left = li;
      } else {
        parent = null;
      }
    }
    if (!(parent instanceof SharedType parentType)) {
      // No parent (collected or unknown): integrate a GC struct instead.
      new GC(client, clock, length).integrate(txn, 0);
      return;
    }
    KeyHistoryRun run = null;
    if ((left == null && (right == null || right.left != null)) || (left != null && left.right != right)) {
      run = origin == null && rightOrigin == null ? txn.keyHistoryRun(parentType, parentSub) : null;
      if (run != null && !run.findLeft(this)) {
        run = null;
      }
      if (run == null) {
        resolveConflict(txn, parentType);
      }
    }
    if (run == null) {
      txn.keyHistoryRelinked(parentType, parentSub);
    }
    // Link into the list, update the parent's start or map entry.
    if (left != null) {
      right = left.right;
      left.right = this;
    } else {
      Item r;
      if (parentSub != null) {
        r = parentType.mapHistoryFirst(parentSub);
      } else {
        r = parentType.start;
        parentType.start = this;
      }
      right = r;
    }
    if (right != null) {
      right.left = this;
      if (left != null && left.client == right.client && left.clock + left.length == right.clock) {
        parentType.runBreaks++;
      }
    } else if (parentSub != null) {
      // This is the new current value of the map entry; the previous one is overwritten.
      parentType.map.put(parentSub, this);
      if (left != null) {
        left.delete(txn);
      }
    }
    if (run != null) {
      run.inserted(this);
    }
    if (parentSub == null && isVisible()) {
      parentType.length += length;
      if (length == 0) {
        parentType.emptyItems = true;
      }
    }
    store.addStruct(txn, this);
    content.integrate(txn, this);
    txn.addChangedType(parentType, parentSub);
    if ((parentType.item != null && parentType.item.isDeleted()) || (parentSub != null && right != null)) {
      // The parent is deleted, or a later value of the map entry already exists.
      delete(txn);
    }
  }

  /**
   * YATA: find the left neighbour among the items that were concurrently inserted into the same gap. Yjs's loop,
   * with its two sets (items before the origin, conflicting items) as positions in the scanned run: the first is
   * every item passed, the second those after the last new left neighbour.
   */
  private void resolveConflict(Transaction txn, SharedType parentType) {
    Item newLeft = left;
    Item o;
    if (newLeft != null) {
      o = newLeft.right;
    } else if (parentSub != null) {
      o = parentType.mapHistoryFirst(parentSub);
    } else {
      o = parentType.start;
    }
    Item first = o;
    VisitedItems visited = null;
    int position = 0;
    int clearedAt = -1; // conflicting items: the passed ones after this position
    StructStore store = txn.doc.store;
    // ***{origin}bbbb{this}{c,b}{c,b}{o}***  (c: conflicting items, b: items before origin)
    for (; o != null && o != right; o = o.right, position++) {
      if (ID.equal(origin, o.origin)) {
        // Same left origin: the lower client id goes first, unless both also share the right origin.
        if (o.client < client) {
          newLeft = o;
          clearedAt = position;
        } else if (ID.equal(rightOrigin, o.rightOrigin)) {
          break;
        }
      } else if (o.origin != null) {
        if (visited == null) {
          visited = new VisitedItems(first);
        }
        int originAt = visited.positionOf(store.find(o.origin.client, o.origin.clock), position);
        if (originAt < 0) {
          break; // o's origin is not among the items before it
        }
        if (originAt <= clearedAt) {
          newLeft = o;
          clearedAt = position;
        }
      } else {
        break;
      }
    }
    left = newLeft;
  }

  @Override
  boolean mergeWith(AbstractStruct r) {
    if (!(r instanceof Item other)) {
      return false;
    }
    if (right == other
        && other.origin != null && other.origin.client == client && other.origin.clock == clock + length - 1
        && ID.equal(rightOrigin, other.rightOrigin)
        && other.client == client
        && clock + length == other.clock
        && isDeleted() == other.isDeleted()
        && redone == null
        && other.redone == null
        && content.getClass() == other.content.getClass()
        && mergeContent(other.content)) {
      if (parent instanceof SharedType type && type.searchMarkers != null) {
        type.searchMarkers.replaceMerged(other, this);
      }
      if (other.keep()) {
        setKeep(true);
      }
      right = other.right;
      if (right != null) {
        right.left = this;
      }
      length += other.length;
      return true;
    }
    return false;
  }

  /** Appends {@code right} to this item's content, in a copy of it if it is shared. */
  private boolean mergeContent(Content right) {
    Content mine = content.mutable();
    if (!mine.mergeWith(right)) {
      return false;
    }
    content = mine;
    return true;
  }

  /** Marks this item deleted, records it in the transaction, and deletes what its content holds. */
  void delete(Transaction txn) {
    if (!isDeleted()) {
      deleteShallow(txn);
      content.delete(txn);
    }
  }

  /** Marks this item deleted and records it in the transaction, leaving its content to the caller. */
  void deleteShallow(Transaction txn) {
    SharedType parentType = (SharedType) parent;
    if (isCountable() && parentSub == null) {
      parentType.length -= length;
    }
    markDeleted();
    txn.deleteSet().add(client, clock, length);
    txn.addChangedType(parentType, parentSub);
  }

  /** Drops the content of this deleted item; when its parent is collected too, replaces it by a {@link GC}. */
  void gc(StructStore store, boolean parentGCd) {
    if (!isDeleted()) {
      throw new IllegalStateException("only deleted items can be collected");
    }
    content.gc(store);
    if (parentGCd) {
      store.replaceStruct(this, new GC(client, clock, length));
    } else {
      content = new ContentDeleted(length);
    }
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    ID o = offset > 0 ? new ID(client, clock + offset - 1) : origin;
    int info = (content.ref() & CONTENT_REF_MASK)
        | (o == null ? 0 : HAS_ORIGIN)
        | (rightOrigin == null ? 0 : HAS_RIGHT_ORIGIN)
        | (parentSub == null ? 0 : HAS_PARENT_SUB);
    encoder.writeInfo(info);
    if (o != null) {
      encoder.writeLeftId(o);
    }
    if (rightOrigin != null) {
      encoder.writeRightId(rightOrigin);
    }
    if (o == null && rightOrigin == null) {
      if (parent instanceof SharedType type) {
        if (type.item == null) {
          encoder.writeParentInfo(true);
          encoder.writeString(type.rootName);
        } else {
          encoder.writeParentInfo(false);
          encoder.writeLeftId(type.item.client, type.item.clock);
        }
      } else if (parent instanceof String rootName) {
        encoder.writeParentInfo(true);
        encoder.writeString(rootName);
      } else if (parent instanceof ID id) {
        encoder.writeParentInfo(false);
        encoder.writeLeftId(id);
      } else {
        throw new IllegalStateException("item " + client + ":" + clock + " has no parent to encode");
      }
      if (parentSub != null) {
        encoder.writeString(parentSub);
      }
    }
    content.write(encoder, offset);
  }
}
