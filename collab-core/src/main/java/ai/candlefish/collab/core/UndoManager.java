package ai.candlefish.collab.core;

import java.time.Duration;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Undo and redo of one user's changes to some shared types, behaving as Yjs 13.6's {@code Y.UndoManager}: the same
 * document after the same sequence of edits, undos and redos.
 *
 * <pre>{@code
 * UndoManager undo = UndoManager.newBuilder(doc.getText("content"), doc.getMap("settings")).build();
 * text.insert(0, "hello");
 * undo.undo();                 // "hello" is gone
 * undo.redo();                 // and back, as new items of this client
 * }</pre>
 *
 * <p>The manager watches every transaction of its document. A transaction is captured when it changed a type in
 * the scope (or a type nested in one) and its origin is tracked: by default only transactions with a {@code null}
 * origin (what {@link Doc#transact(Consumer)} and the types' own methods use), so updates applied from peers, which
 * carry their provider's origin, are never undone. Changes within {@linkplain Builder#captureTimeout the capture
 * timeout} of the previous one join its stack item; {@link #stopCapturing()} starts a new one.
 *
 * <p>Undo deletes what the stack item inserted and re-creates what it deleted (new items of this document's client,
 * so every replica receives the undo as an ordinary update). It never overwrites a map key that another client set
 * since (unless {@link Builder#ignoreRemoteMapChanges}). Deleted content that an undo may restore is kept from
 * garbage collection until the stack item is cleared.
 *
 * <p>Listeners ({@link #onStackItemAdded}, {@link #onStackItemPopped}, {@link #onStackItemUpdated}) receive the
 * stack item, whose {@link StackItem#meta() meta} map is where editors keep the cursor to restore.
 *
 * <p><b>Threading:</b> not thread-safe; use it on the thread that uses its document. Listeners run on that thread.
 */
public final class UndoManager implements AutoCloseable {
  /** Which stack a stack item came from or went to. */
  public enum Kind {
    /** The undo stack: local changes, or what a redo re-did. */
    UNDO,
    /** The redo stack: what an undo reverted. */
    REDO
  }

  /**
   * One undo step: the insertions and deletions of the transactions captured together. Not thread-safe.
   */
  public static final class StackItem {
    DeleteSet insertions;
    DeleteSet deletions;
    private final Map<Object, Object> meta = new LinkedHashMap<>();

    StackItem(DeleteSet deletions, DeleteSet insertions) {
      this.deletions = deletions;
      this.insertions = insertions;
    }

    /**
     * Free storage for the application, kept with the step through undo and redo (Yjs {@code stackItem.meta}):
     * editors put the selection here when the item is added and restore it when it is popped.
     */
    public Map<Object, Object> meta() {
      return meta;
    }
  }

  /**
   * A stack item added, updated or popped.
   *
   * @param stackItem the stack item
   * @param origin the origin of the transaction that added or updated it; the {@link UndoManager} itself for a
   *     popped item and for items added by undo or redo
   * @param kind for added and updated items, the stack it is on; for popped items, whether it was undone
   *     ({@link Kind#UNDO}) or redone
   * @param changedParentTypes the types the transaction changed and every type they are nested in (Yjs
   *     {@code changedParentTypes}' keys): an editor binding restores its selection only if its type is here. A
   *     type that an observer deleted before its own observers' turn is not here, one deleted later is. Empty in
   *     the popped event of an undo or redo made inside an outer transaction until that transaction ends, as in Yjs
   */
  public record StackItemEvent(StackItem stackItem, @Nullable Object origin, Kind kind,
      Set<SharedType> changedParentTypes) {}

  /** What {@link #clear(boolean, boolean)} cleared. */
  public record StackCleared(boolean undoStackCleared, boolean redoStackCleared) {}

  /**
   * A deleted-by-undo candidate shown to the {@linkplain Builder#deleteFilter delete filter}.
   *
   * @param parent the type the content is in
   * @param key the map key when it is a map entry, else null
   * @param content the values the item holds (characters of text as one-character strings, a nested type, …)
   */
  public record DeletionCandidate(SharedType parent, @Nullable String key, List<@Nullable Object> content) {}

  private final Doc doc;
  private final List<Object> scope = new ArrayList<>();
  private final Set<Object> trackedOrigins;
  private final Predicate<DeletionCandidate> deleteFilter;
  private final Predicate<Transaction> captureTransaction;
  private final boolean ignoreRemoteMapChanges;
  private final long captureTimeoutMillis;
  private final LongSupplier clock;
  final List<StackItem> undoStack = new ArrayList<>();
  final List<StackItem> redoStack = new ArrayList<>();
  private boolean undoing;
  private boolean redoing;
  private StackItem currStackItem;
  private long lastChange;
  private final Listeners<Consumer<StackItemEvent>> added = new Listeners<>();
  private final Listeners<Consumer<StackItemEvent>> updated = new Listeners<>();
  private final Listeners<Consumer<StackItemEvent>> popped = new Listeners<>();
  private final Listeners<Consumer<StackCleared>> cleared = new Listeners<>();
  private final Subscription afterTransaction;

  private UndoManager(Builder b) {
    this.doc = b.doc;
    this.trackedOrigins = new HashSet<>(b.trackedOrigins);
    this.trackedOrigins.add(this);
    this.deleteFilter = b.deleteFilter;
    this.captureTransaction = b.captureTransaction;
    this.ignoreRemoteMapChanges = b.ignoreRemoteMapChanges;
    this.captureTimeoutMillis = b.captureTimeoutMillis;
    this.clock = b.clock;
    scope.addAll(b.scope);
    this.afterTransaction = doc.onAfterTransaction(this::afterTransaction);
  }

  /**
   * A builder for an undo manager over {@code type} and {@code more} (and everything nested in them).
   *
   * @throws IllegalStateException if a type is not part of a document yet
   * @throws IllegalArgumentException if the types belong to different documents
   */
  public static Builder newBuilder(SharedType type, SharedType... more) {
    Objects.requireNonNull(type, "type");
    Builder b = new Builder(type.requireDoc());
    b.scope.add(type);
    for (SharedType t : more) {
      b.scope.add(checkSameDoc(b.doc, t));
    }
    return b;
  }

  /**
   * A builder for an undo manager on {@code doc} over {@code types}, which may be none yet (Yjs
   * {@code new UndoManager([], { doc })}): types added later with {@link #addToScope} are tracked from then on.
   *
   * @throws IllegalStateException if a type is not part of a document yet
   * @throws IllegalArgumentException if a type belongs to another document
   */
  public static Builder newBuilder(Doc doc, Collection<? extends SharedType> types) {
    Objects.requireNonNull(types, "types");
    Builder b = new Builder(Objects.requireNonNull(doc, "doc"));
    for (SharedType t : types) {
      if (!b.scope.contains(checkSameDoc(doc, t))) {
        b.scope.add(t);
      }
    }
    return b;
  }

  /** A builder for an undo manager over every type of {@code doc}. */
  public static Builder newBuilder(Doc doc) {
    Builder b = new Builder(Objects.requireNonNull(doc, "doc"));
    b.scope.add(doc);
    return b;
  }

  private static SharedType checkSameDoc(Doc doc, SharedType t) {
    Objects.requireNonNull(t, "type");
    if (t.requireDoc() != doc) {
      throw new IllegalArgumentException("every type in an undo manager's scope must belong to " + doc
          + ", but one belongs to " + t.doc + "; use one undo manager per document");
    }
    return t;
  }

  /**
   * Extends the scope to {@code types} (types already in it are skipped).
   *
   * @throws IllegalStateException if a type is not part of a document yet
   * @throws IllegalArgumentException if a type belongs to another document
   */
  public void addToScope(SharedType... types) {
    for (SharedType t : types) {
      checkSameDoc(doc, t);
      if (!scopeContains(t)) {
        scope.add(t);
      }
    }
  }

  /**
   * Extends the scope to every type of the document (Yjs {@code addToScope(doc)}).
   *
   * @throws IllegalArgumentException if {@code doc} is not this manager's document
   */
  public void addToScope(Doc doc) {
    if (Objects.requireNonNull(doc, "doc") != this.doc) {
      throw new IllegalArgumentException("an undo manager's scope is within " + this.doc + ", not " + doc);
    }
    if (!scopeContains(doc)) {
      scope.add(doc);
    }
  }

  /** Also captures transactions with this origin (or, if it is a {@link Class}, origins of that class). */
  public void addTrackedOrigin(@Nullable Object origin) {
    trackedOrigins.add(origin);
  }

  /** No longer captures transactions with this origin. */
  public void removeTrackedOrigin(@Nullable Object origin) {
    trackedOrigins.remove(origin);
  }

  /** The document this manager works on. */
  public Doc doc() {
    return doc;
  }

  // ----------------------------------------------------------------------------------------------- capturing

  private boolean scopeContains(Object o) {
    for (Object s : scope) {
      if (s == o) {
        return true;
      }
    }
    return false;
  }

  private boolean inScope(Item item) {
    for (Object s : scope) {
      if (s == doc || (s instanceof SharedType t && Redo.isParentOf(t, item))) {
        return true;
      }
    }
    return false;
  }

  /** Whether the transaction changed a type of the scope or one nested in it (Yjs: its changedParentTypes). */
  private boolean changedScope(Transaction txn) {
    if (scopeContains(doc)) {
      return true;
    }
    for (SharedType t : txn.changedParentTypeKeys()) {
      if (scopeContains(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The keys of Yjs's {@code changedParentTypes} for an event: the types changed in {@code txn} whose observers were
   * called and all their ancestors. As Yjs's map, they are known once the transaction's observers were called: for
   * an undo or redo made inside an outer transaction (or an observer) the set is empty when the popped event is
   * heard, and filled when that transaction ends.
   */
  private static Set<SharedType> changedParentTypes(Transaction txn) {
    if (txn.typeObserversCalled) {
      return txn.changedParentTypeKeys();
    }
    return new AbstractSet<>() {
      @Override
      public Iterator<SharedType> iterator() {
        return txn.changedParentTypeKeys().iterator();
      }

      @Override
      public int size() {
        return txn.changedParentTypeKeys().size();
      }

      @Override
      public boolean contains(Object o) {
        return txn.changedParentTypeKeys().contains(o);
      }
    };
  }

  private boolean isTracked(Object origin) {
    return trackedOrigins.contains(origin) || (origin != null && trackedOrigins.contains(origin.getClass()));
  }

  private void afterTransaction(Transaction txn) {
    if (!captureTransaction.test(txn) || !changedScope(txn) || !isTracked(txn.origin())) {
      return;
    }
    boolean wasUndoing = undoing;
    boolean wasRedoing = redoing;
    List<StackItem> stack = wasUndoing ? redoStack : undoStack;
    if (wasUndoing) {
      stopCapturing(); // the next undo must not join this item
    } else if (!wasRedoing) {
      clear(false, true); // a new change: what was undone can no longer be redone
    }
    DeleteSet insertions = new DeleteSet();
    txn.forEachAddedClientInStoreOrder((client, before) -> {
      int len = txn.afterState(client) - before;
      if (len > 0) {
        insertions.add(client, before, len);
      }
    });
    DeleteSet deletions = txn.deleteSetOrNull() == null ? new DeleteSet() : txn.deleteSetOrNull();
    long now = clock.getAsLong();
    boolean didAdd = false;
    if (lastChange > 0 && now - lastChange < captureTimeoutMillis && !stack.isEmpty() && !wasUndoing && !wasRedoing) {
      StackItem last = stack.get(stack.size() - 1);
      last.deletions = merge(last.deletions, deletions);
      last.insertions = merge(last.insertions, insertions);
    } else {
      stack.add(new StackItem(deletions, insertions));
      didAdd = true;
    }
    if (!wasUndoing && !wasRedoing) {
      lastChange = now;
    }
    // deleted content that an undo may bring back must survive garbage collection
    Redo.iterateDeletedStructs(txn, deletions, s -> {
      if (s instanceof Item item && inScope(item)) {
        Redo.keepItem(item, true);
      }
    });
    StackItemEvent event = new StackItemEvent(stack.get(stack.size() - 1), txn.origin(),
        wasUndoing ? Kind.REDO : Kind.UNDO, changedParentTypes(txn));
    (didAdd ? added : updated).forEach(l -> l.accept(event));
  }

  /** Yjs {@code mergeDeleteSets([a, b])}: clients in order of first appearance, ranges sorted and merged. */
  private static DeleteSet merge(DeleteSet a, DeleteSet b) {
    DeleteSet merged = new DeleteSet();
    merged.addAll(a);
    merged.addAll(b);
    merged.sortAndMerge();
    return merged;
  }

  /**
   * Makes the next captured change start a new stack item instead of joining the last one, whatever the capture
   * timeout.
   */
  public void stopCapturing() {
    lastChange = 0;
  }

  // ------------------------------------------------------------------------------------------------ undo/redo

  /**
   * Undoes the last stack item that still changes something (items whose content is entirely gone are dropped).
   *
   * @return the stack item undone (now on the redo stack), or null if there was nothing to undo
   */
  public @Nullable StackItem undo() {
    undoing = true;
    try {
      return popStackItem(undoStack, Kind.UNDO);
    } finally {
      undoing = false;
    }
  }

  /**
   * Redoes the last undone stack item.
   *
   * @return the stack item redone (now on the undo stack), or null if there was nothing to redo
   */
  public @Nullable StackItem redo() {
    redoing = true;
    try {
      return popStackItem(redoStack, Kind.REDO);
    } finally {
      redoing = false;
    }
  }

  private StackItem popStackItem(List<StackItem> stack, Kind kind) {
    StructStore store = doc.store;
    Transaction[] popTxn = new Transaction[1];
    doc.transact(txn -> {
      popTxn[0] = txn;
      while (!stack.isEmpty() && currStackItem == null) {
        StackItem stackItem = stack.remove(stack.size() - 1);
        Set<Item> itemsToRedo = new LinkedHashSet<>();
        List<Item> itemsToDelete = new ArrayList<>();
        Redo.iterateDeletedStructs(txn, stackItem.insertions, s -> {
          if (s instanceof Item item) {
            AbstractStruct current = item;
            if (item.redone != null) {
              Redo.Followed f = Redo.followRedone(store, item.id());
              current = f.struct();
              if (f.diff() > 0) {
                current = store.getItemCleanStart(txn, current.client, current.clock + f.diff());
              }
            }
            if (current instanceof Item it && !it.isDeleted() && inScope(it)) {
              itemsToDelete.add(it);
            }
          }
        });
        Redo.iterateDeletedStructs(txn, stackItem.deletions, s -> {
          // Never redo what was inserted and deleted within the same stack item.
          if (s instanceof Item item && inScope(item) && !stackItem.insertions.isDeleted(item.client, item.clock)) {
            itemsToRedo.add(item);
          }
        });
        boolean performedChange = false;
        for (Item item : itemsToRedo) {
          performedChange = Redo.redoItem(txn, item, itemsToRedo, stackItem.insertions, ignoreRemoteMapChanges, this)
              != null || performedChange;
        }
        // Children before parents, so that the filter sees the most.
        for (int i = itemsToDelete.size() - 1; i >= 0; i--) {
          Item item = itemsToDelete.get(i);
          if (mayDelete(item)) {
            item.delete(txn);
            performedChange = true;
          }
        }
        currStackItem = performedChange ? stackItem : null;
      }
      // Items were linked in without the search markers knowing: drop the markers of changed lists.
      for (Map.Entry<SharedType, Set<String>> e : txn.changed().entrySet()) {
        if (e.getValue().contains(null) && e.getKey().searchMarkers != null) {
          e.getKey().searchMarkers.clear();
        }
      }
    }, this);
    StackItem result = currStackItem;
    if (result != null) {
      StackItemEvent event = new StackItemEvent(result, this, kind, changedParentTypes(popTxn[0]));
      try {
        popped.forEach(l -> l.accept(event)); // the item is still current here, as in Yjs
      } finally {
        currStackItem = null;
      }
    }
    return result;
  }

  private boolean mayDelete(Item item) {
    if (deleteFilter == null) {
      return true;
    }
    List<Object> content = new ArrayList<>(item.length);
    item.content.collect(content);
    return deleteFilter.test(new DeletionCandidate((SharedType) item.parent, item.parentSub,
        Collections.unmodifiableList(content)));
  }

  /** Whether {@link #undo()} has something to undo. */
  public boolean canUndo() {
    return !undoStack.isEmpty();
  }

  /** Whether {@link #redo()} has something to redo. */
  public boolean canRedo() {
    return !redoStack.isEmpty();
  }

  /** The number of stack items that can be undone. */
  public int undoStackSize() {
    return undoStack.size();
  }

  /** The number of stack items that can be redone. */
  public int redoStackSize() {
    return redoStack.size();
  }

  /**
   * The stack item being undone or redone while its transaction's observers and listeners and the
   * {@link #onStackItemPopped} listeners run (Yjs {@code currStackItem}): an observer whose transaction's origin is
   * this undo manager can read the item's {@link StackItem#meta() meta} there. Null at any other time.
   */
  public @Nullable StackItem currentStackItem() {
    return currStackItem;
  }

  /** Whether an {@link #undo()} is running (listeners of the document may ask). */
  public boolean isUndoing() {
    return undoing;
  }

  /** Whether a {@link #redo()} is running. */
  public boolean isRedoing() {
    return redoing;
  }

  /** Clears both stacks. See {@link #clear(boolean, boolean)}. */
  public void clear() {
    clear(true, true);
  }

  /**
   * Clears the undo stack, the redo stack or both; their deleted content becomes collectable again. Listeners of
   * {@link #onStackCleared} are told (only if a cleared stack was not empty).
   */
  public void clear(boolean clearUndoStack, boolean clearRedoStack) {
    if ((clearUndoStack && canUndo()) || (clearRedoStack && canRedo())) {
      doc.transact(txn -> {
        if (clearUndoStack) {
          undoStack.forEach(item -> release(txn, item));
          undoStack.clear();
        }
        if (clearRedoStack) {
          redoStack.forEach(item -> release(txn, item));
          redoStack.clear();
        }
        StackCleared event = new StackCleared(clearUndoStack, clearRedoStack);
        cleared.forEach(l -> l.accept(event));
      });
    }
  }

  private void release(Transaction txn, StackItem stackItem) {
    Redo.iterateDeletedStructs(txn, stackItem.deletions, s -> {
      if (s instanceof Item item && inScope(item)) {
        Redo.keepItem(item, false);
      }
    });
  }

  // ------------------------------------------------------------------------------------------------ listeners

  /** Calls {@code listener} when a stack item is pushed on either stack (a new step, or what undo/redo made). */
  public Subscription onStackItemAdded(Consumer<StackItemEvent> listener) {
    return added.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Calls {@code listener} when a captured change joins the last stack item (within the capture timeout). */
  public Subscription onStackItemUpdated(Consumer<StackItemEvent> listener) {
    return updated.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Calls {@code listener} when {@link #undo()} or {@link #redo()} applied a stack item (after its transaction). */
  public Subscription onStackItemPopped(Consumer<StackItemEvent> listener) {
    return popped.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Calls {@code listener} when {@link #clear(boolean, boolean)} cleared a stack. */
  public Subscription onStackCleared(Consumer<StackCleared> listener) {
    return cleared.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops watching the document (Yjs {@code destroy()}); the stacks stay as they are. */
  @Override
  public void close() {
    trackedOrigins.remove(this);
    afterTransaction.close();
  }

  /** Builds an {@link UndoManager}. Not thread-safe. */
  public static final class Builder {
    private final Doc doc;
    private final List<Object> scope = new ArrayList<>();
    private Set<Object> trackedOrigins = Collections.singleton(null);
    private Predicate<DeletionCandidate> deleteFilter;
    private Predicate<Transaction> captureTransaction = txn -> true;
    private boolean ignoreRemoteMapChanges;
    private long captureTimeoutMillis = 500;
    private LongSupplier clock = System::currentTimeMillis;

    private Builder(Doc doc) {
      this.doc = doc;
    }

    /**
     * Changes less than this apart join one stack item (default 500 ms, as in Yjs); {@link Duration#ZERO} makes
     * every transaction a step of its own.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder captureTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("captureTimeout must not be negative but was " + timeout);
      }
      this.captureTimeoutMillis = timeout.toMillis();
      return this;
    }

    /**
     * The transaction origins to capture, replacing the default {@code {null}} (the origin of local edits made
     * without one). A {@link Class} in the set captures every origin of that class (as Yjs matches constructors).
     * The manager always tracks itself. Give the origin your editor binding uses, for example.
     */
    public Builder trackedOrigins(Collection<? extends @Nullable Object> origins) {
      Objects.requireNonNull(origins, "origins");
      this.trackedOrigins = new HashSet<>(origins);
      return this;
    }

    /**
     * Decides, per item, whether undo or redo may delete it (default: everything); Yjs {@code deleteFilter}.
     */
    public Builder deleteFilter(Predicate<DeletionCandidate> filter) {
      this.deleteFilter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /** Captures only transactions for which {@code filter} is true (Yjs {@code captureTransaction}). */
    public Builder captureTransaction(Predicate<Transaction> filter) {
      this.captureTransaction = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /**
     * Lets undo overwrite a map key that another client set since (default false: such a key is left alone); Yjs's
     * experimental {@code ignoreRemoteMapChanges}.
     */
    public Builder ignoreRemoteMapChanges(boolean ignore) {
      this.ignoreRemoteMapChanges = ignore;
      return this;
    }

    /** The clock (milliseconds) the capture timeout is measured on (default: the system clock); for tests. */
    public Builder clock(LongSupplier millis) {
      this.clock = Objects.requireNonNull(millis, "millis");
      return this;
    }

    /** The undo manager, watching the document from now on. */
    public UndoManager build() {
      return new UndoManager(this);
    }
  }
}
