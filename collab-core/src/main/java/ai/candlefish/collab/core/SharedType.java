package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A shared type: the common base of {@link YText}, {@link YArray}, {@link YMap} and the XML types. A type has a
 * list part (a linked list of {@link Item}s from {@code start}) and a map part (the current item per key; older
 * values are linked to its left).
 *
 * <p>A type is either a root of a document ({@link Doc#getText} and friends) or nested in another type. A type
 * created with its public constructor is <em>preliminary</em> until it is inserted into a document; reading it
 * before then throws {@link IllegalStateException}.
 *
 * <p>Not thread-safe: use it from the thread that uses its document.
 */
public abstract sealed class SharedType permits YArray, YMap, YText, YXmlFragment, UnknownType {
  static final int ARRAY = 0;
  static final int MAP = 1;
  static final int TEXT = 2;
  static final int XML_ELEMENT = 3;
  static final int XML_FRAGMENT = 4;
  static final int XML_HOOK = 5;
  static final int XML_TEXT = 6;

  /** The item that holds this type, or null for a root (or a preliminary type). */
  Item item;
  /** How many types this one is nested in: 0 for a root, 1 for a type in a root, ... */
  int depth;
  // Insertion-ordered like a JavaScript Map, so that keys come out in the order Yjs gives them.
  final Map<String, Item> map = new LinkedHashMap<>();
  /** See {@link #mapHistoryFirst}: only for keys with long histories; null until one has. */
  private Map<String, Item> mapHistoryFirsts;
  Item start;
  Doc doc;
  /** Visible length of the list part (UTF-16 units for text). */
  int length;
  /** The name under which this root is shared; null for nested types. */
  String rootName;
  SearchMarkers searchMarkers;
  /** Counts items of this type marked deleted (search hints check by it that only announced changes happened). */
  int deletions;
  /**
   * Counts items of this type deleted while they carried the search-marker flag: the search markers' items still
   * stand while it is unchanged (deleting an item that no marker points at leaves them as they were).
   */
  int markedDeletions;
  /**
   * Counts items of this type's list inserted between two items of one client with consecutive clocks, which
   * breaks that clock run in two: {@link SearchMarkers} keeps a run's start while this is unchanged.
   */
  int runBreaks;
  /**
   * Whether an item of length 0 (Yjs's {@code insertEmbed(i, "")}) was ever put into this type's list: one is visible
   * to Yjs's walks but takes no index, so several items can end at one index ({@link SearchMarkers} then walks
   * Yjs's way only).
   */
  boolean emptyItems;
  /** Yjs's {@code _hasFormatting}: decides whether remote changes trigger a formatting cleanup. */
  boolean hasFormatting;
  /**
   * Whether a format mark was ever integrated into this type (unlike {@link #hasFormatting}, kept when a root
   * changes kind). Without formats, the formatting cleanups have nothing to do and are skipped.
   */
  boolean containsFormats;

  private Listeners<Consumer<YEvent>> observers;
  private Listeners<BiConsumer<List<YEvent>, Transaction>> deepObservers;

  SharedType() {}

  abstract int typeRef();

  void writeTypeRef(UpdateEncoder encoder) {
    encoder.writeTypeRef(typeRef());
  }

  /** A new empty type of the same kind (and name, for XML), for copying content. */
  abstract SharedType copyEmpty();

  /** Called when this type's item is integrated (or with a null item when it becomes a root). */
  void integrate(Doc doc, Item item) {
    this.doc = doc;
    this.item = item;
    this.depth = item == null ? 0 : ((SharedType) item.parent).depth + 1;
  }

  /** Takes over the content of a root that was created before its kind was known. */
  final void adoptContent(SharedType other) {
    start = other.start;
    for (Item n = start; n != null; n = n.right) {
      n.parent = this;
    }
    map.putAll(other.map);
    for (Item n : map.values()) {
      for (Item i = n; i != null; i = i.left) {
        i.parent = this;
      }
    }
    length = other.length;
    containsFormats = other.containsFormats;
    emptyItems = other.emptyItems;
  }

  /** The document this type belongs to, or null while it is preliminary. */
  public final @Nullable Doc doc() {
    return doc;
  }

  /** The type this one is nested in, or null for a root or a preliminary type. */
  public final @Nullable SharedType parent() {
    return item == null ? null : (SharedType) item.parent;
  }

  /** The next (or previous) visible sibling in the parent list, for XML nodes. */
  final SharedType sibling(boolean next) {
    Item n = item == null ? null : next ? item.next() : item.prev();
    return n == null ? null : ((ContentType) n.content).type;
  }

  /**
   * A new preliminary copy of this type and its content, nested types copied too (Yjs {@code clone()}); insert
   * it into a document to share it. Like Yjs, a map copies its entries in {@code keys()} order, an XML hook its
   * values without copying nested types, and a text through {@code applyDelta(toDelta())} (but with the shared types
   * embedded in it copied too, where Yjs fails).
   *
   * @throws IllegalStateException if this type is a root whose kind is not known yet
   */
  @Override
  public abstract SharedType clone();

  /** The copy of a value for {@link #clone()}: nested types are cloned, other values kept. */
  static Object cloneValue(Object v) {
    return v instanceof SharedType t ? t.clone() : v;
  }

  /**
   * Whether this type is an ancestor of {@code child} (Yjs {@code isParentOf(this, child._item)}): the parent
   * of {@code child}, or of one of its ancestors.
   */
  public final boolean isParentOf(SharedType child) {
    Objects.requireNonNull(child, "child");
    for (Item i = child.item; i != null; i = ((SharedType) i.parent).item) {
      if (i.parent == this) {
        return true;
      }
    }
    return false;
  }

  /**
   * The name under which this root type is shared in its document (Yjs {@code findRootTypeKey}).
   *
   * @throws IllegalStateException if this type is not a root of a document
   */
  public final String rootKey() {
    if (doc == null || item != null || rootName == null) {
      throw new IllegalStateException("this " + getClass().getSimpleName() + " is not a root type of a document");
    }
    return rootName;
  }

  /** This type's content as JSON-like Java values, as Yjs's {@code toJSON()}. */
  public abstract @Nullable Object toJson();

  final Doc requireDoc() {
    if (doc == null) {
      throw new IllegalStateException(getClass().getSimpleName()
          + " is not part of a document yet: insert it into a document before reading it");
    }
    return doc;
  }

  // ----------------------------------------------------------------------------------------------- observing

  final Subscription addObserver(Consumer<YEvent> observer) {
    Objects.requireNonNull(observer, "observer");
    if (observers == null) {
      observers = new Listeners<>();
    }
    return observers.add(observer);
  }

  /**
   * Calls {@code observer} after each transaction that changed this type or any type nested in it, with the
   * events of all those types (the outermost first).
   */
  public final Subscription observeDeep(Consumer<List<YEvent>> observer) {
    Objects.requireNonNull(observer, "observer");
    return observeDeepWithTransaction((events, transaction) -> observer.accept(events));
  }

  /**
   * As {@link #observeDeep(Consumer)}, with the transaction as Yjs passes it ({@code observeDeep((events,
   * transaction) => ...)}). The list of events can be empty: when a deep observer called earlier deleted every
   * changed type below this one, Yjs still calls this one, and then the transaction is the only way to it. (Not an
   * overload of {@code observeDeep}: {@code observeDeep(list::add)} would no longer compile.)
   */
  public final Subscription observeDeepWithTransaction(BiConsumer<List<YEvent>, Transaction> observer) {
    Objects.requireNonNull(observer, "observer");
    if (deepObservers == null) {
      deepObservers = new Listeners<>();
    }
    Doc d = doc;
    if (d != null && d.callingObservers != null) {
      // Yjs gives every ancestor of a changed type its events, and asks for deep observers after the per-type ones.
      d.callingObservers.deepObserversAdded = true;
    }
    return deepObservers.add(observer);
  }

  final boolean hasDeepObservers() {
    return deepObservers != null && !deepObservers.isEmpty();
  }


  /** Creates this type's event for the transaction; only called when someone listens. */
  abstract YEvent createEvent(Transaction txn, Set<String> keysChanged);

  void callObserver(Transaction txn, Set<String> keysChanged) {
    if (!txn.local && searchMarkers != null) {
      searchMarkers.clear();
    }
    boolean observed = observers != null && !observers.isEmpty();
    List<SharedType> deep = txn.deepObservedAncestors(this);
    if (!observed && deep.isEmpty()) {
      return;
    }
    YEvent event = createEvent(txn, keysChanged);
    // Only ancestors that observe deeply get the event (Yjs adds it to every ancestor, and uses only those): one
    // update changing every level of a deep nest would otherwise cost depth squared.
    for (SharedType t : deep) {
      if (txn.changedParentTypes == null) {
        txn.changedParentTypes = new LinkedHashMap<>();
      }
      txn.changedParentTypes.computeIfAbsent(t, k -> new ArrayList<>()).add(event);
    }
    if (observed) {
      if (deep.isEmpty()) {
        txn.addDirectOnlyEvent(event);
      }
      observers.forEachLive(o -> o.accept(event));
    }
  }

  final void callDeepObservers(List<YEvent> events, Transaction txn) {
    List<YEvent> view = List.copyOf(events);
    deepObservers.forEachLive(o -> o.accept(view, txn));
  }

  // ------------------------------------------------------------------------------------------ list operations

  final ID nextId(Transaction txn) {
    return new ID(txn.doc.clientId(), txn.doc.store.getState(txn.doc.clientId()));
  }

  /** Creates and integrates a new local item between {@code left} and {@code right}. */
  final Item insertItem(Transaction txn, Item left, Item right, String parentSub, Content content) {
    long client = txn.doc.clientId();
    Item item = new Item(client, txn.doc.store.getState(client), left, left == null ? null : left.lastId(), right,
        right == null ? null : right.id(), this, parentSub, content);
    item.integrate(txn, 0);
    return item;
  }

  /** Inserts JSON-like values, binaries, subdocuments and shared types after {@code reference}. */
  final void listInsertAfter(Transaction txn, Item reference, List<?> content) {
    Item left = reference;
    Item right = reference == null ? start : reference.right;
    ArrayList<Object> json = new ArrayList<>();
    for (Object c : content) {
      if (c instanceof SharedType || c instanceof byte[] || c instanceof Doc) {
        if (!json.isEmpty()) {
          left = insertItem(txn, left, right, null, new ContentAny(json));
          json = new ArrayList<>();
        }
        left = insertItem(txn, left, right, null, contentOf(c));
      } else {
        json.add(Values.checkJson(c));
      }
    }
    if (!json.isEmpty()) {
      insertItem(txn, left, right, null, new ContentAny(json));
    }
  }

  static Content contentOf(Object value) {
    if (value instanceof SharedType t) {
      if (t.doc != null || t.item != null) {
        throw new IllegalArgumentException("this " + t.getClass().getSimpleName()
            + " is already part of a document; insert a new instance instead");
      }
      return new ContentType(t);
    }
    if (value instanceof byte[] b) {
      return new ContentBinary(b.clone());
    }
    if (value instanceof Doc d) {
      return ContentDoc.of(d);
    }
    ArrayList<Object> one = new ArrayList<>(1);
    one.add(Values.checkJson(value));
    return new ContentAny(one);
  }

  /** Inserts {@code content} at {@code index} of the list part. */
  final void listInsert(Transaction txn, int index, List<?> content) {
    // Negative values are refused here and in listDelete, though Yjs takes them: its insert at -1 looks up the
    // clock before the first visible item's (a struct of another type, split; an error at clock 0) and inserts after
    // that whole item, its delete at -1 deletes from the start, and both shift its search markers off, so later
    // edits land elsewhere. That hangs on how items were cut, not on the index; Y.Text's negative index is a 0.
    if (index < 0 || index > length) {
      throw new IndexOutOfBoundsException("index " + index + " is outside [0, " + length + "]");
    }
    if (index == 0) {
      if (searchMarkers != null) {
        searchMarkers.updateMarkerChanges(index, content.size());
      }
      listInsertAfter(txn, null, content);
      return;
    }
    int startIndex = index;
    Item n = start;
    if (searchMarkers != null && searchMarkers.find(this, index)) {
      n = searchMarkers.foundItem;
      index -= searchMarkers.foundIndex;
      if (index == 0) {
        // Step back to the previous visible item so that the insertion goes right after it.
        n = n.prev();
        index += n != null && n.isVisible() ? n.length : 0;
      }
    }
    for (; n != null; n = n.right) {
      if (n.isVisible()) {
        if (index <= n.length) {
          if (index < n.length) {
            txn.doc.store.getItemCleanStart(txn, n.client, n.clock + index);
          }
          break;
        }
        index -= n.length;
      }
    }
    if (searchMarkers != null) {
      searchMarkers.updateMarkerChanges(startIndex, content.size());
    }
    listInsertAfter(txn, n, content);
  }

  /** Appends to the list part. */
  final void listPush(Transaction txn, List<?> content) {
    Item n = start;
    if (n != null) {
      while (n.right != null) {
        n = n.right;
      }
    }
    listInsertAfter(txn, n, content);
  }

  /** Deletes {@code len} units of the list part from {@code index}. */
  final void listDelete(Transaction txn, int index, int len) {
    if (len == 0) {
      return;
    }
    if (index < 0 || len < 0) {
      throw new IndexOutOfBoundsException("index " + index + " and length " + len + " must not be negative");
    }
    int lengthBefore = length;
    int startIndex = index;
    int startLength = len;
    Item n = start;
    if (searchMarkers != null) {
      searchMarkers.beforeDelete();
    }
    if (searchMarkers != null && searchMarkers.find(this, index)) {
      n = searchMarkers.foundItem;
      index -= searchMarkers.foundIndex;
    }
    for (; n != null && index > 0; n = n.right) {
      if (n.isVisible()) {
        if (index < n.length) {
          txn.doc.store.getItemCleanStart(txn, n.client, n.clock + index);
        }
        index -= n.length;
      }
    }
    while (len > 0 && n != null) {
      if (!n.isDeleted()) {
        if (len < n.length) {
          txn.doc.store.getItemCleanStart(txn, n.client, n.clock + len);
        }
        n.delete(txn);
        len -= n.length;
      }
      n = n.right;
    }
    if (len > 0) {
      // Yjs (typeListDelete) deletes what the range covers, then throws before it moves its search markers; the
      // transaction completes with the deletion. Both are kept: the same update, and the same positions after it.
      throw new IndexOutOfBoundsException("range [" + startIndex + ", " + ((long) startIndex + startLength)
          + ") is outside [0, " + lengthBefore + "]; what it covered was deleted, as in Yjs");
    }
    if (searchMarkers != null) {
      searchMarkers.updateMarkerChanges(startIndex, -startLength + len);
    }
  }

  /**
   * Deletes from a preliminary list as Yjs does ({@code Array.prototype.splice}): a negative index counts from the
   * end, a range past the end stops at the end, and a negative length deletes nothing.
   */
  static void spliceDelete(List<?> prelim, int index, int length) {
    int from = spliceStart(prelim.size(), index);
    prelim.subList(from, from + Math.max(0, Math.min(length, prelim.size() - from))).clear();
  }

  /** Where JavaScript's {@code splice(index, ...)} starts in a list of {@code size}: negative counts from the end. */
  static int spliceStart(int size, int index) {
    return index < 0 ? Math.max(size + index, 0) : Math.min(index, size);
  }

  /** The value at {@code index} of the list part. */
  final Object listGet(int index) {
    if (index < 0 || index >= length) {
      throw new IndexOutOfBoundsException("index " + index + " is outside [0, " + length + ")");
    }
    Item n = start;
    if (searchMarkers != null && searchMarkers.find(this, index)) {
      n = searchMarkers.foundItem;
      index -= searchMarkers.foundIndex;
    }
    for (; n != null; n = n.right) {
      if (n.isVisible()) {
        if (index < n.length) {
          List<Object> values = new ArrayList<>(n.length);
          n.content.collect(values);
          return values.get(index);
        }
        index -= n.length;
      }
    }
    throw new IllegalStateException("list length and items disagree");
  }

  /**
   * Yjs's {@code typeListSlice}: negative bounds count from the end, an end past the length stops at the end,
   * and a start that is still negative after adding the length yields {@link Undefined#INSTANCE} for each index
   * before 0 (JavaScript reads {@code content[-1]} as undefined), exactly as Yjs does.
   */
  final List<Object> listSlice(int startArg, int endArg) {
    long start = startArg < 0 ? (long) length + startArg : startArg;
    long end = endArg < 0 ? (long) length + endArg : endArg;
    long len = end - start;
    List<Object> out = new ArrayList<>();
    List<Object> content = new ArrayList<>();
    for (Item n = this.start; n != null && len > 0; n = n.right) {
      if (n.isVisible()) {
        content.clear();
        n.content.collect(content);
        if (content.size() <= start) {
          start -= content.size();
        } else {
          for (long i = start; i < content.size() && len > 0; i++) {
            out.add(i < 0 ? Undefined.INSTANCE : content.get((int) i));
            len--;
          }
          start = 0;
        }
      }
    }
    return out;
  }

  final List<Object> listToList() {
    List<Object> out = new ArrayList<>(length);
    for (Item n = start; n != null; n = n.right) {
      if (n.isVisible()) {
        n.content.collect(out);
      }
    }
    return out;
  }

  /**
   * The elements as one {@code int[]} if every one is an {@code Integer} kept in a number run ({@link ContentValues}
   * holds such runs as {@code int[]}), else null: the common arrays of numbers read without boxing each one.
   */
  final int[] listInts() {
    int[] out = null;
    int n = 0;
    for (Item i = start; i != null; i = i.right) {
      if (i.isVisible()) {
        int[] ints = i.content instanceof ContentValues v ? v.ints() : null;
        if (ints == null) {
          return null;
        }
        if (out == null) {
          out = new int[length];
        }
        System.arraycopy(ints, 0, out, n, i.length);
        n += i.length;
      }
    }
    return out == null ? new int[0] : out;
  }

  // ------------------------------------------------------------------------------------------- map operations

  /**
   * The first item of {@code key}'s history (its overwritten values, then the current one), or null if the key
   * never had a value. Concurrent sets of a key search its history from there; the walk left from the current value
   * was as long as the history, so for long histories the first item is remembered. An item never leaves its key's
   * history and a new first item is linked left of the old one, so a remembered item is a short walk away.
   */
  final Item mapHistoryFirst(String key) {
    Item o = mapHistoryFirsts == null ? null : mapHistoryFirsts.get(key);
    if (o == null) {
      o = map.get(key);
    }
    if (o == null || o.left == null) {
      return o;
    }
    int steps = 0;
    for (; o.left != null; o = o.left) {
      steps++;
    }
    if (steps > 8) {
      if (mapHistoryFirsts == null) {
        mapHistoryFirsts = new HashMap<>();
      }
      mapHistoryFirsts.put(key, o);
    }
    return o;
  }

  /** Forgets every map entry and its history (the type was collected). */
  final void clearMap() {
    map.clear();
    mapHistoryFirsts = null;
  }

  final void mapSet(Transaction txn, String key, Object value) {
    Item left = map.get(key);
    insertItem(txn, left, null, key, contentOf(value));
  }

  final void mapDelete(Transaction txn, String key) {
    Item c = map.get(key);
    if (c != null) {
      c.delete(txn);
    }
  }

  /** The current value at {@code key}; {@code Undefined.INSTANCE}-free: absent keys give null. */
  final Object mapGet(String key) {
    Item v = map.get(key);
    if (v == null || v.isDeleted()) {
      return null;
    }
    return lastValue(v);
  }

  static Object lastValue(Item v) {
    List<Object> values = new ArrayList<>(v.length);
    v.content.collect(values);
    return values.isEmpty() ? null : values.get(values.size() - 1);
  }

  final boolean mapHas(String key) {
    Item v = map.get(key);
    return v != null && !v.isDeleted();
  }

  /**
   * The current entries in the order Yjs iterates them ({@code keys()}, {@code entries()}: a JavaScript
   * {@code Map}'s insertion order, that is the order in which each key first reached this replica).
   */
  final Map<String, Object> mapEntriesInMapOrder() {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, Item> e : map.entrySet()) {
      if (!e.getValue().isDeleted()) {
        values.put(e.getKey(), lastValue(e.getValue()));
      }
    }
    return values;
  }

  /** The current entries, keys in the order Yjs's {@code toJSON()} gives them (a JavaScript object's order); unmodifiable. */
  final Map<String, Object> mapEntries() {
    return JsObjects.ordered(mapEntriesInMapOrder());
  }

  /**
   * The entries as Yjs's {@code typeMapGetAll} gives them (the attributes of an XML element or a text): a JavaScript
   * object, in which {@code "__proto__"} is no entry (see {@link JsObjects#PROTO}).
   */
  static Map<String, Object> asJsObject(Map<String, Object> entries) {
    if (!entries.containsKey(JsObjects.PROTO)) {
      return entries;
    }
    Map<String, Object> out = new LinkedHashMap<>(entries);
    out.remove(JsObjects.PROTO);
    return Collections.unmodifiableMap(out);
  }

  // --------------------------------------------------------------------------------------------- at a snapshot

  /**
   * Whether this type had been inserted and was not deleted at {@code snapshot} (Yjs {@code isVisible} of the
   * type's item); a root always was. y-prosemirror marks a node added or removed between two versions by this.
   *
   * @throws IllegalStateException if this type is not part of a document
   */
  public final boolean isVisible(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    requireDoc();
    return item == null || snapshot.isVisible(item);
  }

  /** The list part's values at {@code snapshot} (Yjs {@code typeListToArraySnapshot}). */
  final List<Object> listToList(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    requireDoc();
    List<Object> out = new ArrayList<>();
    for (Item n = start; n != null; n = n.right) {
      if (n.isCountable() && snapshot.isVisible(n)) {
        n.content.collect(out);
      }
    }
    return out;
  }

  /** The item of {@code key}'s value at {@code snapshot}, or null if it had none (Yjs's walk in typeMapGetSnapshot). */
  private static Item mapItemAt(Item v, Snapshot snapshot) {
    while (v != null && (!snapshot.sv.has(v.client) || v.clock >= snapshot.sv.get(v.client))) {
      v = v.left;
    }
    return v != null && snapshot.isVisible(v) ? v : null;
  }

  /** A map entry's value at a snapshot: undefined if the document has since collected it, as in Yjs. */
  private static Object valueAt(Item v) {
    List<Object> values = new ArrayList<>(v.length);
    v.content.collect(values);
    return values.isEmpty() ? Undefined.INSTANCE : values.get(values.size() - 1);
  }

  /** The value of {@code key} at {@code snapshot}, null if it had none (Yjs {@code typeMapGetSnapshot}). */
  final Object mapGet(String key, Snapshot snapshot) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(snapshot, "snapshot");
    requireDoc();
    Item v = mapItemAt(map.get(key), snapshot);
    return v == null ? null : valueAt(v);
  }

  /** The entries at {@code snapshot}, keys in a JavaScript object's order (Yjs {@code typeMapGetAllSnapshot}). */
  final Map<String, Object> mapEntries(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    requireDoc();
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, Item> e : map.entrySet()) {
      Item v = mapItemAt(e.getValue(), snapshot);
      if (v != null) {
        values.put(e.getKey(), valueAt(v));
      }
    }
    return JsObjects.ordered(values);
  }
}
