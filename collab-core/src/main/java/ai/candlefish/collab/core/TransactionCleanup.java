package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What happens when the outermost transaction ends (Yjs {@code cleanupTransactions}): observers are called,
 * deleted content is garbage collected, adjacent structs are merged, and the update is emitted. Transactions
 * started by observers are processed one after another, never nested.
 */
final class TransactionCleanup {
  private TransactionCleanup() {}

  static void run(Doc doc) {
    Throwable failure = null;
    List<Transaction> cleanups = doc.transactionCleanups;
    try {
      for (int i = 0; i < cleanups.size(); i++) {
        try {
          cleanup(doc, cleanups.get(i), i);
        } catch (RuntimeException | Error e) {
          failure = addFailure(failure, e);
        }
      }
    } finally {
      // Even after a fatal error: a document whose list is not cleared would never clean up a transaction again.
      List<Transaction> done = doc.afterAllTransactionsListeners().isEmpty() ? null : List.copyOf(cleanups);
      cleanups.clear();
      if (done != null) {
        try {
          doc.afterAllTransactionsListeners().forEach(l -> l.accept(done));
        } catch (RuntimeException | Error e) {
          failure = addFailure(failure, e);
        }
      }
    }
    Listeners.throwIfAny(failure);
  }

  private static void cleanup(Doc doc, Transaction txn, int index) {
    StructStore store = doc.store;
    int queuedAtBegin = doc.transactionCleanups.size();
    if (!txn.hasChanges()) {
      // Transactions queued after this one started after it; those that added structs moved the state that Yjs
      // compares with this one's beforeState, so Yjs emits an update for this one too (holding their structs).
      List<Transaction> cleanups = doc.transactionCleanups;
      for (int j = index + 1; j < cleanups.size() && !txn.movedBeforeCleanup; j++) {
        txn.movedBeforeCleanup = cleanups.get(j).movedState();
      }
    }
    DeleteSet ds = txn.deleteSetOrNull();
    txn.dropKeyHistoryRun();
    Throwable failure = null;
    try {
      if (ds != null) {
        ds.sortAndMerge();
      }
      if (doc.wantsAfterState()) {
        txn.afterState = store.stateVector();
      } else {
        txn.cleanupBegins(doc.transactionCleanups.size());
      }
      if (!doc.beforeObserverCallsListeners().isEmpty()) {
        doc.beforeObserverCallsListeners().forEach(l -> l.accept(txn));
      }
      callObservers(doc, txn);
    } catch (RuntimeException | Error e) {
      failure = e;
    } finally {
      if (ds != null) {
        if (doc.isGc()) {
          tryGcDeleteSet(ds, store, doc.gcFilter());
        }
        tryMergeDeleteSet(ds, store);
      }
      // Merge what this transaction appended, per client whose clock it moved (not by items of length 0 alone, as
      // Yjs), from right to left.
      txn.forEachAddedClient((client, beforeClock) -> {
        if (txn.afterState(client) != beforeClock) {
          mergeFrom(store.list(client), beforeClock);
        }
      });
      // Yjs merges every client whose clock moved between this transaction's start and its cleanup's: also those
      // that only transactions started meanwhile (by listeners of earlier ones) wrote to.
      for (int j = index + 1; j < queuedAtBegin; j++) {
        doc.transactionCleanups.get(j).forEachAddedClient((client, ignored) -> {
          if (!txn.addedStructsOf(client)) {
            mergeFrom(store.list(client), txn.beforeState(client));
          }
        });
      }
      // Items split in this transaction may merge again.
      List<AbstractStruct> mergeStructs = txn.mergeStructs();
      for (int i = mergeStructs.size() - 1; i >= 0; i--) {
        AbstractStruct s = mergeStructs.get(i);
        StructList structs = store.list(s.client);
        int replacedStructPos = structs.findIndex(s.clock);
        if (replacedStructPos + 1 < structs.size && tryToMergeWithLefts(structs, replacedStructPos + 1) > 1) {
          continue;
        }
        if (replacedStructPos > 0) {
          tryToMergeWithLefts(structs, replacedStructPos);
        }
      }
      if (!txn.local && txn.addedStructsOf(doc.clientId())) {
        // Another peer wrote under our client id: continuing with it would corrupt both documents.
        doc.regenerateClientId();
      }
      if (!doc.afterTransactionCleanupListeners().isEmpty()) {
        try {
          doc.afterTransactionCleanupListeners().forEach(l -> l.accept(txn));
        } catch (RuntimeException | Error e) {
          failure = addFailure(failure, e);
        }
      }
      if (!doc.updateListeners().isEmpty() && txn.emitsUpdate()) {
        failure = emitUpdate(doc.updateListeners(), UpdateWriter.encodeTransaction(txn), txn, failure);
      }
      if (!doc.updateV2Listeners().isEmpty() && txn.emitsUpdate()) {
        byte[] update = UpdateWriter.encodeTransaction(txn, UpdateFormat.V2.newEncoder());
        failure = emitUpdate(doc.updateV2Listeners(), update, txn, failure);
      }
      if (txn.subdocsAdded != null || txn.subdocsRemoved != null || txn.subdocsLoaded != null) {
        failure = addFailure(failure, emitSubdocs(doc, txn));
      }
      // A list to which this transaction wrote at least half of its clocks (a loaded document, a long transaction)
      // keeps no search index (StructList's clocks); one written a keystroke at a time keeps it.
      txn.forEachAddedClient((client, beforeClock) -> {
        StructList structs = store.list(client);
        if (beforeClock <= structs.state() / 2) {
          structs.dropClocks();
        }
      });
    }
    Listeners.throwIfAny(failure);
  }

