package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A group of changes to one {@link Doc}, applied atomically: observers and update listeners see a transaction's
 * changes together, after it ends. Obtained from {@link Doc#transact}; valid only inside the callback and the
 * event handlers of that transaction. Not thread-safe (like its document).
 */
public final class Transaction {
  final Doc doc;
  /** What this transaction deleted; null until it deletes something (most keystrokes insert). */
  private DeleteSet deleteSet;
  /**
   * The clock each client had before this transaction, recorded only for the clients it adds structs to; every
   * other client's state is unchanged, so the store answers for it. (Yjs copies the whole state vector per
   * transaction: on one-keystroke transactions that copy was a large share of the time.) The first such client
   * (usually the only one) is kept in two fields; -1: none yet.
   */
  private long firstAdded = -1;
  /** Set when the cleanup begins: transactions started after this one (by listeners) had added structs by then. */
  boolean movedBeforeCleanup;
  private int firstAddedFrom;
  /** The clients after the first one; null until there is a second. */
  private StateVector moreAddedFrom;
  /**
   * The state vector when the cleanup of this transaction began: taken then only when transaction listeners (an
   * {@link UndoManager}) may ask, otherwise worked out on request (see {@link #stateWhenCleanupBegan}). A copy per
   * remote transaction cost time in proportion to every client the document ever saw.
   */
  StateVector afterState;
  /** How many transactions were queued for cleanup when this one's cleanup began; -1 before. */
  private int queuedWhenCleanupBegan = -1;
  /**
   * Types changed in this transaction, with the map keys changed ({@code null}: the list part changed), in the
   * order they first changed (see {@link #changed()}). A keystroke changes one type: it is kept in two fields,
   * and the map is only made for a second type.
   */
  private SharedType changedType;
  private Set<String> changedKeys;
  private Map<SharedType, Set<String>> moreChanged;
  /**
   * Events per type, for deep observers: every changed type's event is added to each of its ancestors. Null
   * until an event is created (only when someone observes).
   */
  Map<SharedType, List<YEvent>> changedParentTypes;
  /**
   * Per type seen by {@link #deepObservedAncestors}: its ancestors (itself included) that have deep observers. A
   * type without deep observers shares its parent's list, so the lists of a whole nest cost one walk.
   */
  private Map<SharedType, List<SharedType>> deepObserved;
  private boolean walkedOnce;
  /**
   * Whether a deep observer was subscribed in this document while this transaction's per-type observers were
   * called: then {@link #changedParentTypes}, which holds only the ancestors that observed deeply when each event
   * was made, is not enough, and the deep observers are called over Yjs's map ({@link #allParentTypes}).
   */
  boolean deepObserversAdded;
  /** Events made only for their type's own observers (no deep observer above): see {@link #allParentTypes}. */
  private YEvent directOnlyEvent;
  private List<YEvent> moreDirectOnlyEvents;
  /** Changed types whose observers were skipped because they were deleted by then; null until the first. */
  private Set<SharedType> skippedDeleted;
  /** Whether the per-type observers of this transaction were called (Yjs fills changedParentTypes then). */
  boolean typeObserversCalled;
  /** {@link #changedParentTypeKeys()} once computed. */
  private Set<SharedType> changedParentTypeKeys;
  /** Items split (or deleted before) in this transaction that may merge again; null until the first. */
  private List<AbstractStruct> mergeStructs;
  /** The map key whose concurrent first sets this transaction resolved last (see {@link KeyHistoryRun}). */
  private KeyHistoryRun keyHistoryRun;
  /** Subdocuments added, removed and loaded in this transaction (Yjs's sets; null until the first). */
  Set<Doc> subdocsAdded;
  Set<Doc> subdocsRemoved;
  Set<Doc> subdocsLoaded;
  private final Object origin;
  boolean local;
  boolean needFormattingCleanup;
  private Map<Object, Object> meta;

  Transaction(Doc doc, Object origin, boolean local) {
    this.doc = doc;
    this.origin = origin;
    this.local = local;
  }

  /** The document this transaction changes. */
  public Doc doc() {
    return doc;
  }

  /** The origin given to {@link Doc#transact(Consumer, Object)} or {@link Doc#applyUpdate(byte[], Object)}; may be null. */
  public @Nullable Object origin() {
    return origin;
  }

  /** True for changes made through this document's API, false for updates applied from elsewhere. */
  public boolean isLocal() {
    return local;
  }

  /** Per-transaction storage for integrations (a provider may mark a transaction it already handled). */
  public Map<Object, Object> meta() {
    if (meta == null) {
      meta = new HashMap<>();
    }
    return meta;
  }

  Set<Doc> subdocsAdded() {
    if (subdocsAdded == null) {
      subdocsAdded = new LinkedHashSet<>();
    }
    return subdocsAdded;
  }

  Set<Doc> subdocsRemoved() {
    if (subdocsRemoved == null) {
      subdocsRemoved = new LinkedHashSet<>();
    }
    return subdocsRemoved;
  }

  Set<Doc> subdocsLoaded() {
    if (subdocsLoaded == null) {
      subdocsLoaded = new LinkedHashSet<>();
    }
    return subdocsLoaded;
  }

  /**
   * The state vector of the document when this transaction began (Yjs {@code beforeState}): the clients it
   * knew then, with their clocks.
   */
  public StateVector beforeState() {
    StateVector out = new StateVector();
    doc.store.stateVector().forEach((client, clock) -> {
      int before = beforeState(client);
      if (before > 0) {
        out.set(client, before);
      }
    });
    return out;
  }

  /**
   * The state vector of the document when this transaction's observers began to be called (Yjs
   * {@code afterState}), also when observers of this transaction changed the document since.
   */
  public StateVector afterState() {
    if (afterState == null) {
      afterState = stateWhenCleanupBegan();
    }
    return afterState;
  }

  /** Notes that this transaction's cleanup begins, with {@code queued} transactions queued for cleanup. */
  void cleanupBegins(int queued) {
    queuedWhenCleanupBegan = queued;
  }

  /**
   * The document's state vector as it was when this transaction's cleanup began. Only transactions started since
   * (by observers and listeners; they are queued after that point) changed the store since then, and each of them
   * recorded where the clients it added to stood before it.
   */
  private StateVector stateWhenCleanupBegan() {
    StateVector now = doc.store.stateVector();
    List<Transaction> queued = doc.transactionCleanups;
    if (queuedWhenCleanupBegan < 0 || queued.size() <= queuedWhenCleanupBegan || !queued.contains(this)) {
      return now;
    }
    StateVector then = new StateVector();
    now.forEach((client, clock) -> {
      int before = stateWhenCleanupBegan(client, queued);
      int c = before >= 0 ? before : clock;
      if (c > 0) {
        then.set(client, c);
      }
    });
    return then;
  }

  /** Where {@code client} stood before the first transaction started since this one's cleanup began; -1: none. */
  private int stateWhenCleanupBegan(long client, List<Transaction> queued) {
    for (int i = queuedWhenCleanupBegan; i < queued.size(); i++) {
      int before = queued.get(i).addedFrom(client);
      if (before >= 0) {
        return before;
      }
    }
    return -1;
  }

  /**
   * What this transaction deleted (Yjs {@code deleteSet}): per client, ranges of clocks, sorted and merged once
   * the transaction's observers run.
   */
  public List<IdRange> deletions() {
    if (deleteSet == null) {
      return List.of();
    }
    List<IdRange> out = new ArrayList<>();
    for (Map.Entry<Long, DeleteSet.Ranges> e : deleteSet.clients.entrySet()) {
      DeleteSet.Ranges r = e.getValue();
      for (int i = 0; i < r.count(); i++) {
        out.add(new IdRange(e.getKey(), r.clock(i), r.len(i)));
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The types this transaction changed, in the order they first changed, each with the map keys that changed
   * ({@code null} standing for the list part), in the order they changed (Yjs {@code changed}). Types nested in
   * a type created in this transaction are not listed, as in Yjs.
   */
  public Map<SharedType, Set<@Nullable String>> changedTypes() {
    Map<SharedType, Set<@Nullable String>> out = new LinkedHashMap<>();
    changed().forEach((t, keys) -> out.put(t, Collections.unmodifiableSet(new LinkedHashSet<>(keys))));
    return Collections.unmodifiableMap(out);
  }

  /** The deletions of this transaction, created on first use. */
  DeleteSet deleteSet() {
    if (deleteSet == null) {
      deleteSet = new DeleteSet();
    }
    return deleteSet;
  }

  /** The deletions of this transaction, or null if it deleted nothing. */
  DeleteSet deleteSetOrNull() {
    return deleteSet;
  }

  /** The clock {@code client} had when this transaction started. */
  int beforeState(long client) {
    int before = addedFrom(client);
    if (before >= 0) {
      return before;
    }
    // Not changed by this transaction. Observers of it may have changed the client since, in transactions queued
    // after it: the first of them that did recorded where the client stood.
    List<Transaction> queued = doc.transactionCleanups;
    if (queued.size() > 1) {
      for (int i = queued.indexOf(this) + 1; i > 0 && i < queued.size(); i++) {
        before = queued.get(i).addedFrom(client);
        if (before >= 0) {
          return before;
        }
      }
    }
    return doc.store.getState(client);
  }

  /**
   * The clock {@code client} had when the cleanup of this transaction began (before its observers could change
   * more).
   */
  int afterState(long client) {
    if (afterState != null) {
      return afterState.get(client);
    }
    List<Transaction> queued = doc.transactionCleanups;
    if (queuedWhenCleanupBegan >= 0 && queued.size() > queuedWhenCleanupBegan && queued.contains(this)) {
      int before = stateWhenCleanupBegan(client, queued);
      if (before >= 0) {
        return before;
      }
    }
    return doc.store.getState(client);
  }

  /** The clock of {@code client} before this transaction added structs of it; -1 if it added none. */
  private int addedFrom(long client) {
    if (client == firstAdded) {
      return firstAddedFrom;
    }
    return moreAddedFrom != null && moreAddedFrom.has(client) ? moreAddedFrom.get(client) : -1;
  }

  /**
   * Clients that had no struct before this transaction (Yjs: absent from its {@code beforeState}); only recorded
   * for those whose first struct has length 0, the one case in which the state does not show that they are new.
   */
  private StateVector newWithoutClock;

  /** Called before a struct of {@code client} is added to the store: remembers where the client started. */
  void beforeAddStruct(long client, int length) {
    if (length == 0 && doc.store.list(client) == null) {
      if (newWithoutClock == null) {
        newWithoutClock = new StateVector();
      }
      newWithoutClock.set(client, 0);
    }
    if (firstAdded == -1) {
      firstAdded = client;
      firstAddedFrom = doc.store.getState(client);
    } else if (addedFrom(client) < 0) {
      if (moreAddedFrom == null) {
        moreAddedFrom = new StateVector();
      }
      moreAddedFrom.set(client, doc.store.getState(client));
    }
  }

  /** Calls {@code f} with (client, clock before) for every client this transaction added structs to. */
  void forEachAddedClient(StateVector.EntryConsumer f) {
    if (firstAdded != -1) {
      f.accept(firstAdded, firstAddedFrom);
    }
    if (moreAddedFrom != null) {
      moreAddedFrom.forEach(f);
    }
  }

  /**
   * {@link #forEachAddedClient} in the order of the store's clients (the order their first struct arrived), which is
   * the order of Yjs's {@code afterState}: an undo manager records insertions in it, and undoes them in reverse.
   */
  void forEachAddedClientInStoreOrder(StateVector.EntryConsumer f) {
    if (moreAddedFrom == null) {
      forEachAddedClient(f);
      return;
    }
    StructStore store = doc.store;
    for (int i = 0, n = store.clientCount(); i < n; i++) {
      long client = store.clientAt(i);
      int from = addedFrom(client);
      if (from >= 0) {
        f.accept(client, from);
      }
    }
  }

  /**
   * The clients this transaction added structs to, and those that transactions queued for cleanup after it (started
   * by its observers) added to, in descending order: the only clients whose {@link #beforeState(long)} can differ
   * from the store's state. A fresh array.
   */
  long[] addedClientsDescending() {
    List<Transaction> queued = doc.transactionCleanups;
    int later = queued.size() > 1 ? queued.indexOf(this) + 1 : 0;
    boolean laterAdded = false;
    for (int i = later; i > 0 && i < queued.size(); i++) {
      laterAdded |= queued.get(i).firstAdded != -1;
    }
    if (!laterAdded) {
      if (firstAdded == -1) {
        return new long[0];
      }
      if (moreAddedFrom == null) {
        return new long[] {firstAdded}; // a keystroke's transaction
      }
    }
    StateVector clients = new StateVector();
    StateVector.EntryConsumer add = (client, before) -> clients.set(client, 0);
    forEachAddedClient(add);
    for (int i = later; laterAdded && i < queued.size(); i++) {
      queued.get(i).forEachAddedClient(add);
    }
    return clients.clientsDescending();
  }

  /** Whether this transaction added structs of {@code client}. */
  boolean addedStructsOf(long client) {
    return addedFrom(client) >= 0;
  }

  // Most transactions change only the list part of one type: they share this set until a map key changes.
  private static final Set<String> LIST_ONLY = Collections.singleton(null);

  /** Remembers a struct that may merge with its neighbours again once this transaction is done. */
  void addMergeStruct(AbstractStruct s) {
    if (mergeStructs == null) {
      mergeStructs = new ArrayList<>();
    }
    mergeStructs.add(s);
  }

  /** What {@link #addMergeStruct} remembered, in order. */
  List<AbstractStruct> mergeStructs() {
    return mergeStructs == null ? List.of() : mergeStructs;
  }

  /** The only type this transaction changed, or null if it changed none or several (see {@link #changed()}). */
  SharedType onlyChangedType() {
    return moreChanged == null ? changedType : null;
  }

  /** Records that {@code type} changed (at map key {@code parentSub}, or its list when null). */
  void addChangedType(SharedType type, String parentSub) {
    Item item = type.item;
    if (item == null || (item.clock < beforeState(item.client) && !item.isDeleted())) {
      Set<String> keys = changedKeys(type);
      if (keys == null) {
        if (parentSub == null) {
          putChanged(type, LIST_ONLY);
          return;
        }
        keys = new LinkedHashSet<>();
        putChanged(type, keys);
      } else if (keys.contains(parentSub)) {
        return;
      } else if (keys == LIST_ONLY) {
        keys = new LinkedHashSet<>(keys);
        putChanged(type, keys);
      }
      keys.add(parentSub);
    }
  }

  /** The types changed in this transaction with their changed keys, in the order they first changed. */
  Map<SharedType, Set<String>> changed() {
    if (moreChanged != null) {
      return moreChanged;
    }
    return changedType == null ? Map.of() : Map.of(changedType, changedKeys);
  }

  Set<String> changedKeys(SharedType type) {
    if (moreChanged != null) {
      return moreChanged.get(type);
    }
    return type == changedType ? changedKeys : null;
  }

  private void putChanged(SharedType type, Set<String> keys) {
    if (moreChanged != null) {
      moreChanged.put(type, keys);
    } else if (changedType == null || changedType == type) {
      changedType = type;
      changedKeys = keys;
    } else {
      moreChanged = new LinkedHashMap<>();
      moreChanged.put(changedType, changedKeys);
      moreChanged.put(type, keys);
      changedType = null;
      changedKeys = null;
    }
  }

  /** Forgets that {@code type} changed (it was deleted in this transaction). */
  void removeChanged(SharedType type) {
    if (moreChanged != null) {
      moreChanged.remove(type);
    } else if (type == changedType) {
      changedType = null;
      changedKeys = null;
    }
  }

  void addDirectOnlyEvent(YEvent event) {
    if (directOnlyEvent == null) {
      directOnlyEvent = event;
    } else {
      if (moreDirectOnlyEvents == null) {
        moreDirectOnlyEvents = new ArrayList<>();
      }
      moreDirectOnlyEvents.add(event);
    }
  }

  void skippedDeleted(SharedType type) {
    if (skippedDeleted == null) {
      skippedDeleted = new HashSet<>();
    }
    skippedDeleted.add(type);
  }

  /**
   * The keys of Yjs's {@code changedParentTypes}: each changed type whose observers were called (not deleted by its
   * turn, and not a root nobody has asked for as a type yet) and every type it is nested in, in the order Yjs adds
   * them. Empty until the per-type observers of this transaction were called, as Yjs's map: a change is only
   * recorded there when its type's observers are called.
   */
  Set<SharedType> changedParentTypeKeys() {
    if (!typeObserversCalled) {
      return Set.of();
    }
    if (changedParentTypeKeys == null) {
      Set<SharedType> keys = new LinkedHashSet<>();
      for (SharedType changed : changed().keySet()) {
        if (changed instanceof UnknownType || (skippedDeleted != null && skippedDeleted.contains(changed))) {
          continue;
        }
        for (SharedType t = changed; t != null && keys.add(t); t = t.item == null ? null : (SharedType) t.item.parent) {
          // up to the root, or to a type added already with its ancestors
        }
      }
      changedParentTypeKeys = Collections.unmodifiableSet(keys);
    }
    return changedParentTypeKeys;
  }

  /**
   * Yjs's {@code changedParentTypes}: every ancestor of each changed type whose observers were called (itself
   * included), in the order Yjs first adds them, each with the events of the changed types below it. The events
   * already made are reused (an observer may have read them: Yjs hands the same object to the deep observers); the
   * others are made now, which is the same, as an event computes its details when asked.
   */
  Map<SharedType, List<YEvent>> allParentTypes() {
    Map<SharedType, YEvent> made = new HashMap<>();
    if (changedParentTypes != null) {
      for (List<YEvent> events : changedParentTypes.values()) {
        for (YEvent e : events) {
          made.putIfAbsent(e.target(), e);
        }
      }
    }
    if (directOnlyEvent != null) {
      made.put(directOnlyEvent.target(), directOnlyEvent);
      if (moreDirectOnlyEvents != null) {
        moreDirectOnlyEvents.forEach(e -> made.put(e.target(), e));
      }
    }
    Map<SharedType, List<YEvent>> all = new LinkedHashMap<>();
    for (Map.Entry<SharedType, Set<String>> c : changed().entrySet()) {
      SharedType type = c.getKey();
      if (skippedDeleted != null && skippedDeleted.contains(type)) {
        continue;
      }
      YEvent event = made.get(type);
      if (event == null) {
        event = type.createEvent(this, c.getValue());
      }
      for (SharedType t = type; t != null; t = t.item == null ? null : (SharedType) t.item.parent) {
        all.computeIfAbsent(t, k -> new ArrayList<>()).add(event);
      }
    }
    return all;
  }

  /**
   * {@code type} and its ancestors that have deep observers, nearest first. Each type is walked once per
   * transaction, so the events of one change to every level of a nest cost time linear in its depth.
   */
  List<SharedType> deepObservedAncestors(SharedType type) {
    if (deepObserved == null) {
      // Most transactions change one type: a plain walk, nothing remembered. A second type starts the memo.
      if (!walkedOnce) {
        walkedOnce = true;
        List<SharedType> found = List.of();
        for (SharedType t = type; t != null; t = t.item == null ? null : (SharedType) t.item.parent) {
          if (t.hasDeepObservers()) {
            found = found.isEmpty() ? new ArrayList<>() : found;
            found.add(t);
          }
        }
        return found;
      }
      deepObserved = new HashMap<>();
    }
    // Walk up to the first type already known, then fill in the lists on the way back down.
    List<SharedType> chain = new ArrayList<>();
    List<SharedType> known = null;
    for (SharedType t = type; t != null; t = t.item == null ? null : (SharedType) t.item.parent) {
      known = deepObserved.get(t);
      if (known != null) {
        break;
      }
      chain.add(t);
    }
    List<SharedType> below = known == null ? List.of() : known;
    for (int i = chain.size() - 1; i >= 0; i--) {
      SharedType t = chain.get(i);
      if (t.hasDeepObservers()) {
        List<SharedType> withT = new ArrayList<>(below.size() + 1);
        withT.add(t);
        withT.addAll(below);
        below = withT;
      }
      deepObserved.put(t, below);
    }
    return below;
  }

  /**
   * The run that places an item without origins in {@code key}'s history, or null the first time the key is asked
   * for (one conflict is cheaper to walk than to index); see {@link KeyHistoryRun}.
   */
  KeyHistoryRun keyHistoryRun(SharedType type, String key) {
    KeyHistoryRun run = keyHistoryRun;
    if (run == null || !run.isFor(type, key)) {
      keyHistoryRun = new KeyHistoryRun(type, key);
      return null;
    }
    return run;
  }

  /** {@code key}'s history was linked in a way its {@link KeyHistoryRun} does not follow. */
  void keyHistoryRelinked(SharedType type, String key) {
    if (keyHistoryRun != null && keyHistoryRun.isFor(type, key)) {
      keyHistoryRun.reset();
    }
  }

  /** Ends the use of the key history run: after this only cleanup (merges, collection) changes the lists. */
  void dropKeyHistoryRun() {
    keyHistoryRun = null;
  }

  /** Whether the struct was created in this transaction. */
  boolean adds(AbstractStruct s) {
    return s.clock >= beforeState(s.client);
  }

  /** Whether the struct was deleted in this transaction. */
  boolean deletes(AbstractStruct s) {
    return deleteSet != null && deleteSet.isDeleted(s.client, s.clock);
  }

  /**
   * Whether Yjs emits an update for this transaction: it deleted something, or the document's state moved between
   * its start and the start of its cleanup (Yjs compares {@code beforeState} with {@code afterState}): by structs of
   * its own, or by those of transactions that listeners started meanwhile ({@link #movedBeforeCleanup}).
   */
  boolean emitsUpdate() {
    return hasChanges() || movedBeforeCleanup;
  }

  /**
   * Whether this transaction moved the state vector (Yjs compares its {@code afterState} with its
   * {@code beforeState}): added structs with a length, or the first struct of a client.
   */
  boolean movedState() {
    if (firstAdded == -1) {
      return false;
    }
    if (newWithoutClock != null || doc.store.getState(firstAdded) > firstAddedFrom) {
      return true;
    }
    boolean[] moved = {false};
    if (moreAddedFrom != null) {
      moreAddedFrom.forEach((client, before) -> moved[0] |= doc.store.getState(client) > before);
    }
    return moved[0];
  }

  /** Whether {@code client} had no struct before this transaction, and has only structs of length 0 now. */
  boolean isNewWithoutClock(long client) {
    return startedWithItemOfLength0(client) && doc.store.getState(client) == 0;
  }

  /** Whether {@code client} had no struct before this transaction, and its first struct has length 0. */
  boolean startedWithItemOfLength0(long client) {
    return newWithoutClock != null && newWithoutClock.has(client);
  }

  /** True if this transaction deleted anything or moved the state vector (Yjs's test for an update event). */
  boolean hasChanges() {
    return (deleteSet != null && !deleteSet.isEmpty()) || movedState();
  }
}
