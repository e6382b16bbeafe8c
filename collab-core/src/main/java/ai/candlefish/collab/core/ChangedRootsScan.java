package ai.candlefish.collab.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which root types of a document an update would change ({@link Updates#changedRoots}), found without applying it.
 * The update is decoded as the document applies it (within the room it has left, when limits are asked for; of a
 * client listed twice the later listing counts).
 *
 * <p>Each struct of the update that the document lacks lands in a shared type, found as Yjs finds it when it
 * integrates the struct: its parent as written (a root's name, or the id of the item that holds a nested type), else
 * the parent of its left neighbour ({@code origin}), else of its right one. The neighbour or parent may be in the
 * document or earlier or later in the update itself, so the update's new structs are kept, by client and clock, and
 * a struct's landing is followed from struct to struct until it reaches a type the document has or a root name.
 * Deleted ranges land where the items they delete are. As in Yjs's {@code transaction.changed}, a change inside a
 * nested type counts for the root above it, unless that type is deleted already (the change shows nowhere), and a
 * struct next to a garbage-collected one is itself collected and changes nothing. What cannot be placed (a neighbour
 * or parent that is neither in the document nor in the update, a deletion of clocks neither holds) makes the answer
 * incomplete: it waits in the document and lands when what it needs arrives.
 *
 * <p>The work is about linear in the update and the structs it deletes, whatever a hostile peer writes: each
 * landing is found once (chains of new items are followed once), a type's root is found once per type (a type may be
 * 1,000 levels deep), and deleted ranges written over each other are merged first (100,000s of ranges over one
 * client's structs visited them once per range).
 *
 * <p>Reads the document and never changes it; not thread-safe (one per question, on the document's thread).
 */
final class ChangedRootsScan {
  /** Lands nowhere that shows: next to a collected struct, or inside a deleted type. */
  private static final Object NOWHERE = new Object();
  /** Cannot be placed from the document and the update. */
  private static final Object UNPLACED = new Object();
  /** Being followed: met again, the chain is a cycle (Yjs would wait for it forever). */
  private static final Object FOLLOWING = new Object();

  private final StructStore store;
  /** The update's structs per client, in clock order (those the document holds and Skips are passed over). */
  private final Map<Long, AbstractStruct[]> added = new HashMap<>();
  /** Where each added item lands: a root's name, {@link #NOWHERE} or {@link #UNPLACED}. */
  private final Map<Item, Object> landings = new IdentityHashMap<>();
  /** Where a change inside each type of the document shows ({@link #inType}). */
  private final Map<SharedType, Object> typeLandings = new IdentityHashMap<>();
  private final Set<String> names = new TreeSet<>();
  private boolean complete = true;

  ChangedRootsScan(Doc doc) {
    this.store = doc.store;
  }

  Updates.ChangedRoots scan(UpdateReader.DecodedUpdate update) {
    for (AbstractStruct[] structs : update.blocks()) {
      added.put(structs[0].client, structs);
    }
    for (AbstractStruct[] structs : update.blocks()) {
      for (AbstractStruct s : structs) {
        if (s instanceof Item item && isAdded(item)) {
          record(landing(item));
        }
      }
    }
    DeleteSet deletes = update.deletes();
    if (deletes == null) {
      return new Updates.ChangedRoots(names, complete);
    }
    deletes.sortAndMergeOverlaps();
    for (Map.Entry<Long, DeleteSet.Ranges> e : deletes.clients.entrySet()) {
      DeleteSet.Ranges ranges = e.getValue();
      for (int r = 0; r < ranges.count(); r++) {
        deleted(e.getKey(), ranges.clock(r), (long) ranges.clock(r) + ranges.len(r));
      }
    }
    return new Updates.ChangedRoots(names, complete);
  }

  private void record(Object landing) {
    if (landing instanceof String name) {
      names.add(name);
    } else if (landing == UNPLACED) {
      complete = false;
    }
  }

  /** The deletion of clocks [{@code from}, {@code to}) of {@code client}. */
  private void deleted(long client, int from, long to) {
    int state = store.getState(client);
    if (from < state) {
      StructList structs = store.list(client);
      for (int i = structs.findIndex(from); i < structs.size && structs.get(i).clock < to; i++) {
        if (structs.get(i) instanceof Item item && !item.isDeleted()) {
          record(item.parent instanceof SharedType type ? inType(type) : UNPLACED);
        }
      }
    }
    long at = Math.max(from, state);
    while (at < to) {
      AbstractStruct s = findAdded(client, (int) at);
      if (s == null) {
        complete = false; // deletes what neither the document nor the update holds: it waits
        return;
      }
      if (s instanceof Item item) {
        record(landing(item));
      }
      at = (long) s.clock + s.length;
    }
  }

  /** Where {@code first} lands, following the chain of added items it depends on without recursion. */
  private Object landing(Item first) {
    Deque<Item> chain = new ArrayDeque<>();
    Item item = first;
    Object result;
    while (true) {
      Object known = landings.get(item);
      if (known != null) {
        result = known == FOLLOWING ? UNPLACED : known;
        break;
      }
      landings.put(item, FOLLOWING);
      chain.push(item);
      Object next = parentOf(item);
      if (next instanceof Item holder) {
        item = holder;
        continue;
      }
      result = next instanceof SharedType type ? inType(type) : next;
      break;
    }
    for (Item i : chain) {
      landings.put(i, result);
    }
    return result;
  }

  /**
   * The parent of added item {@code item}, as Yjs finds it: a root's name, a type the document has, an added item
   * whose landing is {@code item}'s too (the item that holds a new type, or a new neighbour), {@link #NOWHERE} or
   * {@link #UNPLACED}.
   */
  private Object parentOf(Item item) {
    if (item.parent instanceof String name) {
      return name;
    }
    if (item.parent instanceof ID id) {
      AbstractStruct holder = find(id);
      if (holder == null) {
        return UNPLACED;
      }
      if (holder instanceof GC) {
        return NOWHERE;
      }
      if (!(holder instanceof Item h) || !(h.content instanceof ContentType type)) {
        return NOWHERE; // a type deleted and collected: Yjs collects what it holds as it comes
      }
      return inDocument(id) ? type.type : h; // a type new in this update: the change shows where it lands
    }
    AbstractStruct left = item.origin == null ? null : find(item.origin);
    AbstractStruct right = item.rightOrigin == null ? null : find(item.rightOrigin);
    if ((item.origin != null && left == null) || (item.rightOrigin != null && right == null)) {
      return UNPLACED;
    }
    if (left instanceof GC || right instanceof GC) {
      return NOWHERE;
    }
    ID neighbourId = left != null ? item.origin : item.rightOrigin;
    AbstractStruct neighbour = left != null ? left : right;
    if (!(neighbour instanceof Item n)) {
      return UNPLACED; // neither parent nor neighbours: Yjs cannot place it either
    }
    if (!inDocument(neighbourId)) {
      return n;
    }
    return n.parent instanceof SharedType type ? type : UNPLACED;
  }

  /**
   * Where a change inside {@code type}, a type the document has, shows: its root, or nowhere if it is deleted. Found
   * once per type: many items of a deep type each walked up to its root.
   */
  private Object inType(SharedType type) {
    Object known = typeLandings.get(type);
    if (known == null) {
      known = rootOf(type);
      typeLandings.put(type, known);
    }
    return known;
  }

  private static Object rootOf(SharedType type) {
    if (type.item != null && type.item.isDeleted()) {
      return NOWHERE;
    }
    SharedType t = type;
    while (t.item != null) {
      if (!(t.item.parent instanceof SharedType parent)) {
        return UNPLACED;
      }
      t = parent;
    }
    return t.rootName == null ? UNPLACED : t.rootName;
  }

  private boolean inDocument(ID id) {
    return id.clock < store.getState(id.client);
  }

  /** Whether the document lacks {@code s} (a struct of the update), so that it would be integrated. */
  private boolean isAdded(AbstractStruct s) {
    int state = store.getState(s.client);
    return !(s instanceof Skip) && ((long) s.clock + s.length > state || (s.length == 0 && s.clock >= state));
  }

  /** The struct holding {@code id}: the document's, else the update's; null if neither has it. */
  private AbstractStruct find(ID id) {
    return inDocument(id) ? store.find(id.client, id.clock) : findAdded(id.client, id.clock);
  }

  /** The struct of the update that holds {@code client}'s {@code clock} and the document lacks, or null. */
  private AbstractStruct findAdded(long client, int clock) {
    AbstractStruct[] structs = added.get(client);
    if (structs == null) {
      return null;
    }
    int lo = 0;
    int hi = structs.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      AbstractStruct s = structs[mid];
      if ((long) s.clock + s.length <= clock) {
        lo = mid + 1;
      } else if (s.clock > clock) {
        hi = mid - 1;
      } else {
        return isAdded(s) ? s : null;
      }
    }
    return null;
  }
}