  /** Merges the structs of one client from {@code beforeClock} to its end, from right to left. */
  private static void mergeFrom(StructList structs, int beforeClock) {
    int firstChangePos = Math.max(structs.findIndexNearEnd(beforeClock), 1);
    for (int i = structs.size - 1; i >= firstChangePos; ) {
      i -= 1 + tryToMergeWithLefts(structs, i);
    }
  }

  /** Calls each listener with the update; returns {@code failure} with what they threw added. */
  private static Throwable emitUpdate(Listeners<UpdateListener> listeners, byte[] update, Transaction txn,
      Throwable failure) {
    // Most documents have one update listener (their provider): called directly, without a capturing lambda.
    UpdateListener only = listeners.only();
    if (only != null) {
      try {
        only.onUpdate(update, txn.origin(), txn);
      } catch (RuntimeException | Error e) {
        return Listeners.addFailure(failure, e);
      }
      return failure;
    }
    // Each listener gets an array of its own; a single listener can have the original.
    boolean copy = listeners.size() > 1;
    try {
      listeners.forEach(l -> l.onUpdate(copy ? update.clone() : update, txn.origin(), txn));
    } catch (RuntimeException | Error e) {
      return Listeners.addFailure(failure, e);
    }
    return failure;
  }

  private static void callObservers(Doc doc, Transaction txn) {
    Throwable failure = null;
    Transaction outer = doc.callingObservers;
    doc.callingObservers = txn;
    try {
      // Per-type observers. Most transactions change one type: no map is made for it.
      // No copy of the map: changes made by observers go to transactions of their own.
      SharedType only = txn.onlyChangedType();
      if (only != null) {
        failure = callObserver(txn, only, txn.changedKeys(only), failure);
      } else {
        for (Map.Entry<SharedType, Set<String>> e : txn.changed().entrySet()) {
          failure = callObserver(txn, e.getKey(), e.getValue(), failure);
        }
      }
    } finally {
      doc.callingObservers = outer;
      txn.typeObserversCalled = true;
    }
    failure = callDeepObservers(txn, failure);
    if (!doc.afterTransactionListeners().isEmpty()) {
      try {
        doc.afterTransactionListeners().forEach(l -> l.accept(txn));
      } catch (RuntimeException | Error ex) {
        failure = addFailure(failure, ex);
      }
    }
    if (txn.needFormattingCleanup) {
      try {
        YText.cleanupAfterTransaction(txn);
      } catch (RuntimeException | Error ex) {
        failure = addFailure(failure, ex);
      }
    }
    Listeners.throwIfAny(failure);
  }

