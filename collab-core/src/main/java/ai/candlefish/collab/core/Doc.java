package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A collaborative document, wire-compatible with a Yjs 13.6 {@code Y.Doc}: the same updates, byte for byte, but
 * where Yjs's would lose text: a client's first item of length 0 ({@code insertEmbed(i, "")}) with text typed before
 * it, which Yjs leaves out of its state and of the update of the transaction that made it, is written (Yjs reads it).
 *
 * <pre>{@code
 * Doc doc = Doc.create();
 * YText text = doc.getText("content");
 * text.insert(0, "hello");
 * byte[] update = doc.encodeStateAsUpdate();   // send anywhere; another Doc (Java or Yjs) applies it
 * other.applyUpdate(update);
 * }</pre>
 *
 * <p>Changes happen in transactions ({@link #transact}); every API call outside one runs in its own. When the
 * outermost transaction ends, type observers, deep observers, {@link #onAfterTransaction}, {@link #onUpdate} and
 * {@link #onUpdateV2} listeners run, in that order.
 *
 * <p>Updates come in Yjs's two formats: v1 ({@link #encodeStateAsUpdate()}, {@link #applyUpdate(byte[])}), which
 * y-protocols and most providers use, and v2 ({@link #encodeStateAsUpdateV2()}, {@link #applyUpdateV2(byte[])}),
 * which stores fields column by column and is usually smaller. Both carry the same content; {@link Updates}
 * converts between them.
 *
 * <p><b>Threading:</b> a document is not thread-safe. Use it from one thread at a time (a server serializes all
 * work on one document); listeners run on the thread that made the change.
 */
public final class Doc {
  private static final SecureRandom RANDOM = new SecureRandom();

  final StructStore store = new StructStore();
  final Map<String, SharedType> share = new LinkedHashMap<>();
  private final String guid;
  private final boolean gc;
  /** Which deleted items may be collected, or null: all. */
  private final Predicate<DecodedUpdate.Struct> gcFilter;
  private long clientId;
  /**
   * An estimate of the heap the document's structs hold ({@link HeapWeight}), from above: what
   * {@link UpdateLimits#maxDocumentBytes()} bounds. Kept only once an update has been applied within a size limit
   * ({@link #weighing}); then grown by each update integrated, and weighed again from the store when an update would
   * go beyond the limit (items merged, content collected, local edits are not counted as they are made).
   */
  private long heapWeight;
  /** Whether {@link #heapWeight} is kept: a document no limit was ever asked of weighs nothing it integrates. */
  private boolean weighing;

  Transaction transaction;
  /** Transactions started so far (see {@link #quietStamp()}). */
  private long transactionsStarted;
  /** Reused to encode each transaction's update (see UpdateWriter.encodeTransaction). */
  UpdateEncoderV1 transactionEncoder;
  final List<Transaction> transactionCleanups = new ArrayList<>();
  /**
   * The transaction whose per-type observers are being called, else null: a deep observer subscribed meanwhile is
   * owed that transaction's events (see {@link Transaction#deepObserversAdded}).
   */
  Transaction callingObservers;
  /**
   * Tasks waiting for the running transactions to finish (see {@link #defer}); created by the first one (an empty
   * ArrayDeque is 112 bytes, and most documents never defer a task).
   */
  private ArrayDeque<Runnable> deferred;
  private boolean runningDeferred;

  private final Listeners<UpdateListener> updateListeners = new Listeners<>();
  private final Listeners<UpdateListener> updateV2Listeners = new Listeners<>();
  private final Listeners<Consumer<Transaction>> afterTransactionListeners = new Listeners<>();
  private final Listeners<Consumer<Transaction>> beforeTransactionListeners = new Listeners<>();
  private final Listeners<Consumer<Transaction>> beforeObserverCallsListeners = new Listeners<>();
  private final Listeners<Consumer<Transaction>> afterTransactionCleanupListeners = new Listeners<>();
  private final Listeners<Consumer<SubdocsEvent>> subdocsListeners = new Listeners<>();
  private final Listeners<Consumer<Doc>> destroyListeners = new Listeners<>();
  private final Listeners<Consumer<Doc>> beforeAllTransactionsListeners = new Listeners<>();
  private final Listeners<Consumer<List<Transaction>>> afterAllTransactionsListeners = new Listeners<>();

  /** The subdocuments of this document, in the order they were added (Yjs {@code subdocs}). */
  final Set<Doc> subdocs = new LinkedHashSet<>();
  /** The item that holds this document as a subdocument, or null. */
  Item item;
  private boolean shouldLoad;
  private final boolean autoLoad;
  private final Object meta;
  private String collectionId;
  private boolean destroyed;

  private Doc(Builder b) {
    this.clientId = b.clientId >= 0 ? b.clientId : generateClientId();
    this.gc = b.gc;
    this.gcFilter = b.gcFilter;
    this.guid = b.guid != null ? b.guid : UUID.randomUUID().toString();
    this.shouldLoad = b.shouldLoad;
    this.autoLoad = b.autoLoad;
    this.meta = b.meta;
    this.collectionId = b.collectionId;
  }

  /** A new empty document with a random client id and garbage collection on. */
  public static Doc create() {
    return new Builder().build();
  }

  /** A builder for a document with chosen client id, garbage collection and guid. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * The instance a received subdocument reference stands for (Yjs {@code createDocFromOpts}, which spreads the
   * options into {@code new Doc({guid, ...opts, shouldLoad: opts.shouldLoad || opts.autoLoad || false})}): an
   * option that is absent or undefined takes the constructor's default, a {@code guid} option replaces the guid (an
   * undefined one: a random guid, as Yjs), and options Yjs does not know are dropped.
   */
  static Doc subdocument(String guid, Map<String, Object> opts) {
    Builder b = new Builder().guid(guid);
    Object g = opts.get("guid");
    if (g instanceof String s) {
      b.guid(s);
    } else if (g == Undefined.INSTANCE) {
      b.guid = null;
    }
    b.gc = given(opts, "gc") ? truthy(opts.get("gc")) : true;
    b.autoLoad = given(opts, "autoLoad") && truthy(opts.get("autoLoad"));
    b.meta = given(opts, "meta") ? opts.get("meta") : null;
    if (opts.get("collectionid") instanceof String c) {
      b.collectionId = c;
    }
    b.shouldLoad = truthy(opts.get("shouldLoad")) || b.autoLoad;
    return b.build();
  }

  /** Whether a JavaScript destructuring default would not apply: the key is there and not undefined. */
  private static boolean given(Map<String, Object> opts, String key) {
    return opts.containsKey(key) && opts.get(key) != Undefined.INSTANCE;
  }

  /** JavaScript's truthiness of a decoded value. */
  static boolean truthy(@Nullable Object v) {
    if (v == null || v == Undefined.INSTANCE || Boolean.FALSE.equals(v)) {
      return false;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return d != 0 && !Double.isNaN(d);
    }
    return !(v instanceof String str) || !str.isEmpty();
  }

  static long generateClientId() {
    return RANDOM.nextInt() & 0xFFFFFFFFL;
  }

  /** The id under which this document's own changes are recorded (an unsigned 32-bit value). */
  public long clientId() {
    return clientId;
  }

  /** The document's globally unique id (a random UUID unless set on the builder). */
  public String guid() {
    return guid;
  }

  /** Whether deleted content is garbage collected (on by default); off keeps the full history. */
  public boolean isGc() {
    return gc;
  }

  /** The builder's {@link Builder#gcFilter}, or null. */
  Predicate<DecodedUpdate.Struct> gcFilter() {
    return gcFilter;
  }

  /**
   * Whether a provider should sync this document now (Yjs {@code shouldLoad}). True for a document created with
   * the builder (unless {@link Builder#shouldLoad(boolean)} says otherwise); for a subdocument received from a
   * peer, true once {@link #load()} was called or when it was added with {@code autoLoad}.
   */
  public boolean shouldLoad() {
    return shouldLoad;
  }

  /** Whether peers that receive this document as a subdocument load it at once (Yjs {@code autoLoad}). */
  public boolean autoLoad() {
    return autoLoad;
  }

  /** The meta information given on the builder, which peers receive with the subdocument reference; or null. */
  public @Nullable Object meta() {
    return meta;
  }

  /**
   * The collection this document belongs to (Yjs {@code collectionid}), or null. A subdocument without one
   * takes its parent's when added.
   */
  public @Nullable String collectionId() {
    return collectionId;
  }

  /** The document this one is a subdocument of, or null. */
  public @Nullable Doc parentDoc() {
    return item == null ? null : ((SharedType) item.parent).doc;
  }

  /**
   * Asks for this subdocument to be loaded (Yjs {@code load()}): when it is a subdocument not loaded yet, its
   * parent reports it in a {@link SubdocsEvent#loaded()} set, from a transaction of its own. Safe to call more
   * than once.
   */
  public void load() {
    Item holder = item;
    if (holder != null && !shouldLoad) {
      Doc parent = ((SharedType) holder.parent).doc;
      parent.transact(txn -> {
        txn.subdocsLoaded().add(this);
        return null;
      }, null, true);
    }
    shouldLoad = true;
  }

  /** The subdocuments of this document, in the order they were added (an unmodifiable snapshot). */
  public Set<Doc> getSubdocs() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(subdocs));
  }

  /** The guids of {@link #getSubdocs()}. */
  public Set<String> getSubdocGuids() {
    Set<String> out = new LinkedHashSet<>();
    for (Doc d : subdocs) {
      out.add(d.guid);
    }
    return Collections.unmodifiableSet(out);
  }

  /** Whether {@link #destroy()} was called. */
  public boolean isDestroyed() {
    return destroyed;
  }

  /**
   * Destroys this document (Yjs {@code destroy()}): destroys its subdocuments, and if it is itself a subdocument,
   * puts a fresh unloaded instance with the same guid in its place in the parent (the parent reports this one
   * removed and the fresh one added); then calls the {@link #onDestroy} listeners and removes every listener of
   * this document. The content stays readable.
   */
  public void destroy() {
    destroyed = true;
    for (Doc subdoc : new ArrayList<>(subdocs)) {
      subdoc.destroy();
    }
    Item holder = item;
    if (holder != null) {
      item = null;
      // The item may have been deleted and collected (its content is then ContentDeleted): Yjs still makes the
      // fresh instance, which nothing holds.
      ContentDoc content = holder.content instanceof ContentDoc c ? c : null;
      Doc fresh = subdocument(guid, content == null ? Map.of() : content.opts);
      fresh.shouldLoad = false;
      fresh.item = holder;
      if (content != null) {
        content.doc = fresh;
      }
      Doc parent = ((SharedType) holder.parent).doc;
      parent.transact(txn -> {
        if (!holder.isDeleted()) {
          txn.subdocsAdded().add(fresh);
        }
        txn.subdocsRemoved().add(this);
        return null;
      }, null, true);
    }
    try {
      destroyListeners.forEach(l -> l.accept(this));
    } finally {
      updateListeners.clear();
      afterTransactionListeners.clear();
      beforeTransactionListeners.clear();
      beforeObserverCallsListeners.clear();
      afterTransactionCleanupListeners.clear();
      subdocsListeners.clear();
      destroyListeners.clear();
      beforeAllTransactionsListeners.clear();
      afterAllTransactionsListeners.clear();
    }
  }

  void setClientIdFromParent(long clientId) {
    this.clientId = clientId;
  }

  void setCollectionIdFromParent(String collectionId) {
    if (this.collectionId == null) {
      this.collectionId = collectionId;
    }
  }

  // ---------------------------------------------------------------------------------------------------- types

  /**
   * The root text named {@code name}, created on first use.
   *
   * @throws IllegalStateException if {@code name} is already used by a root of another type (an XML text too)
   */
  public YText getText(String name) {
    return getRoot(name, YText.class, YText::new);
  }

  /** The root array named {@code name}, created on first use. @throws IllegalStateException if another type has it */
  public YArray getArray(String name) {
    return getRoot(name, YArray.class, YArray::new);
  }

  /** The root map named {@code name}, created on first use. @throws IllegalStateException if another type has it */
  public YMap getMap(String name) {
    return getRoot(name, YMap.class, YMap::new);
  }

  /**
   * The root XML fragment named {@code name} (what y-prosemirror and TipTap use), created on first use.
   *
   * @throws IllegalStateException if another type has the name (an XML element too)
   */
  public YXmlFragment getXmlFragment(String name) {
    return getRoot(name, YXmlFragment.class, YXmlFragment::new);
  }

  /** The root XML element named {@code name}, created on first use. @throws IllegalStateException if another type has it */
  public YXmlElement getXmlElement(String name) {
    return getRoot(name, YXmlElement.class, () -> new YXmlElement("UNDEFINED"));
  }

  /**
   * The root XML text named {@code name} (Yjs {@code doc.get(name, Y.XmlText)}; Lexical keeps its document in one),
   * created on first use.
   *
   * @throws IllegalStateException if another type has the name
   */
  public YXmlText getXmlText(String name) {
    return getRoot(name, YXmlText.class, YXmlText::new);
  }

  /** The names of the root types this document has (including those only known from received updates). */
  public List<String> rootNames() {
    return List.copyOf(share.keySet());
  }

  private <T extends SharedType> T getRoot(String name, Class<T> kind, Supplier<T> factory) {
    Objects.requireNonNull(name, "name");
    SharedType existing = share.get(name);
    if (existing == null) {
      T t = factory.get();
      t.integrate(this, null);
      t.rootName = name;
      share.put(name, t);
      return t;
    }
    if (existing.getClass() == kind) { // as Yjs compares constructors: an XML text is no text root
      return kind.cast(existing);
    }
    if (existing instanceof UnknownType) {
      // The root was created by a received update before anyone asked for its type: adopt its content.
      T t = factory.get();
      t.integrate(this, null);
      t.rootName = name;
      t.adoptContent(existing);
      share.put(name, t);
      return t;
    }
    throw new IllegalStateException("root type '" + name + "' is a " + existing.getClass().getSimpleName()
        + ", not a " + kind.getSimpleName() + "; use a different name or the existing type");
  }

  SharedType getOrCreateRoot(String name) {
    SharedType t = share.get(name);
    if (t == null) {
      t = new UnknownType();
      t.integrate(this, null);
      t.rootName = name;
      share.put(name, t);
    }
    return t;
  }

  // ---------------------------------------------------------------------------------------------- transactions

  /**
   * Runs {@code changes} in one transaction with a null origin. Nested calls join the outer transaction.
   *
   * @throws RuntimeException whatever {@code changes} or a listener threw; the transaction is still completed
   */
  public void transact(Consumer<Transaction> changes) {
    transact(changes, null);
  }

  /** Runs {@code changes} in one transaction with the given origin (nested calls join the outer transaction). */
  public void transact(Consumer<Transaction> changes, @Nullable Object origin) {
    Objects.requireNonNull(changes, "changes");
    // Not through transact(Function, ...): one lambda less per keystroke.
    boolean initialCall = beginTransaction(origin, true);
    try {
      changes.accept(transaction);
    } finally {
      endTransaction(initialCall);
    }
  }

  /** Like {@link #transact(Consumer)}, returning what {@code changes} returns. */
  public <R extends @Nullable Object> R transactAndGet(Function<Transaction, R> changes) {
    Objects.requireNonNull(changes, "changes");
    return transact(changes, null, true);
  }

  <R> R transact(Function<Transaction, R> f, Object origin, boolean local) {
    boolean initialCall = beginTransaction(origin, local);
    try {
      return f.apply(transaction);
    } finally {
      endTransaction(initialCall);
    }
  }

  /** Starts a transaction unless one is running; returns whether it did (then call {@link #endTransaction}). */
  private boolean beginTransaction(Object origin, boolean local) {
    if (transaction != null) {
      return false;
    }
    transaction = new Transaction(this, origin, local);
    transactionsStarted++;
    transactionCleanups.add(transaction);
    if (transactionCleanups.size() == 1 && !beforeAllTransactionsListeners.isEmpty()) {
      beforeAllTransactionsListeners.forEach(l -> l.accept(this));
    }
    if (!beforeTransactionListeners.isEmpty()) {
      Transaction txn = transaction;
      beforeTransactionListeners.forEach(l -> l.accept(txn));
    }
    return true;
  }

  private void endTransaction(boolean initialCall) {
    if (initialCall) {
      boolean finishCleanup = transaction == transactionCleanups.get(0);
      transaction = null;
      if (finishCleanup) {
        try {
          TransactionCleanup.run(this);
        } finally {
          runDeferred();
        }
      }
    }
  }

  /**
   * Runs {@code task} once the running transaction and every transaction its cleanup started are done (at once if
   * none is running): what Yjs's own helpers do with {@code setTimeout(0)}, so that the changes a task makes are a
   * transaction, and an update, of their own.
   */
  void defer(Runnable task) {
    if (transaction == null && transactionCleanups.isEmpty() && !runningDeferred) {
      task.run();
    } else {
      if (deferred == null) {
        deferred = new ArrayDeque<>();
      }
      deferred.add(task);
    }
  }

  private void runDeferred() {
    if (runningDeferred || deferred == null) {
      return;
    }
    runningDeferred = true;
    try {
      for (Runnable task = deferred.poll(); task != null; task = deferred.poll()) {
        task.run();
      }
    } finally {
      runningDeferred = false;
    }
  }

  /**
   * While no transaction runs or is being cleaned up, the number of transactions started so far; else -1. Every
   * change to the document's structs (integrating, deleting, splitting, merging, collecting an item) happens inside
   * a transaction or its cleanup, so what a reader computed from the document at one stamp is still current while
   * this returns the same stamp (the key of {@link YText#toString()}'s cache).
   */
  long quietStamp() {
    return transaction == null && transactionCleanups.isEmpty() ? transactionsStarted : -1;
  }

  /** Whether a transaction's changes are being processed (observers may ask for event details only then). */
  boolean inCleanup() {
    return !transactionCleanups.isEmpty();
  }

  void regenerateClientId() {
    clientId = generateClientId();
  }

  // ----------------------------------------------------------------------------------------------- listeners

  /** Calls {@code listener} with the Yjs v1 update of every transaction that changed something. */
  public Subscription onUpdate(UpdateListener listener) {
    return updateListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Calls {@code listener} with the Yjs v2 update of every transaction that changed something (Yjs's
   * {@code updateV2} event), after the {@link #onUpdate} listeners. The bytes equal Yjs's for the same transaction.
   */
  public Subscription onUpdateV2(UpdateListener listener) {
    return updateV2Listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Calls {@code listener} after each transaction, once its observers ran (even if nothing changed). */
  public Subscription onAfterTransaction(Consumer<Transaction> listener) {
    return afterTransactionListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Calls {@code listener} when a transaction starts, before its changes are made (Yjs {@code beforeTransaction}). */
  public Subscription onBeforeTransaction(Consumer<Transaction> listener) {
    return beforeTransactionListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Calls {@code listener} when a transaction's changes are complete, before its observers are called (Yjs
   * {@code beforeObserverCalls}).
   */
  public Subscription onBeforeObserverCalls(Consumer<Transaction> listener) {
    return beforeObserverCallsListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Calls {@code listener} after a transaction's observers ran and deleted content was collected and merged,
   * just before its update is emitted (Yjs {@code afterTransactionCleanup}).
   */
  public Subscription onAfterTransactionCleanup(Consumer<Transaction> listener) {
    return afterTransactionCleanupListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Calls {@code listener} after each transaction that added, removed or loaded subdocuments (Yjs
   * {@code subdocs}), after its update was emitted.
   */
  public Subscription onSubdocs(Consumer<SubdocsEvent> listener) {
    return subdocsListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Calls {@code listener} when a transaction starts while no other is being processed (Yjs
   * {@code beforeAllTransactions}): before the {@link #onBeforeTransaction} listeners of the first of a batch of
   * transactions (those that observers start while the first is cleaned up join the batch).
   */
  public Subscription onBeforeAllTransactions(Consumer<Doc> listener) {
    return beforeAllTransactionsListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Calls {@code listener} with the batch of transactions that {@link #onBeforeAllTransactions} opened, in order,
   * once the last of them is cleaned up and its update emitted (Yjs {@code afterAllTransactions}).
   */
  public Subscription onAfterAllTransactions(Consumer<List<Transaction>> listener) {
    return afterAllTransactionsListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  Listeners<Consumer<List<Transaction>>> afterAllTransactionsListeners() {
    return afterAllTransactionsListeners;
  }

  /** Calls {@code listener} when this document is destroyed ({@link #destroy()}). */
  public Subscription onDestroy(Consumer<Doc> listener) {
    return destroyListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  Listeners<Consumer<Transaction>> beforeObserverCallsListeners() {
    return beforeObserverCallsListeners;
  }

  Listeners<Consumer<Transaction>> afterTransactionCleanupListeners() {
    return afterTransactionCleanupListeners;
  }

  Listeners<Consumer<SubdocsEvent>> subdocsListeners() {
    return subdocsListeners;
  }

  /**
   * Whether afterState must be taken when a transaction's cleanup begins: someone may ask for it, also after the
   * queue of cleanups is gone (after-all-transactions listeners).
   */
  boolean wantsAfterState() {
    return !beforeObserverCallsListeners.isEmpty() || !afterTransactionListeners.isEmpty()
        || !afterTransactionCleanupListeners.isEmpty() || !afterAllTransactionsListeners.isEmpty();
  }

  Listeners<UpdateListener> updateListeners() {
    return updateListeners;
  }

  Listeners<UpdateListener> updateV2Listeners() {
    return updateV2Listeners;
  }

  Listeners<Consumer<Transaction>> afterTransactionListeners() {
    return afterTransactionListeners;
  }

  // ----------------------------------------------------------------------------------------------- encoding

  /**
   * The whole document as a Yjs v1 update, byte-identical to Yjs's {@code encodeStateAsUpdate(doc)} but for a
   * client's first items of length 0, which Yjs leaves out (see the class comment).
   */
  public byte[] encodeStateAsUpdate() {
    return UpdateWriter.encodeStateAsUpdate(this, StateVector.empty(), UpdateFormat.V1);
  }

  /**
   * What this document has that a peer with the given state vector lacks, as a Yjs v1 update.
   *
   * @throws DecodingException if {@code stateVector} is malformed
   */
  public byte[] encodeStateAsUpdate(byte[] stateVector) {
    Objects.requireNonNull(stateVector, "stateVector");
    return UpdateWriter.encodeStateAsUpdate(this, peerState(stateVector), UpdateFormat.V1);
  }

  /**
   * A peer's encoded state vector, as far as what it lacks of this document depends on it: only the clients this
   * document has structs of are kept (Yjs's {@code writeClientsStructs} looks at no other), unless structs wait here
   * (their clients count too). A sync step 1 of 100,000s of made-up clients is read, not kept.
   */
  private StateVector peerState(byte[] stateVector) {
    Objects.requireNonNull(stateVector, "stateVector");
    LongPredicate known = store.pending.isEmpty() ? client -> store.list(client) != null : null;
    return StateVector.read(new Lib0Decoder(stateVector), known);
  }

  /** What this document has that a peer with the given state vector lacks. */
  public byte[] encodeStateAsUpdate(StateVector stateVector) {
    Objects.requireNonNull(stateVector, "stateVector");
    return UpdateWriter.encodeStateAsUpdate(this, stateVector, UpdateFormat.V1);
  }

  /**
   * The whole document as a Yjs v2 update, byte-identical to Yjs's {@code encodeStateAsUpdateV2(doc)} but for a
   * client's first items of length 0 (see {@link #encodeStateAsUpdate()}).
   */
  public byte[] encodeStateAsUpdateV2() {
    return UpdateWriter.encodeStateAsUpdate(this, StateVector.empty(), UpdateFormat.V2);
  }

  /**
   * What this document has that a peer with the given encoded state vector lacks, as a Yjs v2 update (Yjs
   * {@code encodeStateAsUpdateV2(doc, stateVector)}; state vectors are the same in both formats).
   *
   * @throws DecodingException if {@code stateVector} is malformed
   */
  public byte[] encodeStateAsUpdateV2(byte[] stateVector) {
    Objects.requireNonNull(stateVector, "stateVector");
    return UpdateWriter.encodeStateAsUpdate(this, peerState(stateVector), UpdateFormat.V2);
  }

  /** What this document has that a peer with the given state vector lacks, as a Yjs v2 update. */
  public byte[] encodeStateAsUpdateV2(StateVector stateVector) {
    Objects.requireNonNull(stateVector, "stateVector");
    return UpdateWriter.encodeStateAsUpdate(this, stateVector, UpdateFormat.V2);
  }

  /** The encoded state vector (Yjs {@code encodeStateVector}). */
  public byte[] encodeStateVector() {
    return store.stateVector().encode();
  }

  /** The state vector of the structs this document holds (pending structs are not counted). */
  public StateVector stateVector() {
    return store.stateVector();
  }

  /** Applies a Yjs v1 update with a null origin. See {@link #applyUpdate(byte[], Object)}. */
  public void applyUpdate(byte[] update) {
    applyUpdate(update, null);
  }

  /**
   * Applies a Yjs v1 update (from Yjs or from another {@code Doc}). Updates may arrive in any order, more than
   * once, or before what they depend on: what cannot be integrated yet is kept pending and integrated when the
   * missing parts arrive.
   *
   * @param origin given to listeners as the transaction's origin (a provider uses it to not echo updates back)
   * @throws DecodingException if the update is malformed; the document is then left exactly as it was
   */
  public void applyUpdate(byte[] update, @Nullable Object origin) {
    applyUpdate(update, origin, UpdateFormat.V1);
  }

  /** Applies a Yjs v2 update with a null origin. See {@link #applyUpdateV2(byte[], Object)}. */
  public void applyUpdateV2(byte[] update) {
    applyUpdateV2(update, null);
  }

  /**
   * Applies a Yjs v2 update (Yjs {@code applyUpdateV2}), with the same guarantees as {@link #applyUpdate(byte[],
   * Object)}: any order, duplicates, missing dependencies kept pending.
   *
   * <p>Run-length encoding lets a few v2 bytes stand for many structs; an update of {@code n} bytes may hold at
   * most {@code max(2^20, 32 n)} structs (far more than real updates hold), so that a small hostile update
   * cannot make the document allocate without bound.
   *
   * @param origin given to listeners as the transaction's origin
   * @throws DecodingException if the update is malformed, holds more structs than that, or an embed or format
   *     value that holds a bigint (which v1 could not carry; see {@link Updates#convertV2ToV1}); the document is
   *     then left exactly as it was
   */
  public void applyUpdateV2(byte[] update, @Nullable Object origin) {
    applyUpdate(update, origin, UpdateFormat.V2);
  }

  private void applyUpdate(byte[] update, Object origin, UpdateFormat format) {
    Objects.requireNonNull(update, "update");
    UpdateReader.Weighing weighed = weighedWithin(weighing ? Long.MAX_VALUE : -1, Long.MAX_VALUE);
    UpdateReader.DecodedUpdate decoded = UpdateReader.decode(update, format, weighed);
    integrate(decoded, origin, Long.MAX_VALUE, weighing ? weightOf(decoded) : 0);
  }

  /**
   * Applies a Yjs v1 update from an untrusted peer, as {@link #applyUpdate(byte[], Object)} but refused whole if it
   * would break one of {@code limits}: nesting shared types deeper than {@link UpdateLimits#maxDepth()}, or making
   * the document hold more than {@link UpdateLimits#maxDocumentBytes()} of memory by an estimate from above. What
   * the document holds counts, not what passed through it: overwritten values and deleted text that were collected,
   * and keystrokes merged into one item, take no room. The update is weighed as it is decoded, within the room the
   * document has left, so that one refused for its weight allocates no more than that room; the other checks run
   * after decoding. Nothing is integrated before every check passed. What the document holds already (a client
   * sending again what arrived before) integrates nothing and takes no room: it is not kept as it is decoded, and
   * only the work of decoding it is bounded, by the whole limit.
   *
   * <p>What an update leaves waiting for updates not received yet is known only while it is integrated: the part
   * that would wait is kept only if {@link #pendingBytes()} stays within {@link UpdateLimits#maxPendingBytes()} with
   * it. Otherwise that part (its structs, or its deletions of structs not received) is dropped, as if it had never
   * arrived, the rest is integrated (nothing integrated depends on what was dropped), and this method returns false:
   * a server closes the sender and does not acknowledge the update; the sender may send it again once what it
   * depends on has arrived.
   *
   * <p>The depth of a type whose ancestors have not arrived yet is counted from the nearest ancestor that has (in
   * this update or the document): a nest sent in pieces out of order can end deeper than the limit, but only as
   * deep as the pending limit lets it wait. Walks of documents ({@code toJson}, {@code toString}, events) do not
   * recurse, so a deep document costs time in proportion to its size, never the stack.
   *
   * @return true if the whole update was integrated or waits; false if a part that would wait was dropped
   * @throws DecodingException if the update is malformed; the document is then left exactly as it was
   * @throws LimitExceededException if the update would break the depth or size limit; the document is then left
   *     exactly as it was
   */
  public boolean applyUpdate(byte[] update, @Nullable Object origin, UpdateLimits limits) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(limits, "limits");
    long max = limits.maxDocumentBytes();
    UpdateReader.DecodedUpdate decoded = decodeWithinRoom(update, max);
    long weight = weighing ? weightOf(decoded) : 0;
    // An update that adds nothing (deletions only) is let through: it is how a document over its limit shrinks.
    if (weight > 0 && heapWeight + weight > max) {
      heapWeight = weighStore();
      if (heapWeight + weight > max) {
        throw new LimitExceededException(LimitExceededException.Limit.DOCUMENT_SIZE, "the update (" + update.length
            + " bytes) would make the document hold about " + (heapWeight + weight) + " bytes of memory, beyond "
            + max + " (it holds about " + heapWeight + ")");
      }
    }
    if (limits.maxDepth() < Integer.MAX_VALUE) {
      ShapeCheck.checkDepth(decoded, store, limits.maxDepth());
    }
    return integrate(decoded, origin, limits.maxPendingBytes(), weight);
  }

  /**
   * A v1 update decoded within the room this document has left under {@code max}, as
   * {@link #applyUpdate(byte[], Object, UpdateLimits)} decodes it (its structs that this document holds are left out).
   *
   * @throws LimitExceededException ({@link LimitExceededException.Limit#DOCUMENT_SIZE}) if its structs weigh more
   */
  UpdateReader.DecodedUpdate decodeWithinRoom(byte[] update, long max) {
    return withinRoom(max, room -> UpdateReader.decode(update, UpdateFormat.V1, weighedWithin(room, max)));
  }

  /**
   * {@link Updates#withoutClients(byte[], Collection)}, decoded within the room this document has left under
   * {@link UpdateLimits#maxDocumentBytes()}, as {@link #applyUpdate(byte[], Object, UpdateLimits)} decodes: what to
   * apply of an untrusted peer's update when those clients' structs are refused. Dropping them means decoding them,
   * so an update whose structs (the dropped ones too) would weigh more than the room is refused as it is read,
   * having allocated about that room, instead of being decoded whole (a Doc for every subdocument reference: a
   * 16 MiB message took a document's thread seconds). Structs the document holds already are left out too (they would
   * integrate nothing), and take no room, as in {@code applyUpdate}. The document does not change.
   *
   * @throws DecodingException if the update is malformed
   * @throws LimitExceededException ({@link LimitExceededException.Limit#DOCUMENT_SIZE}) if the update's structs
   *     weigh more than the room the document has left
   */
  public byte[] withoutClients(byte[] update, Collection<Long> clients, UpdateLimits limits) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(clients, "clients");
    Objects.requireNonNull(limits, "limits");
    long max = limits.maxDocumentBytes();
    return withinRoom(max, room -> Updates.withoutClients(update, clients, weighedWithin(room, max)));
  }

  /**
   * {@code decode} given the room the document has left under {@code max} (see {@link #room}), starting to weigh
   * the document if this is the first time a limit is asked of it. Refused once, it is tried again if weighing the
   * store anew frees room: what the document holds now, merged, collected, and the local edits.
   */
  private <T> T withinRoom(long max, LongFunction<T> decode) {
    if (max != Long.MAX_VALUE && !weighing) {
      heapWeight = weighStore(); // once: what was loaded or edited before a limit was first asked
      weighing = true;
    }
    try {
      return decode.apply(room(max));
    } catch (LimitExceededException e) {
      long before = heapWeight;
      heapWeight = weighStore();
      if (heapWeight >= before) {
        throw e;
      }
      return decode.apply(room(max));
    }
  }

  /**
   * An update weighed by what it adds within {@code room} (-1: not weighed), and by what this document holds already
   * (a client sending again what arrived before: it integrates nothing) within {@code max}, the most a whole
   * document may hold.
   */
  private UpdateReader.Weighing weighedWithin(long room, long max) {
    return room < 0 ? null : new UpdateReader.Weighing(room, store, max);
  }

  /**
   * What an update may still add to the heap the document holds under {@code max}: the budget it is decoded
   * within, so that an update refused for its weight allocates no more than the room that was left (-1: a document
   * not {@link #weighing} is decoded without weighing).
   */
  private long room(long max) {
    return !weighing ? -1 : max == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, max - heapWeight);
  }

  private boolean integrate(UpdateReader.DecodedUpdate decoded, Object origin, long maxPending, long weight) {
    return transact(txn -> {
      // As Yjs's readUpdate: a local transaction that an update joins becomes a remote one.
      txn.local = false;
      boolean kept = UpdateReader.integrate(txn, decoded, maxPending);
      if (txn.hasChanges()) {
        heapWeight += weight;
      }
      return kept;
    }, origin, false);
  }

  /**
   * What integrating {@code decoded} may add to the heap the document holds, at most ({@link HeapWeight}): its
   * structs (weighed while it was decoded), the clients and root types new to the document.
   */
  private long weightOf(UpdateReader.DecodedUpdate decoded) {
    long weight = decoded.weight();
    Set<String> newRoots = null;
    for (AbstractStruct[] block : decoded.blocks()) {
      if (store.list(block[0].client) == null) {
        weight += HeapWeight.CLIENT;
      }
      for (AbstractStruct s : block) {
        if (s instanceof Item item && item.parent instanceof String root && !share.containsKey(root)) {
          if (newRoots == null) {
            newRoots = new HashSet<>();
          }
          if (newRoots.add(root)) {
            weight += HeapWeight.ROOT + HeapWeight.of(root);
          }
        }
      }
    }
    return weight;
  }

  /** The heap the document's structs and root types hold now, by {@link HeapWeight}'s estimate. */
  private long weighStore() {
    long weight = 0;
    for (int c = 0; c < store.clientCount(); c++) {
      StructList l = store.listAt(c);
      weight += HeapWeight.CLIENT;
      for (int i = 0; i < l.size; i++) {
        weight += HeapWeight.of(l.get(i));
      }
    }
    for (String root : share.keySet()) {
      weight += HeapWeight.ROOT + HeapWeight.of(root);
    }
    return weight;
  }

  /** Whether received structs or deletions wait for updates that have not arrived yet. */
  public boolean hasPendingUpdates() {
    return !store.pending.isEmpty();
  }

  /**
   * An estimate of the memory held by what waits for updates that have not arrived yet, in bytes (0 when nothing
   * waits): the encoded size of the waiting structs plus about 100 bytes per waiting struct, and about 100 bytes per
   * client and 8 per range of waiting deletions. What {@link UpdateLimits#maxPendingBytes()} bounds.
   */
  public long pendingBytes() {
    return store.pending.weight();
  }

  /**
   * Root types and their JSON-like values, as Yjs's {@code doc.toJSON()} (roots of unknown type are skipped), in a
   * JavaScript object's key order (names that are array indexes first, by value).
   */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, SharedType> e : share.entrySet()) {
      // Yjs's doc[name] = json: a root named "__proto__" is not an entry (see JsObjects.PROTO)
      if (!(e.getValue() instanceof UnknownType) && !e.getKey().equals(JsObjects.PROTO)) {
        out.put(e.getKey(), e.getValue().toJson());
      }
    }
    return JsObjects.ordered(out);
  }

  @Override
  public String toString() {
    return "Doc{guid=" + guid + ", clientId=" + clientId + "}";
  }

  /** Builds a {@link Doc}. Not thread-safe. */
  public static final class Builder {
    private long clientId = -1;
    private boolean gc = true;
    private Predicate<DecodedUpdate.Struct> gcFilter;
    private String guid;
    private boolean shouldLoad = true;
    private boolean autoLoad;
    private Object meta;
    private String collectionId;

    private Builder() {}

    /** Whether a provider should sync the document now (default true; see {@link Doc#shouldLoad()}). */
    public Builder shouldLoad(boolean shouldLoad) {
      this.shouldLoad = shouldLoad;
      return this;
    }

    /** Whether peers that receive the document as a subdocument load it at once (default false). */
    public Builder autoLoad(boolean autoLoad) {
      this.autoLoad = autoLoad;
      return this;
    }

    /**
     * Meta information that peers receive with the document when it is a subdocument (a JSON-like value).
     *
     * @throws IllegalArgumentException if the value cannot be stored in a document
     */
    public Builder meta(@Nullable Object meta) {
      this.meta = meta == null ? null : Values.checkJson(meta);
      return this;
    }

    /** The collection the document belongs to (Yjs {@code collectionid}); null: none. */
    public Builder collectionId(@Nullable String collectionId) {
      this.collectionId = collectionId;
      return this;
    }

    /**
     * The client id for this document's changes. Two documents that edit concurrently must never share one.
     *
     * @throws IllegalArgumentException if negative or above 2^53 - 1 (what Yjs can encode)
     */
    public Builder clientId(long clientId) {
      if (clientId < 0 || clientId > (1L << 53) - 1) {
        throw new IllegalArgumentException("clientId must be in [0, 2^53 - 1] but was " + clientId);
      }
      this.clientId = clientId;
      return this;
    }

    /** Whether deleted content is garbage collected (default true). */
    public Builder gc(boolean gc) {
      this.gc = gc;
      return this;
    }

    /**
     * Which deleted items garbage collection may collect (Yjs {@code gcFilter}; default: all): at the end of each
     * transaction, every item it deleted (not the content of a deleted type, which goes with it) is offered to
     * {@code filter}, described as {@link Updates#decode} describes structs, with its parent always given; those it
     * refuses stay whole, as in a document without garbage collection. Runs on the document's thread, once per
     * deleted item and transaction, so keep it cheap; it must not change the document. Only for documents with
     * {@link #gc(boolean)} on.
     *
     * @throws NullPointerException if {@code filter} is null
     */
    public Builder gcFilter(Predicate<DecodedUpdate.Struct> filter) {
      this.gcFilter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /** The document's guid (default: a random UUID). @throws NullPointerException if null */
    public Builder guid(String guid) {
      this.guid = Objects.requireNonNull(guid, "guid");
      return this;
    }

    public Doc build() {
      return new Doc(this);
    }
  }
}
