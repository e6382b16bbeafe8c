package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.awareness.AwarenessChange;
import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.LimitExceededException;
import ai.candlefish.collab.core.StateVector;
import ai.candlefish.collab.core.Transaction;
import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.LogContext;
import ai.candlefish.collab.server.internal.HookCalls.DocumentHook;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.sync.SyncMessage;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One document in memory: its {@link Doc}, its awareness, the clients that have it open, and its storage.
 *
 * <p>Life: created by {@link DocumentRegistry#acquire} in state LOADING, with its executor paused; the stored
 * updates are read on the store executor and applied to a fresh {@code Doc}, and only then does the executor run
 * what queued up meanwhile (attachments of clients, their messages, host calls). No client is served before the
 * stored state is in memory. A failed load refuses every queued client, stores nothing, and drops this instance
 * from the registry so that the next client tries again. After the last user leaves and the unload delay passes,
 * everything is stored (and compacted) and the registry drops the instance, unless a user came back meanwhile.
 *
 * <p>Threads: everything below the constructor belongs to the document's serial executor ({@link #lane()}), which
 * runs on one event loop (or the documents' pool, see {@link ServerRuntime#documentExecutor}); public methods only
 * queue work there. Store I/O runs on a second serial executor over the blocking pool, but for the in-memory store
 * ({@link #storeLane()}). On an event loop, the document calls the host's hooks, which may block, on a third one over
 * the hooks' pool ({@link #callHook}, {@link #callHookLater}), if the server has one.
 */
public final class SharedDocument {
  private static final Logger log = LoggerFactory.getLogger(SharedDocument.class);
  /** The store lane of a store that never blocks: its calls run on the calling thread. */
  private static final Executor INLINE = Runnable::run;

  /** How long a document in a cluster waits for the store to say who owns a new client id. */
  private static final Duration CLAIM_WAIT = Duration.ofSeconds(5);
  /**
   * How often a client's repeated sync step 1, and its query for the presence, is answered at most (see
   * {@link #repeatedStep1}).
   */
  static final long REPEATED_ANSWER_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** What one client's stateless messages may hold while they wait for {@code onStateless} (see {@link #onStateless}). */
  static final long MAX_STATELESS_WAITING_PER_CLIENT = 1 << 20; // the close reasons say 1 MiB
  /** What all clients' stateless messages may hold while they wait for {@code onStateless}, per document. */
  static final long MAX_STATELESS_WAITING = 8 << 20; // and 8 MiB
  private enum State { LOADING, READY, FAILED, UNLOADED }

  private final DocumentKey key;
  private final ServerRuntime runtime;
  private final SerialExecutor lane;
  private final Executor storeLane;
  /** Where this document calls its hooks one at a time, on the hooks' pool; null: on {@link #lane}, in the task. */
  private final SerialExecutor hookLane;
  /** What clients' stateless messages waiting for {@code onStateless} hold, in bytes; see {@link #onStateless}. */
  private final AtomicLong statelessWaiting = new AtomicLong();
  /** Awareness changes waiting for {@code onAwareness}, merged into one call. */
  private final AwarenessChanges awarenessChanges = new AwarenessChanges();
  /** Whether a call of {@code onStore} waits (it says everything up to then is stored: one is enough). */
  private final AtomicBoolean storeHookWaiting = new AtomicBoolean();
  private final StoreWriter writer;
  /** Where this document meets the other nodes of a cluster; null for a server on its own. */
  final ClusterLink cluster;
  private final CompletableFuture<Void> loaded = new CompletableFuture<>();

  // Changed only inside the registry's compute() for this key.
  int users;
  long lastReleaseNanos;

  private State state = State.LOADING;
  private Doc doc;
  private Awareness awareness;
  private final Set<DocumentSession> sessions = new LinkedHashSet<>();
  /**
   * Lane-confined: {@link #sessions} grouped by {@link Peer#sendExecutor}, what a broadcast walks; null after a
   * session came or went, until the next broadcast groups them again. Grouping them afresh for every broadcast (an
   * {@code IdentityHashMap}, a list per executor) was 7 % of the event loops' user time at medium (RESULTS.md,
   * "Server CPU, round 8").
   */
  private Receivers[] receivers;
  private final Map<Long, DocumentSession> awarenessOwners = new HashMap<>();
  /** Awareness clients changed since the last presence broadcast, and whether one is scheduled. */
  private final Set<Long> awarenessChanged = new LinkedHashSet<>();
  private boolean awarenessFlushScheduled;
  /** The document's presence budget: clients' awareness updates beyond it are coalesced per client session. */
  private final AwarenessCoalescer<DocumentSession> awarenessBudget;

  /**
   * Lane-confined: whether the update being applied also completes updates that other clients sent earlier (they
   * waited in the document for a piece it lacked): then its sender gets the resulting update too, or it would never
   * see theirs.
   */
  private boolean echoToOrigin;
  /** Lane-confined: when the document last went from nothing waiting to something waiting; 0: nothing waits. */
  private long pendingSinceNanos;
  /**
   * Lane-confined: the principal id each Yjs client id belongs to (the first principal that wrote with it), as the
   * store keeps it. The server's own edits ({@link DocumentHandle}) are under the document's client id, which no
   * client may write with.
   */
  private final Map<Long, String> clientOwners = new HashMap<>();
  /**
   * Lane-confined: the first state last encoded for a joining client, shared with the joiners queued behind it that
   * sent the same state vector (see {@link #sendInitialState}); null once the document was in a transaction since.
   */
  private InitialState initial;

  /** A first state: the state vector it answers, and its step 2 encoded once per wire protocol. */
  private record InitialState(byte[] stateVector, SharedFrames step2) {}

  /** @param executor where the document's serial executor runs ({@link ServerRuntime#documentExecutor}) */
  SharedDocument(DocumentKey key, ServerRuntime runtime, Executor executor) {
    this.key = key;
    this.runtime = runtime;
    Map<String, String> logContext = Map.of(LogContext.TENANT, key.tenant(), LogContext.DOCUMENT, key.name());
    this.lane = new SerialExecutor(executor, "document " + key, true, logContext);
    this.storeLane = storesInline(runtime) ? INLINE
        : new SerialExecutor(runtime.blockingPool(), "store " + key, false, logContext);
    this.hookLane = runtime.hookPool() == null ? null
        : new SerialExecutor(runtime.hookPool(), "hooks " + key, false, logContext);
    this.cluster = runtime.cluster() == null ? null : new ClusterLink(this, runtime.cluster());
    this.writer = new StoreWriter(this, runtime);
    ServerConfig config = runtime.config();
    this.awarenessBudget = new AwarenessCoalescer<>(config.documentAwareness, System.nanoTime());
  }

  public DocumentKey key() {
    return key;
  }

  /** Completes when the stored state is in memory, or exceptionally with the store's failure. */
  public CompletableFuture<Void> loaded() {
    return loaded;
  }

  SerialExecutor lane() {
    return lane;
  }

  /**
   * Where the document's store calls run, one at a time and in order: a serial executor over the blocking pool, or,
   * for {@link InMemoryDocumentStore} on a server on its own, the calling thread (the document's, but for the load).
   * The in-memory store answers at once and never blocks, and its writes were the most frequent hand-offs of a
   * document that acknowledges updates (Hocuspocus, collab/1): a write that is due at once went document thread ->
   * blocking pool -> document thread before its acknowledgement, two thread wake-ups per acknowledged update.
   */
  Executor storeLane() {
    return storeLane;
  }

  /**
   * Where store work that takes time runs: the {@link #storeLane()}, but never the calling thread. For an inline lane
   * that is the blocking pool: a load decodes everything stored, and a write's merge takes as long as its batch is
   * long (a busy document's 10 s of updates held its event loop, and every document on it, for up to a second).
   */
  Executor slowStoreLane() {
    return storeLane == INLINE ? runtime.blockingPool() : storeLane;
  }

  /** Whether store calls run on the calling thread ({@link #storeLane()}). */
  private static boolean storesInline(ServerRuntime runtime) {
    return runtime.config().store() instanceof InMemoryDocumentStore && runtime.cluster() == null;
  }

  ServerRuntime runtime() {
    return runtime;
  }

  Doc doc() {
    return doc;
  }

  // ------------------------------------------------------------------------------------------------------ loading

  private record Loaded(Doc doc, int pieces, long bytes, Map<Long, String> clientOwners, RuntimeException failure) {}

  void startLoad() {
    slowStoreLane().execute(() -> {
      long start = System.nanoTime();
      ServerObservations.Observed observed = runtime.observations().start(ServerObservations.Work.LOAD, null, key, -1);
      Loaded result = load();
      runtime.metrics().documentLoaded(System.nanoTime() - start, result.failure == null);
      observed.stop(result.failure == null ? "success" : "failure", result.failure);
      lane.resume(() -> onLoaded(result));
    });
  }

  private Loaded load() {
    if (cluster != null) {
      try {
        cluster.join(); // before the load: the other nodes' updates are read from this position on
      } catch (RuntimeException e) {
        return new Loaded(null, 0, 0, null, e);
      }
    }
    return load0();
  }

  private Loaded load0() {
    try {
      StoredDocument stored = runtime.config().store().load(key);
      if (stored == null) {
        throw new StoreException("the store returned null for " + key);
      }
      Doc d = Doc.create();
      int i = 0;
      long bytes = 0;
      for (byte[] update : stored.updates()) {
        bytes += update.length;
        try {
          d.applyUpdate(update);
        } catch (DecodingException e) {
          throw new StoreException("stored update " + i + " of " + key + " is not a Yjs update", e);
        }
        i++;
      }
      Map<Long, String> owners = runtime.config().store().loadClientOwners(key);
      if (owners == null) {
        throw new StoreException("the store returned null client owners for " + key);
      }
      return new Loaded(d, stored.updateCount(), bytes, owners, null);
    } catch (RuntimeException e) {
      return new Loaded(null, 0, 0, null, e);
    }
  }

  private void onLoaded(Loaded result) {
    if (result.failure != null) {
      state = State.FAILED;
      log.error("cannot load document {}; its clients are refused until a load succeeds", key, result.failure);
      runtime.registry().removeFailed(this);
      if (cluster != null) {
        cluster.leave();
        storeLane.execute(cluster::release);
      }
      loaded.completeExceptionally(result.failure);
      return;
    }
    doc = result.doc;
    clientOwners.putAll(result.clientOwners);
    pendingSinceNanos = doc.hasPendingUpdates() ? System.nanoTime() : 0;
    awareness = new Awareness(doc);
    // The server forgets clients gone for the awareness timeout (y-protocols keeps each id's clock for good: a client
    // that sent removals of made-up ids grew the document's memory until it unloaded) and ignores states over the
    // limit (refused before, a whole update at a time).
    awareness.limitRemote(Integer.MAX_VALUE, runtime.config().maxAwarenessStateBytes());
    awareness.setLocalState(null);
    doc.onUpdate(this::onDocUpdate);
    // Any transaction may change what a first state holds, one that only adds to what waits for missing updates
    // too (it fires no update event): a shared first state is never older than the last transaction.
    doc.onBeforeTransaction(txn -> initial = null);
    awareness.onUpdate(this::onAwarenessUpdate);
    if (runtime.hooks().wants(DocumentHook.AWARENESS)) {
      awareness.onChange(change -> {
        if (awarenessChanges.add(change)) {
          callHookLater(DocumentHook.AWARENESS, () -> runtime.hooks().onAwareness(key, awarenessChanges.take()));
        }
      });
    }
    state = State.READY;
    if (cluster != null) {
      cluster.start();
    }
    writer.loaded(result.pieces, result.bytes);
    callHook(DocumentHook.LOAD, () -> runtime.hooks().onLoad(key, doc), () -> loaded.complete(null));
  }

  // ------------------------------------------------------------------------------------------------------- hooks

  /**
   * Calls a hook that is given the document ({@code onLoad}, {@code onChange}: {@code call}), then runs {@code then}:
   * here and now, or, where the document calls its hooks on the hooks' pool, there, once the running task returns,
   * after this document's earlier hook calls, while the document runs nothing else (the hook may read and change the
   * {@code Doc}); {@code then} runs back on the document's thread before anything queued. Call it last in a task of
   * the lane, at most once per task.
   */
  void callHook(DocumentHook hook, Runnable call, Runnable then) {
    if (!runtime.hooks().wants(hook)) {
      then.run();
    } else if (hookLane == null) {
      call.run();
      then.run();
    } else {
      lane.handOff(hookLane, call, then);
    }
  }

  /**
   * Calls a hook that is not given the document ({@code onStore}, {@code onAwareness}, {@code onStateless},
   * {@code onUnload}): here and now, or queued on the hooks' pool behind this document's earlier hook calls while
   * the document goes on. Either way the document's hooks run one at a time, in the order it called them.
   */
  void callHookLater(DocumentHook hook, Runnable call) {
    if (!runtime.hooks().wants(hook)) {
      return;
    }
    if (hookLane == null) {
      call.run();
    } else {
      hookLane.execute(call);
    }
  }

  /** Tells {@code onStore} that everything up to now is stored, unless a call that will say so waits already. */
  void callStoreHook() {
    if (runtime.hooks().wants(DocumentHook.STORE) && storeHookWaiting.compareAndSet(false, true)) {
      callHookLater(DocumentHook.STORE, () -> {
        storeHookWaiting.set(false); // a store that completes while the hook runs gets a call of its own
        runtime.hooks().onStore(key);
      });
    }
  }

  // ------------------------------------------------------------------------------------------------- sessions

  /** Lets {@code session} in once the document is loaded: sends it the server's sync step 1 and awareness. */
  public void attach(DocumentSession session) {
    lane.execute(() -> {
      if (state != State.READY) {
        session.peer.refuse(session, CloseCodes.UNAVAILABLE, "document unavailable, try again later");
        return;
      }
      sessions.add(session);
      receivers = null;
      session.attached = true;
      // Dropped by protocols that have no way to say it (y-websocket).
      session.peer.send(new ServerMessage.Authenticated(key.name(), !session.permission.canWrite()));
      session.peer.send(ServerMessage.Sync.step1(key.name(), doc.encodeStateVector()));
      List<Long> present = awareness.clientsWithState();
      if (!present.isEmpty()) {
        session.peer.send(new ServerMessage.Awareness(key.name(), awareness.encodeUpdate(present)));
      }
    });
  }

  /**
   * {@code session}'s client sent a fresh token, which grants {@code permission}: what it sends from now on is held
   * to that. An attached client hears its permission again ({@link ServerMessage.Authenticated}) if it changed, or
   * if {@code answer} (the protocol answers every fresh token per document); one not attached yet hears it when it
   * is. Any thread.
   */
  public void permit(DocumentSession session, Permission permission, boolean answer) {
    lane.execute(() -> {
      boolean changed = session.permission != permission;
      session.permission = permission;
      if (session.attached && (changed || answer)) {
        session.peer.send(new ServerMessage.Authenticated(key.name(), !permission.canWrite()));
      }
    });
  }

  /** Handles a message of {@code session}'s client, then runs {@code done} (on the document's thread). */
  public void submit(DocumentSession session, ClientMessage message, Runnable done) {
    lane.execute(() -> {
      try {
        if (session.attached) {
          handle(session, message);
        }
      } finally {
        done.run();
      }
    });
  }

  /** Removes {@code session} (its client left), removes its awareness states, and releases the document. */
  public void detach(DocumentSession session) {
    lane.execute(() -> {
      drop(session);
      runtime.registry().release(this);
    });
  }

  private void handle(DocumentSession session, ClientMessage message) {
    try {
      if (message instanceof ClientMessage.Sync sync) {
        onSync(session, sync);
      } else if (message instanceof ClientMessage.Awareness a) {
        if (a.update().length > runtime.config().maxAwarenessStateBytes()) {
          fail(session, CloseCodes.MESSAGE_TOO_BIG, "awareness update larger than "
              + runtime.config().maxAwarenessStateBytes() + " bytes");
          return;
        }
        if (!awarenessBudget.tryPass(session, a.update().length, System.nanoTime())) {
          holdAwareness(session, a.update());
          return;
        }
        applyPresence(session, a.update());
      } else if (message instanceof ClientMessage.QueryAwareness) {
        queryAwareness(session);
      } else if (message instanceof ClientMessage.Stateless s) {
        onStateless(session, s.payload());
      }
    } catch (DecodingException e) {
      fail(session, CloseCodes.PROTOCOL_ERROR, "malformed " + describe(message) + ": " + e.getMessage());
    } catch (LimitExceededException e) {
      fail(session, closeCode(e.limit()), "update refused: " + e.getMessage());
    } catch (RuntimeException e) {
      log.error("document {}: handling a {} failed", key, describe(message), e);
      fail(session, CloseCodes.INTERNAL_ERROR, "internal error");
    }
  }

  /**
   * Hands a client's stateless message to {@code onStateless}, or closes the client with 1013 if its messages, or
   * all of the document's, already wait for that hook beyond {@link #MAX_STATELESS_WAITING_PER_CLIENT} or {@link
   * #MAX_STATELESS_WAITING}: on the hooks' pool they wait behind a slow hook, and a client that sent large ones in a
   * loop grew the heap without end. A message is taken while below the bounds, so one larger still goes through.
   */
  private void onStateless(DocumentSession session, String payload) {
    if (!runtime.hooks().wants(DocumentHook.STATELESS)) {
      return;
    }
    boolean clientOver = session.statelessWaiting() >= MAX_STATELESS_WAITING_PER_CLIENT;
    if (clientOver || statelessWaiting.get() >= MAX_STATELESS_WAITING) {
      fail(session, CloseCodes.TRY_AGAIN_LATER, "stateless messages sent faster than the server's hook takes them"
          + (clientOver ? " (over 1 MiB waiting)" : " (over 8 MiB waiting in the document)"));
      return;
    }
    // A string holds up to two bytes a character; the task, its lambda and the queue's node about 100 more.
    long bytes = 2L * payload.length() + 128;
    session.addStatelessWaiting(bytes);
    statelessWaiting.addAndGet(bytes);
    Permission permission = session.permission;
    callHookLater(DocumentHook.STATELESS, () -> {
      try {
        runtime.hooks().onStateless(key, session.connection, session.principal, permission, payload);
      } finally {
        session.addStatelessWaiting(-bytes);
        statelessWaiting.addAndGet(-bytes);
      }
    });
  }

  private static int closeCode(LimitExceededException.Limit limit) {
    return switch (limit) {
      case DEPTH -> CloseCodes.NESTING_TOO_DEEP;
      case DOCUMENT_SIZE -> CloseCodes.DOCUMENT_TOO_LARGE;
      case PENDING -> CloseCodes.TOO_MUCH_PENDING;
    };
  }

  /**
   * Answers a sync step 1 after the first (y-websocket's resync, Hocuspocus's {@code forceSync}) at most once per
   * {@link #REPEATED_ANSWER_INTERVAL_NANOS}: those that come sooner wait, and the last of them is answered then. Each
   * answer encodes the document's whole state past the client's state vector: a client that sent a few bytes of
   * step 1 in a loop and read the replies kept the document's thread encoding (a 4 MB document: 675 replies in 15 s,
   * the other clients' edits 1-6 s late).
   */
  private void repeatedStep1(DocumentSession session, byte[] stateVector) {
    long now = System.nanoTime();
    long wait = session.nextStep1At - now;
    if (session.nextStep1At != 0 && wait > 0) {
      boolean scheduled = session.deferredStep1 != null;
      session.deferredStep1 = stateVector;
      if (!scheduled) {
        later(wait, () -> answerDeferredStep1(session));
      }
      return;
    }
    session.nextStep1At = (now + REPEATED_ANSWER_INTERVAL_NANOS) | 1; // never 0, which means "at once"
    session.peer.send(ServerMessage.Sync.step2(key.name(), doc.encodeStateAsUpdate(stateVector)));
    if (session.policy.answersRepeatedStep1WithStep1()) {
      session.peer.send(ServerMessage.Sync.step1(key.name(), doc.encodeStateVector()));
    }
  }

  /**
   * Answers a client's query for the presence (y-websocket's message 3, Hocuspocus's query-awareness) at most once per
   * {@link #REPEATED_ANSWER_INTERVAL_NANOS}, as {@link #repeatedStep1}: each answer encodes every client's state (up
   * to megabytes), a client that asked in a loop and read the answers kept the document's thread encoding.
   */
  private void queryAwareness(DocumentSession session) {
    long now = System.nanoTime();
    long wait = session.nextAwarenessQueryAt - now;
    if (session.nextAwarenessQueryAt != 0 && wait > 0) {
      if (!session.awarenessQueryDeferred) {
        session.awarenessQueryDeferred = true;
        later(wait, () -> {
          session.awarenessQueryDeferred = false;
          if (session.attached) {
            queryAwareness(session);
          }
        });
      }
      return;
    }
    session.nextAwarenessQueryAt = (now + REPEATED_ANSWER_INTERVAL_NANOS) | 1;
    session.peer.send(new ServerMessage.Awareness(key.name(), awareness.encodeUpdate(awareness.clientsWithState())));
  }

  /** Runs {@code task} on the document's thread in {@code nanos}; not at all once the server is closing. */
  private void later(long nanos, Runnable task) {
    try {
      runtime.timer().schedule(() -> lane.execute(task), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      // the server is closing: the client asks again when it reconnects
    }
  }

  /**
   * Sends a joining client the document's state past {@code stateVector}, encoded once for a burst of joiners: 50
   * clients opening a 20 MB document at once each cost the document's thread an encoding of the whole state and
   * the server a 20 MB frame each (RESULTS.md, "Load probes"; 49 of them got it after p50 73.6 s). The joiners
   * queued on the lane behind the first one, with the same state vector (fresh clients: the empty one), get the
   * same bytes and the same frame per protocol, as long as no transaction ran in between: the bytes are then what
   * an encoding of their own would be, and hold everything acknowledged before. A joiner that comes after the
   * burst (the lane ran the task queued behind the encoding) encodes afresh. A peer that would copy the frame (see
   * {@link Peer#writesSharedFrames}) gets an encoding of its own, as before.
   */
  private void sendInitialState(DocumentSession session, byte[] stateVector) {
    if (!session.peer.writesSharedFrames()) {
      session.peer.sendInitial(ServerMessage.Sync.step2(key.name(), doc.encodeStateAsUpdate(stateVector)));
      return;
    }
    InitialState shared = initial;
    if (shared != null && Arrays.equals(shared.stateVector(), stateVector)) {
      session.peer.sendInitial(shared.step2());
      return;
    }
    byte[] update = doc.encodeStateAsUpdate(stateVector);
    InitialState made = new InitialState(stateVector.clone(),
        new SharedFrames(ServerMessage.Sync.step2(key.name(), update), 1));
    initial = made;
    // Behind the joiners that queued up while this one was encoded: they are the burst. (Queued first, so that the
    // frames are released whatever the send below does; it cannot run before this task ends.)
    lane.execute(new SerialExecutor.Rejectable() {
      @Override
      public void run() {
        forget(made);
      }

      @Override
      public void rejected() {
        forget(made);
      }
    });
    session.peer.sendInitial(made.step2());
  }

  /** The burst that {@code made} was encoded for has been served: its frames go once the joiners have sent them. */
  private void forget(InitialState made) {
    if (initial == made) {
      initial = null;
    }
    made.step2().done();
  }

  private void answerDeferredStep1(DocumentSession session) {
    byte[] stateVector = session.deferredStep1;
    session.deferredStep1 = null;
    if (stateVector != null && session.attached) {
      repeatedStep1(session, stateVector);
    }
  }

  private static String describe(ClientMessage message) {
    if (message instanceof ClientMessage.Sync sync) {
      return sync.type() == SyncMessage.STEP1 ? "sync step 1" : sync.type() == SyncMessage.STEP2 ? "sync step 2"
          : "update";
    }
    return message instanceof ClientMessage.Awareness ? "awareness update" : "message";
  }

  private void onSync(DocumentSession session, ClientMessage.Sync sync) {
    if (sync.type() == SyncMessage.STEP1) {
      if (session.initialStateSent) {
        repeatedStep1(session, sync.payload());
        return;
      }
      session.initialStateSent = true;
      sendInitialState(session, sync.payload());
      if (writer.isFailing() && session.policy.tellsStoreStatus()) {
        session.peer.send(new ServerMessage.StoreStatus(key.name(), true));
      }
      return;
    }
    if (!session.permission.canWrite()) {
      // A read-only client answers our step 1 too; only what would change the document is an edit.
      if (wouldChange(sync.payload())) {
        runtime.metrics().rejected(CloseCodes.FORBIDDEN);
        runtime.audit(a -> a.refused(session.connection, session.principal, key, CloseCodes.FORBIDDEN,
            "read-only access: update rejected"));
        session.peer.send(new ServerMessage.Refused(key.name(), sync.ack(), CloseCodes.FORBIDDEN,
            "read-only access: update rejected"));
      } else if (sync.ack() != 0) {
        session.peer.send(new ServerMessage.Ack(key.name(), sync.ack()));
      }
      return;
    }
    if (writer.isBacklogFull() && wouldChange(sync.payload())) {
      // The store is down or behind: what waits for it is held in memory, and more would end in an
      // OutOfMemoryError that loses it all. The sender reconnects and sends its edits again with its sync.
      fail(session, CloseCodes.TRY_AGAIN_LATER, "update refused: too much waits to be stored; try again later");
      return;
    }
    if (session.principal != null) {
      sync = ownClientIds(session, sync);
      if (sync == null) {
        return;
      }
    }
    if (runtime.hooks().checksUpdates() && refusedByHooks(session, sync)) {
      return;
    }
    long start = System.nanoTime();
    // Updates that waited for a missing piece are integrated along with this one, and the sender may lack them.
    echoToOrigin = doc.hasPendingUpdates();
    long pendingBefore = doc.pendingBytes();
    boolean aged = pendingSinceNanos != 0 && start - pendingSinceNanos > runtime.config().maxPendingAge().toNanos();
    ConnectionInfo from = session.connection; // null in tests that need no identity
    ServerObservations.Observed observed = runtime.observations().start(ServerObservations.Work.APPLY,
        from == null ? null : from.protocol(), key, from == null ? -1 : from.id());
    writer.ackFollows(sync.ack() != 0);
    UpdateLimits limits = runtime.config().updateLimits();
    if (aged) {
      // Nothing more may wait (a duplicate of what waits adds nothing); what integrates is accepted as always.
      limits = limits.toBuilder().maxPendingBytes(Math.min(limits.maxPendingBytes(), pendingBefore)).build();
    }
    boolean kept = true;
    try {
      kept = doc.applyUpdate(sync.payload(), session, limits);
    } catch (DecodingException | LimitExceededException e) {
      observed.stop("refused", e);
      throw e; // nothing was applied
    } catch (RuntimeException | Error e) {
      // Decoded and integrated: what failed is an observer or listener the host put on the document. The update
      // is the document's now, and is stored and acknowledged like any other.
      ServerRuntime.rethrowIfFatal(e);
      log.warn("document {}: a listener failed while an update was applied; ignored", key, e);
    } finally {
      echoToOrigin = false;
      writer.ackFollows(false);
    }
    if (!kept) {
      // What could be integrated was (and is stored and relayed like any edit); the part that would have waited
      // beyond the bound was dropped, so the update as received is neither stored nor acknowledged: its sender goes.
      observed.stop("refused", null);
      if (!doc.hasPendingUpdates()) {
        pendingSinceNanos = 0;
      }
      fail(session, CloseCodes.TOO_MUCH_PENDING, (aged
          ? "update refused: updates have waited for missing dependencies longer than allowed"
          : "update refused: the part of it that waits for missing dependencies would make more than "
              + limits.maxPendingBytes() + " bytes wait")
          + "; that part was not kept (send it again once its dependencies have arrived)");
      return;
    }
    observed.stop("success", null);
    if (!doc.hasPendingUpdates()) {
      pendingSinceNanos = 0;
    } else {
      if (pendingSinceNanos == 0) {
        pendingSinceNanos = start;
      }
      // Part of the update (or an earlier one) waits for structs that have not arrived; the document's own update
      // holds only what was integrated. Storing the update as received keeps "acknowledged means stored" true:
      // loading applies the stored updates in order, so the waiting part waits again after a restart (or on
      // another node) and is integrated when its dependencies arrive.
      // (What waits stayed within maxPendingBytes, and grew not at all once aged: applyUpdate kept it so.)
      writer.updated(sync.payload());
    }
    runtime.metrics().updateApplied(System.nanoTime() - start);
    int bytes = sync.payload().length;
    runtime.audit(a -> a.wrote(session.connection, session.principal, key, bytes));
    if (sync.ack() != 0) {
      ServerMessage ack = new ServerMessage.Ack(key.name(), sync.ack());
      writer.whenStored(() -> session.peer.send(ack));
    }
  }

  /**
   * Yjs client ids belong to principals: an id nobody owns yet is claimed for the first principal that brings new
   * structs under it (the claim is recorded by the store before the update is stored: same store lane). New structs
   * under another principal's id (or the server's) are refused: an update closes its sender with
   * {@link CloseCodes#FOREIGN_CLIENT_ID}; a step 2 loses only those structs, the rest is applied (after a crash, a
   * client may hold another user's structs that the server relayed but never stored: they are that user's to send
   * again). Structs the document has already are not the sender's writing and are not looked at. In a cluster the
   * store decides who claimed an id first, also on another node ({@link #confirmClaims}).
   *
   * <p>The new ids of one message are claimed in one store call on the document's store lane, ahead of its
   * acknowledgements (a row kept for good each): an import of an offline document brings one per past session.
   * Before, one 700 KB update of 100,000 made-up ids was 100,000 claims ahead of every acknowledgement of the
   * document: with a store taking 0.2 ms a call, at least 20 s (its sender's own had not come after 120 s at load 26).
   * A session claims at most {@code maxNewClientIds} ids: beyond, an update closes its sender with
   * {@link CloseCodes#TOO_MANY_CLIENT_IDS}; a step 2 claims at most half of them, and the ids beyond are applied
   * unclaimed.
   *
   * @return the message to apply ({@code sync}, or a step 2 without other principals' structs), or null if the
   *     sender was refused
   */
  private ClientMessage.Sync ownClientIds(DocumentSession session, ClientMessage.Sync sync) {
    String principal = session.principal.id();
    long sole = soleClient(sync.payload());
    if (sole == NO_STRUCTS || (sole >= 0 && principal.equals(clientOwners.get(sole)))) {
      return sync; // a client's edit under its own id: nothing to claim or refuse, no need to parse it all
    }
    // The clocks alone, content skipped: this runs before the update is decoded within the document's limits, and
    // parseMeta built every struct (16 MiB of subdocument references: 1.4 GB allocated, 11 s of this thread).
    Updates.UpdateMeta meta = Updates.clockRanges(sync.payload());
    StateVector known = doc.stateVector();
    List<Long> claims = new ArrayList<>();
    List<Long> foreign = new ArrayList<>();
    for (Map.Entry<Long, Integer> e : meta.to().entrySet()) {
      long client = e.getKey();
      if (e.getValue() <= known.get(client)) {
        continue;
      }
      String owner = clientOwners.get(client);
      if (owner == null && client != doc.clientId()) {
        claims.add(client);
      } else if (owner == null || !owner.equals(principal)) {
        foreign.add(client);
      }
    }
    // A step 2 claims at most half, so that a client whose step 2 brought other users' lost edits may still write
    // under ids of its own.
    int max = runtime.config().maxNewClientIds();
    int allowed = (sync.type() == SyncMessage.STEP2 ? max / 2 : max) - session.claimedClients;
    if (claims.size() > allowed) {
      if (sync.type() != SyncMessage.STEP2) {
        fail(session, CloseCodes.TOO_MANY_CLIENT_IDS, "update refused: it writes under " + claims.size()
            + " Yjs client ids new to the document, and a connection may bring at most " + max);
        return null;
      }
      // A step 2 may bring other users' edits the server lost (a crash, a restored store): those beyond are
      // applied without being claimed (the first principal to write anew under one claims it then).
      claims.subList(Math.max(0, allowed), claims.size()).clear();
    }
    session.claimedClients += claims.size();
    if (!claims.isEmpty() && cluster != null && !writer.isFailing()) {
      confirmClaims(session, sync, claims, principal);
      return null; // handled again once the store answered
    }
    if (!foreign.isEmpty()) {
      if (sync.type() != SyncMessage.STEP2) {
        fail(session, CloseCodes.FOREIGN_CLIENT_ID, "update refused: Yjs client id " + foreign.get(0)
            + " belongs to another user");
        return null;
      }
      log.debug("document {}: a step 2 of connection {} held structs of {} client ids of other users (the first {}); "
          + "dropped", key, session.connection == null ? "-" : session.connection.id(), foreign.size(),
          foreign.subList(0, Math.min(10, foreign.size())));
      // Within the room the document has left: a step 2 of subdocuments under others' ids is refused as it is read.
      sync = new ClientMessage.Sync(sync.document(), sync.type(),
          doc.withoutClients(sync.payload(), foreign, runtime.config().updateLimits()), sync.ack());
    }
    if (!claims.isEmpty()) {
      for (long client : claims) {
        clientOwners.put(client, principal);
      }
      storeLane.execute(() -> claim(claims, principal)); // for the other nodes, and the next load
    }
    return sync;
  }

  private static final long NO_STRUCTS = -2;
  private static final long SEVERAL_CLIENTS = -1;

  /**
   * The Yjs client id of the structs of a v1 update that holds structs of one client only (the common case, a
   * client's own edit), read from the update's first bytes; {@link #NO_STRUCTS} for an update of deletions only;
   * {@link #SEVERAL_CLIENTS} for anything else, malformed updates included (the full parse says what is wrong).
   */
  private static long soleClient(byte[] update) {
    try {
      Lib0Decoder in = new Lib0Decoder(update);
      long clients = in.readVarUint();
      if (clients == 0) {
        return NO_STRUCTS;
      }
      if (clients != 1 || in.readVarUint() == 0) { // a group of no structs: unusual, let the full parse judge
        return SEVERAL_CLIENTS;
      }
      return in.readVarUint();
    } catch (RuntimeException e) {
      return SEVERAL_CLIENTS;
    }
  }

  /**
   * In a cluster, another node may have recorded a claim of these client ids since this node loaded the document
   * (claims reach other nodes only through the store): the store answers before the update that brings them is
   * applied. The document waits meanwhile (one round trip, once per new client id and node), at most {@link
   * #CLAIM_WAIT}: a store that does not answer by then (or is failing) leaves the claims standing here, recorded
   * when the store is back, as on a server on its own. Document thread.
   */
  private void confirmClaims(DocumentSession session, ClientMessage.Sync sync, List<Long> claims, String principal) {
    lane.pause();
    AtomicBoolean decided = new AtomicBoolean();
    Runnable proceed = () -> {
      for (long client : claims) {
        clientOwners.putIfAbsent(client, principal);
      }
      if (session.attached) {
        handle(session, sync);
      }
    };
    ScheduledFuture<?> timeout = null;
    try {
      timeout = runtime.timer().schedule(() -> {
        if (decided.compareAndSet(false, true)) {
          log.warn("document {}: the store did not say within {} ms who owns {} client ids; they stay claimed by {}",
              key, CLAIM_WAIT.toMillis(), claims.size(), principal);
          lane.resume(proceed);
        }
      }, CLAIM_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shutDown) {
      // the server is closing: no time limit
    }
    ScheduledFuture<?> cancel = timeout;
    storeLane.execute(() -> {
      Map<Long, String> onRecord = claim(claims, principal);
      if (decided.compareAndSet(false, true)) {
        if (cancel != null) {
          cancel.cancel(false);
        }
        lane.resume(() -> {
          onRecord.forEach(clientOwners::put);
          proceed.run();
        });
      }
    });
  }

  /**
   * Records claims in the store (on the store lane), in one call whatever their number, retrying while it fails;
   * learns the owners on record.
   *
   * @return the ids on record for another principal, with that principal (none if the store could not say: then
   *     the claims are retried in the background and stand here meanwhile)
   */
  private Map<Long, String> claim(List<Long> clients, String principal) {
    Map<Long, String> onRecord;
    try {
      onRecord = runtime.config().store().claimClients(key, clients, principal);
    } catch (StoreException e) {
      log.warn("document {}: recording the owners of {} client ids failed ({}); retrying", key, clients.size(),
          e.toString());
      try {
        runtime.timer().schedule(() -> storeLane.execute(() -> claim(clients, principal)), 1, TimeUnit.SECONDS);
      } catch (RejectedExecutionException shutDown) {
        log.debug("document {}: the server is shut down; the claims of {} client ids are not recorded", key,
            clients.size());
      }
      return Map.of();
    } catch (RuntimeException e) {
      // Not the store being down: retrying would not help. The claims hold while the document is loaded.
      log.error("document {}: the store cannot record the owners of {} client ids", key, clients.size(), e);
      return Map.of();
    }
    Map<Long, String> others = new HashMap<>();
    onRecord.forEach((client, owner) -> {
      if (owner != null && !owner.equals(principal)) {
        others.put(client, owner);
      }
    });
    if (!others.isEmpty()) {
      // Another node recorded them first: from now on the ids are those principals' here too.
      lane.execute(() -> clientOwners.putAll(others));
    }
    return others;
  }

  /**
   * Asks {@code beforeUpdate} about a client's update, with the roots it would change (one that changes nothing is
   * not asked about), and refuses it if a hook does: as a read-only client's update is refused (Hocuspocus's sync
   * status, collab/1's error for the update), and the sender's session on the document ends with 4403, since its
   * later edits would build on what was refused. Nothing of the update is applied. A malformed update throws
   * {@link DecodingException} (1002), one beyond the document's room {@link LimitExceededException} (4413): the
   * update is decoded within the server's update limits before the hook hears of it, as it would be applied (without
   * them, 100,000 subdocument references in 1.3 MB were each kept decoded, a {@code Doc} apiece).
   *
   * @return whether the update was refused
   */
  private boolean refusedByHooks(DocumentSession session, ClientMessage.Sync sync) {
    Updates.ChangedRoots roots = Updates.changedRoots(sync.payload(), doc, runtime.config().updateLimits());
    if (roots.complete() && roots.names().isEmpty()) {
      return false;
    }
    String reason = runtime.hooks().beforeUpdate(key, session.connection, session.principal, roots);
    if (reason == null) {
      return false;
    }
    if (sync.ack() != 0) {
      // The update's own answer; the refusal of the session below is the one counted.
      session.peer.send(new ServerMessage.Refused(key.name(), sync.ack(), CloseCodes.FORBIDDEN, reason));
    }
    fail(session, CloseCodes.FORBIDDEN, reason);
    return true;
  }

  /** Whether {@code update} would change the document; one that does not parse counts as a change. */
  private boolean wouldChange(byte[] update) {
    try {
      return Updates.wouldChange(update, doc);
    } catch (DecodingException e) {
      return true;
    }
  }

  /**
   * Ends {@code session}: a refusal for good (4xxx, a malformed or oversized message) ends only this document's
   * session on a multi-document protocol, whose other documents go on (y-websocket's socket is the session); one
   * that says "try again later" closes the connection, whose client reconnects and syncs everything again.
   */
  private void fail(DocumentSession session, int code, String reason) {
    drop(session);
    if (SessionPolicy.isTransient(code)) {
      session.peer.close(code, reason);
    } else {
      session.peer.refuse(session, code, reason);
    }
  }

  private void drop(DocumentSession session) {
    if (!sessions.remove(session)) {
      return;
    }
    receivers = null;
    awarenessBudget.forget(session);
    session.attached = false;
    List<Long> clients = session.awarenessClients();
    if (!clients.isEmpty()) {
      // Broadcast at once: no ghost cursors until the awareness timeout.
      awareness.removeStates(clients, null);
    }
  }

  private void onDocUpdate(byte[] update, Object origin, Transaction transaction) {
    broadcast(ServerMessage.Sync.update(key.name(), update), echoToOrigin ? null : origin);
    if (origin != ClusterLink.REMOTE) {
      writer.updated(update);
    } else {
      writer.storedElsewhere(); // stored by the node that accepted it, and never published again
    }
  }

  // -------------------------------------------------------------------------------------------------- cluster

  /** Another node stored {@code update}: apply it for this node's clients. */
  void applyRemote(byte[] update) {
    whenReady("update", () -> doc.applyUpdate(update, ClusterLink.REMOTE));
  }

  /** Presence of another node's clients changed. */
  void applyRemoteAwareness(byte[] update) {
    whenReady("presence update", () -> awareness.applyUpdate(update, ClusterLink.REMOTE));
  }

  /** Runs {@code apply} on the document's thread if it is loaded; a malformed {@code what} is dropped and logged. */
  private void whenReady(String what, Runnable apply) {
    lane.execute(() -> {
      if (state != State.READY) {
        return;
      }
      try {
        apply.run();
      } catch (DecodingException e) {
        log.warn("document {}: dropped a malformed {} from another node: {}", key, what, e.getMessage());
      }
    });
  }

  /**
   * This node may have missed other nodes' updates: reload from the store and apply what was loaded as remote;
   * the update that produces is what this node's clients lack, and is broadcast to them. Retried while the store
   * fails.
   */
  void resync() {
    storeLane.execute(() -> {
      List<byte[]> stored;
      try {
        stored = runtime.config().store().load(key).updates();
      } catch (RuntimeException e) {
        log.warn("document {}: reloading it for a resync failed ({}); retrying in 1 s", key, e.toString());
        try {
          runtime.timer().schedule(this::resync, 1, TimeUnit.SECONDS);
        } catch (RejectedExecutionException rejected) {
          // the server is closing
        }
        return;
      }
      lane.execute(() -> {
        if (state != State.READY) {
          return;
        }
        for (byte[] update : stored) {
          try {
            doc.applyUpdate(update, ClusterLink.REMOTE);
          } catch (DecodingException e) {
            log.warn("document {}: a stored update does not decode on resync: {}", key, e.getMessage());
          }
        }
        writer.reloaded(stored.size());
      });
    });
  }


  /**
   * Sends {@code message} to every session but {@code skip} (null: to all), with one task per event loop: a
   * document has hundreds of clients on a few event loops, and a write from this thread would be a task each.
   * Each peer's messages keep their order: every send from this lane goes through its event loop's task queue. The
   * message is encoded once per protocol ({@link SharedFrames}), not once per client.
   */
  private void broadcast(ServerMessage message, Object skip) {
    broadcastTo(message, s -> s != skip);
  }

  /**
   * Sends {@code message} to the sessions that {@code to} accepts, as {@link #broadcast(ServerMessage, Object)}.
   * {@code to} is asked again on the sessions' executors: it may only read what does not change (a session's
   * identity, its policy).
   */
  private void broadcastTo(ServerMessage message, Predicate<DocumentSession> to) {
    Receivers[] groups = receivers();
    int users = 0;
    for (Receivers group : groups) {
      if (group.any(to)) {
        users++;
      }
    }
    if (users == 0) {
      return;
    }
    SharedFrames shared = new SharedFrames(message, users);
    for (Receivers group : groups) {
      if (!group.any(to)) {
        continue;
      }
      Runnable send = () -> {
        try {
          for (DocumentSession s : group.sessions) {
            if (to.test(s)) {
              s.peer.send(shared);
            }
          }
        } finally {
          shared.done();
        }
      };
      if (group.executor instanceof EventLoop loop && loop.inEventLoop()) {
        // The document runs on its connections' loop: written now, in order with what the document sends them
        // directly (which is written at once on this loop too), and without a task.
        send.run();
        continue;
      }
      try {
        group.executor.execute(send);
      } catch (RejectedExecutionException e) {
        shared.done();
        log.debug("document {}: an event loop is shut down, {} clients miss a message", key, group.sessions.length);
      }
    }
  }

  /** {@link #receivers}, grouped again if sessions came or went since the last broadcast. */
  private Receivers[] receivers() {
    Receivers[] groups = receivers;
    if (groups == null) {
      List<Executor> executors = new ArrayList<>(2); // as many as event loops at most: a scan by identity
      List<List<DocumentSession>> bySender = new ArrayList<>(2);
      for (DocumentSession s : sessions) {
        Executor executor = s.peer.sendExecutor();
        int i = 0;
        while (i < executors.size() && executors.get(i) != executor) {
          i++;
        }
        if (i == executors.size()) {
          executors.add(executor);
          bySender.add(new ArrayList<>());
        }
        bySender.get(i).add(s);
      }
      groups = new Receivers[executors.size()];
      for (int i = 0; i < groups.length; i++) {
        groups[i] = new Receivers(executors.get(i), bySender.get(i).toArray(new DocumentSession[0]));
      }
      receivers = groups;
    }
    return groups;
  }

  /**
   * The sessions whose peers send on {@code executor}, in the order they attached. Never changed once built: a
   * broadcast's tasks read it on their executors while the lane may group the sessions anew.
   */
  private record Receivers(Executor executor, DocumentSession[] sessions) {
    boolean any(Predicate<DocumentSession> to) {
      for (DocumentSession s : sessions) {
        if (to.test(s)) {
          return true;
        }
      }
      return false;
    }
  }

  private void onAwarenessUpdate(AwarenessChange change) {
    if (change.origin() instanceof DocumentSession from && from.attached) {
      own(from, change.added());
      own(from, change.updated());
    }
    for (Long client : change.removed()) {
      DocumentSession owner = awarenessOwners.remove(client);
      if (owner != null) {
        owner.removeAwarenessClient(client);
      }
    }
    // The sender gets its own update back, as y-websocket's server does: a y-websocket client that hears nothing
    // for 30 s reconnects, and its own renewals (every 15 s) are what it hears when it is alone.
    if (cluster != null && change.origin() != ClusterLink.REMOTE) {
      cluster.awareness(awareness.encodeUpdate(change.all()));
    }
    // Clients' changes within the awareness interval go out together, each client's latest state once: a flood of
    // presence updates costs every other client one message per interval, not one per update. The server's own
    // changes (a client left, a state timed out, another node's) go out at once: no ghost cursors.
    awarenessChanged.addAll(change.all());
    long interval = runtime.config().awarenessInterval().toNanos();
    if (interval == 0 || !(change.origin() instanceof DocumentSession)) {
      flushAwareness();
    } else if (!awarenessFlushScheduled) {
      awarenessFlushScheduled = true;
      try {
        runtime.timer().schedule(() -> lane.execute(this::flushAwareness), interval, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        awarenessFlushScheduled = false; // the server is closing
      }
    }
  }

  /**
   * Over the document's presence budget: holds {@code update} (merged with what {@code session} sent before, each
   * client's latest state winning) and applies it when the budget has room.
   *
   * @throws DecodingException if the update is malformed
   */
  private void holdAwareness(DocumentSession session, byte[] update) {
    if (awarenessBudget.hold(session, update)) {
      scheduleHeldAwareness();
    }
    runtime.metrics().throttled("awareness");
  }

  private void scheduleHeldAwareness() {
    try {
      runtime.timer().schedule(() -> lane.execute(this::applyHeldAwareness),
          awarenessBudget.delay(System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("document {}: the server is closing, held presence updates are dropped", key);
    }
  }

  private void applyHeldAwareness() {
    if (!awarenessBudget.isHolding() || awareness == null) {
      return;
    }
    if (awarenessBudget.delay(System.nanoTime()) > 0) {
      scheduleHeldAwareness();
      return;
    }
    awarenessBudget.drain(System.nanoTime()).forEach((session, update) -> {
      if (session.attached) {
        applyPresence(session, update);
      }
    });
  }

  private void flushAwareness() {
    awarenessFlushScheduled = false;
    if (awarenessChanged.isEmpty() || awareness == null) {
      return;
    }
    List<Long> clients = new ArrayList<>(awarenessChanged);
    awarenessChanged.clear();
    clients.retainAll(awareness.knownClients());
    if (!clients.isEmpty()) {
      broadcast(new ServerMessage.Awareness(key.name(), awareness.encodeUpdate(clients)), null);
    }
  }

  /** Applies {@code session}'s presence update, the entries it may change ({@link #mayChangePresence}). */
  private void applyPresence(DocumentSession session, byte[] update) {
    int[] newClients = {0};
    awareness.applyUpdate(update, session, client -> mayChangePresence(session, client, newClients));
  }

  /**
   * Whether {@code session}'s client may set or remove the presence of awareness client {@code client}: its own, one
   * held by the same principal (a reconnect whose old connection is not closed yet, a second tab), or one nobody
   * holds while the session holds fewer than {@code maxPresenceClients} ({@code newClients[0]} counts those of the
   * update being applied; y-protocols clients hold and render whatever the server relays: before, 2,000 made-up
   * people in one 12 KB update reached every client of the document). Never the server's own, never another
   * principal's: a client, read-only or not, cannot overwrite or remove other people's presence, nor fill every
   * other client's list of people with made-up ones.
   */
  private boolean mayChangePresence(DocumentSession session, long client, int[] newClients) {
    if (client == awareness.clientId()) {
      return false;
    }
    DocumentSession owner = awarenessOwners.get(client);
    if (owner == null) {
      return session.awarenessClientCount() + newClients[0]++ < runtime.config().maxPresenceClients();
    }
    return owner == session
        || (owner.principal != null && session.principal != null
            && owner.principal.id().equals(session.principal.id())
            && owner.principal.tenant().equals(session.principal.tenant()));
  }

  private void own(DocumentSession session, List<Long> clients) {
    for (Long client : clients) {
      DocumentSession previous = awarenessOwners.put(client, session);
      if (previous != null && previous != session) {
        previous.removeAwarenessClient(client);
      }
      session.addAwarenessClient(client);
    }
  }

  void checkAwarenessTimeouts() {
    lane.execute(() -> {
      if (state == State.READY) {
        awareness.checkTimeouts();
      }
    });
  }

  // ------------------------------------------------------------------------------------------------- host calls

  /**
   * Runs {@code call} with the document on its thread; changes it makes reach every client and the store.
   * The future completes on the document's thread (chain slow work with the {@code *Async} methods).
   */
  public <R> CompletableFuture<R> call(Function<Doc, R> call) {
    CompletableFuture<R> result = new CompletableFuture<>();
    lane.execute(new SerialExecutor.Rejectable() {
      @Override
      public void run() {
        if (state != State.READY) {
          result.completeExceptionally(new IllegalStateException("document " + key + " is not loaded"));
          return;
        }
        try {
          result.complete(call.apply(doc));
        } catch (RuntimeException | Error e) {
          result.completeExceptionally(e);
        }
      }

      @Override
      public void rejected() {
        result.completeExceptionally(new IllegalStateException("the server is closed"));
      }
    });
    return result;
  }

  /**
   * The store failed to take this document's updates ({@code failing}), or takes them again: tells the clients whose
   * protocol can say so, rather than leaving them waiting for acknowledgements in silence. Document's thread.
   */
  void storeStatusChanged(boolean failing) {
    if (failing) {
      runtime.storeFailed(key);
    } else {
      runtime.storeRecovered(key);
    }
    broadcastTo(new ServerMessage.StoreStatus(key.name(), failing), s -> s.policy.tellsStoreStatus());
  }

  /** Sends an application message to every client that has the document open. */
  public void broadcastStateless(String payload) {
    lane.execute(() -> broadcast(new ServerMessage.Stateless(key.name(), payload), null));
  }

  // ---------------------------------------------------------------------------------------- unloading, closing

  void unloadLater(long delayNanos) {
    try {
      runtime.timer().schedule(() -> lane.execute(this::tryUnload), delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The server is closing; it stores every document itself.
    }
  }

  private void tryUnload() {
    if (state != State.READY) {
      return;
    }
    long idle = runtime.registry().idleNanos(this);
    if (idle < 0) {
      return;
    }
    long delay = runtime.config().unloadDelay().toNanos();
    if (idle < delay) {
      unloadLater(delay - idle);
      return;
    }
    if (!writer.isStored()) {
      // Stays in memory until stored; a failing store is retried meanwhile.
      writer.storeAll().thenRun(() -> lane.execute(this::tryUnload));
      return;
    }
    if (runtime.registry().removeIfIdle(this)) {
      state = State.UNLOADED;
      writer.close();
      if (cluster != null) {
        cluster.leave();
        storeLane.execute(cluster::release);
      }
      callHookLater(DocumentHook.UNLOAD, () -> runtime.hooks().onUnload(key));
    }
  }

  /**
   * This node has just taken the document's lease over: the once-only work for what changed since the last holder
   * died ({@code onChange}) runs now, not only with the next change. Any thread.
   */
  void ownerCatchUp() {
    lane.execute(() -> {
      if (state == State.READY) {
        callHook(DocumentHook.CHANGE, () -> runtime.hooks().onChange(key, doc), () -> {});
      }
    });
  }

  /**
   * On shutdown, after {@link #storeAll}: stops following the document in the cluster and gives its lease up, so
   * another node takes its once-only work at once rather than after the lease's TTL. Completes at once on a server
   * on its own.
   */
  CompletableFuture<Void> leaveCluster() {
    if (cluster == null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> left = new CompletableFuture<>();
    lane.execute(() -> {
      cluster.leave();
      storeLane.execute(() -> {
        cluster.release();
        left.complete(null);
      });
    });
    return left;
  }

  /** Stores (and compacts) everything; completes when stored, however many retries that takes. */
  CompletableFuture<Void> storeAll() {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    lane.execute(() -> {
      if (state != State.READY) {
        stored.complete(null);
      } else {
        writer.storeAll().whenComplete((v, e) -> stored.complete(null));
      }
    });
    return stored;
  }

  @Override
  public String toString() {
    return "SharedDocument[" + key + "]";
  }
}