  /** Calls the observers of {@code type} unless it was deleted; returns {@code failure} with what they threw added. */
  private static Throwable callObserver(Transaction txn, SharedType type, Set<String> keys, Throwable failure) {
    if (type.item == null || !type.item.isDeleted()) {
      try {
        type.callObserver(txn, keys);
      } catch (RuntimeException | Error ex) {
        return addFailure(failure, ex);
      }
    } else {
      txn.skippedDeleted(type);
    }
    return failure;
  }

  /**
   * Calls the deep observers: top-level events first. As Yjs 13.6, which types are called is decided before the
   * first is called: those that observe deeply and are not deleted once the per-type observers are done. A deep
   * observer subscribed by a per-type observer therefore counts (the events then go through Yjs's map of every
   * ancestor, {@link Transaction#allParentTypes}); one subscribed by a deep observer only if its type observed
   * deeply already, and a type that a deep observer deletes is still called (with the events of types that are not
   * deleted).
   */
  private static Throwable callDeepObservers(Transaction txn, Throwable failure) {
    Map<SharedType, List<YEvent>> parents = txn.deepObserversAdded ? txn.allParentTypes()
        : txn.changedParentTypes == null ? Map.of() : txn.changedParentTypes;
    if (parents.isEmpty()) {
      return failure;
    }
    if (parents.size() == 1) {
      Map.Entry<SharedType, List<YEvent>> e = parents.entrySet().iterator().next();
      return isCalledDeeply(e.getKey()) ? callDeepObservers(e.getKey(), e.getValue(), txn, failure) : failure;
    }
    List<Map.Entry<SharedType, List<YEvent>>> called = new ArrayList<>(parents.size());
    for (Map.Entry<SharedType, List<YEvent>> e : parents.entrySet()) {
      if (isCalledDeeply(e.getKey())) {
        called.add(e);
      }
    }
    for (Map.Entry<SharedType, List<YEvent>> e : called) {
      failure = callDeepObservers(e.getKey(), e.getValue(), txn, failure);
    }
    return failure;
  }

  private static boolean isCalledDeeply(SharedType type) {
    return type.hasDeepObservers() && (type.item == null || !type.item.isDeleted());
  }

  private static Throwable callDeepObservers(SharedType type, List<YEvent> typeEvents, Transaction txn,
      Throwable failure) {
    List<YEvent> events = new ArrayList<>();
    for (YEvent event : typeEvents) {
      SharedType target = event.target();
      if (target.item == null || !target.item.isDeleted()) {
        event.setCurrentTarget(type);
        events.add(event);
      }
    }
    // By path length, as Yjs sorts; the length is the difference in depth (a path costs its depth to compute).
    events.sort((a, b) -> Integer.compare(a.target().depth, b.target().depth));
    if (events.size() > 1) {
      // Yjs's sort compares path lengths, so it computes (and keeps) every path now: an observer that writes
      // before a nested type does not move the paths the next observers read.
      events.forEach(YEvent::path);
    }
    try {
      type.callDeepObservers(events, txn);
    } catch (RuntimeException | Error ex) {
      failure = addFailure(failure, ex);
    }
    return failure;
  }

