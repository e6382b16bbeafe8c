package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed in one shared type in one transaction. Details ({@link #delta()}, {@link #keys()}) are computed
 * on first use and may be asked for only while the event is being delivered.
 */
public abstract sealed class YEvent permits YArrayEvent, YMapEvent, YTextEvent, YXmlEvent {
  private final SharedType target;
  private SharedType currentTarget;
  private final Transaction transaction;
  final Set<String> keysChanged;
  private List<Object> path;
  private Map<String, EntryChange> keys;
  private List<Delta> delta;
  private YEventChanges changes;

  YEvent(SharedType target, Transaction transaction, Set<String> keysChanged) {
    this.target = target;
    this.currentTarget = target;
    this.transaction = transaction;
    this.keysChanged = keysChanged;
  }

  /** The type that changed. */
  public SharedType target() {
    return target;
  }

  /** The type whose observer receives this event (an ancestor of the target for deep observers). */
  public SharedType currentTarget() {
    return currentTarget;
  }

  void setCurrentTarget(SharedType t) {
    currentTarget = t;
    path = null;
  }

  /** The transaction that made the change. */
  public Transaction transaction() {
    return transaction;
  }

  /** The path from {@link #currentTarget()} to {@link #target()}: map keys and array indices. */
  public List<Object> path() {
    if (path == null) {
      List<Object> p = new ArrayList<>();
      SharedType child = target;
      while (child.item != null && child != currentTarget) {
        Item it = child.item;
        if (it.parentSub != null) {
          p.add(0, it.parentSub);
        } else {
          int i = 0;
          for (Item c = ((SharedType) it.parent).start; c != it && c != null; c = c.right) {
            if (c.isVisible()) {
              i += c.length;
            }
          }
          p.add(0, i);
        }
        child = (SharedType) it.parent;
      }
      path = Collections.unmodifiableList(p);
    }
    return path;
  }

  final void checkDelivering() {
    if (!transaction.doc.inCleanup()) {
      throw new IllegalStateException("event details can only be computed while the event is delivered");
    }
  }

  /** Whether the struct was added in this event's transaction. */
  boolean adds(AbstractStruct s) {
    return transaction.adds(s);
  }

  /** Whether the struct was deleted in this event's transaction. */
  boolean deletes(AbstractStruct s) {
    return transaction.deletes(s);
  }

  /**
   * Whether the struct with this id was created in this event's transaction (Yjs {@code adds}).
   *
   * @throws IllegalStateException if the event is no longer being delivered
   */
  public boolean adds(long client, int clock) {
    checkDelivering();
    return clock >= transaction.beforeState(client);
  }

  /**
   * Whether the struct with this id was deleted in this event's transaction (Yjs {@code deletes}).
   *
   * @throws IllegalStateException if the event is no longer being delivered
   */
  public boolean deletes(long client, int clock) {
    checkDelivering();
    DeleteSet ds = transaction.deleteSetOrNull();
    return ds != null && ds.isDeleted(client, clock);
  }

  /**
   * The changes as Yjs's {@code event.changes}: {@link #delta()}, {@link #keys()}, and the list items added and
   * deleted, as id ranges.
   *
   * @throws IllegalStateException if the event is no longer being delivered
   */
  public YEventChanges changes() {
    if (changes == null) {
      checkDelivering();
      List<Item> added = new ArrayList<>();
      List<Item> deleted = new ArrayList<>();
      if (!(this instanceof YTextEvent) && keysChanged.contains(null)) {
        for (Item item = target.start; item != null; item = item.right) {
          if (item.isDeleted()) {
            if (deletes(item) && !adds(item)) {
              deleted.add(item);
            }
          } else if (adds(item)) {
            added.add(item);
          }
        }
      }
      changes = new YEventChanges(new ItemRanges(added), new ItemRanges(deleted), delta(), keys());
    }
    return changes;
  }

  /** The changed map keys and how they changed. */
  public Map<String, EntryChange> keys() {
    if (keys == null) {
      checkDelivering();
      Map<String, EntryChange> out = new LinkedHashMap<>();
      for (String key : keysChanged) {
        if (key == null) {
          continue;
        }
        Item item = target.map.get(key);
        EntryChange change = null;
        if (adds(item)) {
          Item prev = item.left;
          while (prev != null && adds(prev)) {
            prev = prev.left;
          }
          if (deletes(item)) {
            if (prev != null && deletes(prev)) {
              change = new EntryChange(EntryChange.Action.DELETE, SharedType.lastValue(prev));
            }
          } else if (prev != null && deletes(prev)) {
            change = new EntryChange(EntryChange.Action.UPDATE, SharedType.lastValue(prev));
          } else {
            change = new EntryChange(EntryChange.Action.ADD, null);
          }
        } else if (deletes(item)) {
          change = new EntryChange(EntryChange.Action.DELETE, SharedType.lastValue(item));
        }
        if (change != null) {
          out.put(key, change);
        }
      }
      keys = Collections.unmodifiableMap(out);
    }
    return keys;
  }

  /** The change of the list part, as a delta of inserted values (lists), deletions and retains. */
  public List<Delta> delta() {
    if (delta == null) {
      checkDelivering();
      delta = computeDelta();
    }
    return delta;
  }

  List<Delta> computeDelta() {
    List<Delta> out = new ArrayList<>();
    if (!keysChanged.contains(null)) {
      return Collections.emptyList();
    }
    List<Object> insert = null;
    int retain = 0;
    int deleted = 0;
    for (Item item = target.start; item != null; item = item.right) {
      if (item.isDeleted()) {
        if (deletes(item) && !adds(item)) {
          if (insert != null) {
            out.add(Delta.insert(Collections.unmodifiableList(insert)));
            insert = null;
          }
          if (retain > 0) {
            out.add(Delta.retain(retain));
            retain = 0;
          }
          deleted += item.length;
        }
      } else if (adds(item)) {
        if (deleted > 0) {
          out.add(Delta.delete(deleted));
          deleted = 0;
        }
        if (retain > 0) {
          out.add(Delta.retain(retain));
          retain = 0;
        }
        if (insert == null) {
          insert = new ArrayList<>();
        }
        item.content.collect(insert);
      } else {
        if (deleted > 0) {
          out.add(Delta.delete(deleted));
          deleted = 0;
        }
        if (insert != null) {
          out.add(Delta.insert(Collections.unmodifiableList(insert)));
          insert = null;
        }
        retain += item.length;
      }
    }
    if (deleted > 0) {
      out.add(Delta.delete(deleted));
    }
    if (insert != null) {
      out.add(Delta.insert(Collections.unmodifiableList(insert)));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The ranges of a fixed set of items, read when asked: Yjs's {@code changes.added}/{@code deleted} hold the items
   * themselves, so an item that a later transaction split (shortened in place) or merged shows its length then.
   */
  private static final class ItemRanges extends java.util.AbstractSet<IdRange> {
    private final List<Item> items;

    ItemRanges(List<Item> items) {
      this.items = items;
    }

    @Override
    public java.util.Iterator<IdRange> iterator() {
      java.util.Iterator<Item> it = items.iterator();
      return new java.util.Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public IdRange next() {
          Item item = it.next();
          return new IdRange(item.client, item.clock, item.length);
        }
      };
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