  /** Yjs's subdocs step: adopts added subdocuments, reports the event, destroys removed ones. */
  private static Throwable emitSubdocs(Doc doc, Transaction txn) {
    Set<Doc> added = txn.subdocsAdded == null ? Set.of() : Collections.unmodifiableSet(txn.subdocsAdded);
    Set<Doc> removed = txn.subdocsRemoved == null ? Set.of() : Collections.unmodifiableSet(txn.subdocsRemoved);
    Set<Doc> loaded = txn.subdocsLoaded == null ? Set.of() : Collections.unmodifiableSet(txn.subdocsLoaded);
    if (added.isEmpty() && removed.isEmpty() && loaded.isEmpty()) {
      return null;
    }
    for (Doc subdoc : added) {
      subdoc.setClientIdFromParent(doc.clientId());
      subdoc.setCollectionIdFromParent(doc.collectionId());
      doc.subdocs.add(subdoc);
    }
    for (Doc subdoc : removed) {
      doc.subdocs.remove(subdoc);
    }
    Throwable failure = null;
    SubdocsEvent event = new SubdocsEvent(loaded, added, removed, txn);
    try {
      doc.subdocsListeners().forEach(l -> l.accept(event));
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    for (Doc subdoc : removed) {
      try {
        subdoc.destroy();
      } catch (RuntimeException | Error e) {
        failure = addFailure(failure, e);
      }
    }
    return failure;
  }

  private static Throwable addFailure(Throwable failure, Throwable e) {
    return e == null ? failure : Listeners.addFailure(failure, e);
  }

  /** Merges structs[pos] with its left neighbours while possible; returns how many were merged away. */
  static int tryToMergeWithLefts(StructList structs, int pos) {
    AbstractStruct right = structs.get(pos);
    AbstractStruct left = structs.get(pos - 1);
    int i = pos;
    while (i > 0) {
      if (left.isDeleted() != right.isDeleted() || left.getClass() != right.getClass() || !left.mergeWith(right)) {
        break;
      }
      if (right instanceof Item r && r.parentSub != null && r.parent instanceof SharedType p
          && p.map.get(r.parentSub) == r) {
        p.map.put(r.parentSub, (Item) left);
      }
      right = left;
      i--;
      left = i > 0 ? structs.get(i - 1) : null;
    }
    int merged = pos - i;
    if (merged > 0) {
      structs.remove(pos + 1 - merged, merged);
    }
    return merged;
  }

  private static void tryGcDeleteSet(DeleteSet ds, StructStore store, Predicate<DecodedUpdate.Struct> filter) {
    for (int p = 0; p < ds.clients.end(); p++) {
      DeleteSet.Ranges ranges = ds.clients.valueAt(p);
      if (ranges == null) {
        continue;
      }
      StructList structs = store.list(ds.clients.keyAt(p));
      for (int di = ranges.count() - 1; di >= 0; di--) {
        int clock = ranges.clock(di);
        int end = clock + ranges.len(di);
        for (int si = structs.findIndex(clock); si < structs.size; si++) {
          AbstractStruct s = structs.get(si);
          if (s.clock >= end) {
            break;
          }
          if (s instanceof Item item && item.isDeleted() && !item.keep()
              && (filter == null || filter.test(DecodedUpdate.describe(item)))) {
            item.gc(store, false);
          }
        }
      }
    }
  }

  private static void tryMergeDeleteSet(DeleteSet ds, StructStore store) {
    // Right to left: efficient, and no merge target is missed.
    for (int p = 0; p < ds.clients.end(); p++) {
      DeleteSet.Ranges ranges = ds.clients.valueAt(p);
      if (ranges == null) {
        continue;
      }
      StructList structs = store.list(ds.clients.keyAt(p));
      for (int di = ranges.count() - 1; di >= 0; di--) {
        int clock = ranges.clock(di);
        int mostRightIndexToCheck = Math.min(structs.size - 1, 1 + structs.findIndex(clock + ranges.len(di) - 1));
        for (int si = mostRightIndexToCheck; si > 0 && structs.get(si).clock >= clock; ) {
          si -= 1 + tryToMergeWithLefts(structs, si);
        }
      }
    }
  }
}
