package ai.candlefish.collab.client.internal;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.RefusedException;
import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.LimitExceededException;
import ai.candlefish.collab.core.Subscription;
import ai.candlefish.collab.core.Transaction;
import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.core.internal.text.LogText;
import ai.candlefish.collab.protocol.v1.Awareness.Builder;
import ai.candlefish.collab.protocol.v1.ClientFrame;
import ai.candlefish.collab.protocol.v1.Custom;
import ai.candlefish.collab.protocol.v1.Open;
import ai.candlefish.collab.protocol.v1.SyncStep1;
import ai.candlefish.collab.protocol.v1.SyncStep2;
import com.google.protobuf.UnsafeByteOperations;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open document of a client, and its sync state machine.
 *
 * <pre>
 *   WAITING  --(client welcomed: Open)-->  OPENING  --(Opened)-->  OPEN  --(channel closed)--> WAITING
 *   any      --(ClientDocument.close / refused for good / client closed)-->  CLOSED
 * </pre>
 *
 * <p>On {@code Opened} the client sends its state vector (the server answers with what the client lacks), and sends
 * again every unacknowledged local change, merged into one update that carries the newest ack id; the server's own
 * state vector arrives as a {@code SyncStep1}, answered with what the server lacks. Acknowledgements arrive in order
 * per document (the server stores in order), so {@code Ack n} settles every change sent as {@code n} or earlier on
 * the same connection.
 *
 * <p>Threads: local changes are captured on the thread that makes them, holding the {@code Doc}'s monitor; the
 * pending changes are a concurrent map; everything else belongs to the engine's lane.
 */
final class DocumentState implements ClientDocument {
  private enum Status { WAITING, OPENING, OPEN, CLOSED }

  private static final Logger log = LoggerFactory.getLogger(DocumentState.class);
  private static final long AWARENESS_RENEW_NANOS = 15_000_000_000L;
  private static final long IGNORED_PRESENCE_LOG_NANOS = 60_000_000_000L;

  /** A local change waiting for its acknowledgement. */
  private static final class Pending {
    final long id;
    final byte[] update;
    final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    // Lane-confined: the ack id it was last sent under (its own, or the newest of a merged resend), and where.
    long sentAs;
    long sentGeneration = -1;

    Pending(long id, byte[] update) {
      this.id = id;
      this.update = update;
    }
  }

  private final ClientEngine engine;
  private final String name;
  private final Doc doc;
  private final Awareness awareness;
  private final CompletableFuture<ClientDocument> opened = new CompletableFuture<>();
  private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
  /** The change the current {@link #edit} made; guarded by the doc's monitor. */
  private Pending lastCaptured;
  private volatile boolean readOnly;
  private volatile Status status = Status.WAITING;
  private long awarenessSentNanos;
  /** Remote presence entries ignored for the limits since the last warning, and when that was (0: never). */
  private long ignoredPresence;
  private long ignoredPresenceLoggedNanos;
  /** What the server sent that was dropped for the pending limit since the last warning, and when that was. */
  private long droppedUpdates;
  private long droppedLoggedNanos;
  /** What {@link #listen} registered on the {@code Doc}, removed once closed (the Doc may outlive us: a subdoc). */
  private final List<Subscription> docListeners = new CopyOnWriteArrayList<>();

  DocumentState(ClientEngine engine, String name, Doc doc) {
    this.engine = engine;
    this.name = name;
    this.doc = doc;
    this.awareness = new Awareness(doc);
    awareness.onUpdate(change -> {
      if (change.origin() != REMOTE_ORIGIN) {
        engine.execute(this::sendAwareness);
      }
    });
  }

  /** Starts capturing local changes, once this state owns the name. A destroyed Doc cannot sync: close. */
  void listen() {
    docListeners.add(doc.onUpdate(this::captured));
    docListeners.add(doc.onDestroy(destroyed -> close()));
  }

  CompletableFuture<ClientDocument> opened() {
    return opened.copy();
  }

  // ----------------------------------------------------------------------------------------------- public API

  @Override
  public String name() {
    return name;
  }

  @Override
  public Doc doc() {
    return doc;
  }

  @Override
  public CompletableFuture<ClientDocument> openSubdocument(Doc subdoc) {
    Objects.requireNonNull(subdoc, "subdoc");
    synchronized (doc) { // load() records itself in a transaction of this document
      if (subdoc.isDestroyed()) {
        throw new IllegalStateException("subdoc " + subdoc.guid() + " was destroyed; read the current instance "
            + "from document '" + name + "' again");
      }
      if (subdoc.parentDoc() != doc) {
        throw new IllegalArgumentException("subdoc " + subdoc.guid() + " is not a subdocument of document '" + name
            + "'; read it from this document's types or getSubdocs()");
      }
      subdoc.load();
    }
    try {
      return engine.open(subdoc.guid(), subdoc);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // The guid comes from whoever added the subdocument (invalid, or a second reference to an open guid): a
      // failed future, not an exception thrown into the subdocs listener that applies a remote update.
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> edit(Consumer<Transaction> changes) {
    Objects.requireNonNull(changes, "changes");
    if (status == Status.CLOSED) {
      throw new IllegalStateException("document '" + name + "' is closed");
    }
    Pending p;
    synchronized (doc) {
      lastCaptured = null;
      doc.transact(changes);
      p = lastCaptured;
      lastCaptured = null;
    }
    return p == null ? CompletableFuture.completedFuture(null) : p.acknowledged.copy();
  }

  /** Every local change, with or without {@link #edit}: keep it until acknowledged, send it if connected. */
  private void captured(byte[] update, Object origin, Transaction transaction) {
    if (origin == REMOTE_ORIGIN) {
      return;
    }
    Pending p = new Pending(engine.nextAckId(), update);
    if (status == Status.CLOSED) {
      p.acknowledged.completeExceptionally(new IllegalStateException("document '" + name + "' is closed; the "
          + "change stays local"));
    } else {
      pending.put(p.id, p);
      engine.execute(() -> sendLocal(p));
    }
    lastCaptured = p;
  }

  @Override
  public CompletableFuture<Void> whenAcknowledged() {
    List<Pending> now = new ArrayList<>(pending.values());
    return CompletableFuture.allOf(now.stream().map(p -> p.acknowledged).toArray(CompletableFuture[]::new));
  }

  @Override
  public int unacknowledged() {
    return pending.size();
  }

  @Override
  public boolean readOnly() {
    return readOnly;
  }

  @Override
  public Awareness awareness() {
    return awareness;
  }

  @Override
  public boolean sendCustom(String payload) {
    Objects.requireNonNull(payload, "payload");
    if (status != Status.OPEN || !engine.isConnected()) {
      return false;
    }
    engine.execute(() -> {
      if (status == Status.OPEN) {
        engine.send(ClientFrame.newBuilder().setCustom(Custom.newBuilder().setDocument(name).setPayload(payload))
            .build());
      }
    });
    return true;
  }

  @Override
  public CompletableFuture<Void> close() {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    whenAcknowledged().handle((v, e) -> null).thenRun(() -> {
      boolean queued = engine.execute(() -> {
        closeNow();
        closed.complete(null);
      });
      if (!queued) {
        closed.complete(null); // the client is closed, and the document with it
      }
    });
    return closed;
  }

  private void closeNow() {
    closeNow(new IllegalStateException("document '" + name + "' was closed"));
  }

  /** Leaves the document (the server stops sending it) and fails what waits with {@code cause}. */
  private void closeNow(RuntimeException cause) {
    if (status == Status.CLOSED) {
      return;
    }
    if (status == Status.OPEN) {
      awareness.setLocalState(null);
      engine.send(ClientFrame.newBuilder().setAwareness(awarenessFrame()).build());
      engine.send(ClientFrame.newBuilder().setClose(ai.candlefish.collab.protocol.v1.Close.newBuilder()
          .setDocument(name)).build());
    }
    fail(cause);
    engine.removeDocument(this);
  }

  // ------------------------------------------------------------------------------------------------ the lane

  /** The client is welcomed: ask the server to open the document. */
  void open() {
    if (status == Status.WAITING) {
      status = Status.OPENING;
      engine.send(ClientFrame.newBuilder().setOpen(Open.newBuilder().setDocument(name)).build());
    }
  }

  /**
   * The server opened the document for this connection: resynchronise. While open: a fresh token changed what the
   * client may do.
   */
  void opened(boolean readOnly) {
    if (status == Status.OPEN) {
      this.readOnly = readOnly;
      return;
    }
    if (status != Status.OPENING) {
      return;
    }
    status = Status.OPEN;
    this.readOnly = readOnly;
    byte[] stateVector;
    synchronized (doc) {
      stateVector = doc.encodeStateVector();
    }
    engine.send(ClientFrame.newBuilder().setSyncStep1(SyncStep1.newBuilder().setDocument(name)
        .setStateVector(UnsafeByteOperations.unsafeWrap(stateVector))).build());
    resendPending();
    Object local = awareness.localState();
    if (local != null) {
      // Set again for a new clock, which sends it: peers that dropped our state while we were away keep its clock
      // and ignore the same clock again (y-protocols), so we would reappear only at the next renewal, 15 s on.
      awareness.setLocalState(local);
    }
  }

  private void resendPending() {
    List<Pending> unsent = new ArrayList<>();
    for (Pending p : pending.values()) {
      if (p.sentGeneration != engine.generation()) {
        unsent.add(p);
      }
    }
    if (unsent.isEmpty()) {
      return;
    }
    Pending newest = unsent.get(unsent.size() - 1);
    byte[] update;
    if (unsent.size() == 1) {
      update = newest.update;
    } else {
      List<byte[]> updates = new ArrayList<>(unsent.size());
      unsent.forEach(p -> updates.add(p.update));
      update = Updates.merge(updates);
    }
    for (Pending p : unsent) {
      p.sentAs = newest.id;
      p.sentGeneration = engine.generation();
    }
    sendUpdate(update, newest.id);
  }

  private void sendLocal(Pending p) {
    if (status != Status.OPEN || p.sentGeneration == engine.generation() || !pending.containsKey(p.id)) {
      return; // sent with the others once the document is open
    }
    p.sentAs = p.id;
    p.sentGeneration = engine.generation();
    sendUpdate(p.update, p.id);
  }

  private void sendUpdate(byte[] update, long ackId) {
    engine.send(ClientFrame.newBuilder().setUpdate(ai.candlefish.collab.protocol.v1.Update.newBuilder()
        .setDocument(name).setUpdate(UnsafeByteOperations.unsafeWrap(update)).setAckId(ackId)).build());
  }

  void serverStep1(byte[] stateVector) {
    if (status != Status.OPEN) {
      return;
    }
    byte[] missing;
    if (readOnly) {
      missing = Updates.empty(); // what else we have would be refused
    } else {
      synchronized (doc) {
        missing = doc.encodeStateAsUpdate(stateVector);
      }
    }
    engine.send(ClientFrame.newBuilder().setSyncStep2(SyncStep2.newBuilder().setDocument(name)
        .setUpdate(UnsafeByteOperations.unsafeWrap(missing))).build());
  }

  void remoteUpdate(byte[] update, boolean step2) {
    if (status != Status.OPEN) {
      return;
    }
    boolean kept = true;
    LimitExceededException tooLarge = null;
    synchronized (doc) {
      try {
        kept = doc.applyUpdate(update, REMOTE_ORIGIN, engine.remoteLimits());
      } catch (DecodingException e) {
        throw e;
      } catch (LimitExceededException e) {
        tooLarge = e; // nothing of it was applied
      } catch (RuntimeException e) {
        // Not the update (it is applied) but an application's observer or subdocs listener: keep syncing.
        log.warn("collab client: a listener of document '{}' threw while a remote update was applied", name, e);
      }
    }
    if (tooLarge != null) {
      tooLarge(tooLarge);
      return;
    }
    if (!kept) {
      waitingDropped();
    }
    if (step2) {
      opened.complete(this);
    }
  }

  /**
   * The server sent more than this client keeps of one document: nothing of it was applied, and the document cannot
   * follow the server without it, so it is closed (every later update would build on the missing one).
   */
  private void tooLarge(LimitExceededException e) {
    IllegalStateException cause = new IllegalStateException("document '" + LogText.safe(name) + "' from the server"
        + " would hold more than this client's maxDocumentBytes of " + engine.config().maxDocumentBytes()
        + " bytes of memory (" + e.getMessage() + "): closed, the local copy kept as it was; raise the limit with "
        + "CollabClient.Builder.maxDocumentBytes", e);
    log.warn("collab client: {}", cause.getMessage());
    engine.notify(l -> l.onError(cause));
    closeNow(cause);
  }

  /** Logs a dropped waiting part: the first time, then at most once a minute with how many since. */
  private void waitingDropped() {
    droppedUpdates++;
    long now = System.nanoTime();
    if (droppedLoggedNanos != 0 && now - droppedLoggedNanos < IGNORED_PRESENCE_LOG_NANOS) {
      return;
    }
    droppedLoggedNanos = now | 1; // never 0, which means "not yet"
    log.warn("collab client: dropped what would wait for missing updates of {} update(s) the server sent for "
        + "document '{}': beyond the client's limit of {} bytes waiting (CollabClient.Builder.maxPendingBytes)",
        droppedUpdates, LogText.safe(name), engine.config().maxPendingBytes());
    droppedUpdates = 0;
  }

  void acknowledged(long ackId) {
    long generation = engine.generation();
    for (Pending p : pending.headMap(ackId, true).values()) {
      if (p.sentGeneration == generation && p.sentAs <= ackId) {
        pending.remove(p.id);
        p.acknowledged.complete(null);
      }
    }
  }

  /**
   * The server refused the update sent as {@code ackId} for good (a limit, a hook, a malformed update): nothing of it
   * was applied, and sending it again would be refused again. Its changes' futures fail with the refusal.
   */
  void updateRefused(long ackId, int code, String reason) {
    long generation = engine.generation();
    RefusedException refused = new RefusedException(name, code, reason);
    for (Pending p : pending.headMap(ackId, true).values()) {
      if (p.sentGeneration == generation && p.sentAs == ackId) {
        pending.remove(p.id);
        p.acknowledged.completeExceptionally(refused);
      }
    }
  }

  /**
   * The server refused the update sent as {@code ackId} for now (its store is behind, a passing failure): its changes
   * stay unacknowledged and count as not sent on this connection, so that {@link #resendRefused} or the next open
   * sends them again, and a later {@code Ack} of this connection does not settle them.
   */
  void updateRefusedForNow(long ackId, int code, String reason) {
    long generation = engine.generation();
    int kept = 0;
    for (Pending p : pending.headMap(ackId, true).values()) {
      if (p.sentGeneration == generation && p.sentAs == ackId) {
        p.sentGeneration = -1;
        kept++;
      }
    }
    if (kept > 0) {
      log.debug("collab client: the server refused {} change(s) of document '{}' for now ({} {}); sent again later",
          kept, LogText.safe(name), code, LogText.safe(reason));
    }
  }

  /** After {@link #updateRefusedForNow}, on the same connection: send what was refused again. */
  void resendRefused() {
    if (status == Status.OPEN) {
      resendPending();
    }
  }

  void remoteAwareness(byte[] update) {
    if (status == Status.OPEN) {
      long ignoredBefore = awareness.ignoredEntries();
      awareness.applyUpdate(update, REMOTE_ORIGIN);
      long ignored = awareness.ignoredEntries() - ignoredBefore;
      if (ignored > 0) {
        presenceIgnored(ignored);
      }
    }
  }

  /** Logs presence ignored for the limits: the first time, then at most once a minute with how much since. */
  private void presenceIgnored(long entries) {
    ignoredPresence += entries;
    long now = System.nanoTime();
    if (ignoredPresenceLoggedNanos != 0 && now - ignoredPresenceLoggedNanos < IGNORED_PRESENCE_LOG_NANOS) {
      return;
    }
    ignoredPresenceLoggedNanos = now | 1; // never 0, which means "not yet"
    log.warn("collab client: ignored {} awareness state(s) the server sent for document '{}': over the client's "
        + "limits of {} other clients or {} bytes per state (CollabClient.Builder.awarenessLimits)", ignoredPresence,
        LogText.safe(name), engine.config().maxRemoteAwarenessClients(),
        engine.config().maxAwarenessStateBytes());
    ignoredPresence = 0;
  }

  private void sendAwareness() {
    if (status == Status.OPEN) {
      awarenessSentNanos = System.nanoTime();
      engine.send(ClientFrame.newBuilder().setAwareness(awarenessFrame()).build());
    }
  }

  private Builder awarenessFrame() {
    return ai.candlefish.collab.protocol.v1.Awareness.newBuilder().setDocument(name)
        .setUpdate(UnsafeByteOperations.unsafeWrap(awareness.encodeUpdate(List.of(awareness.clientId()))));
  }

  /** Every few seconds while connected: renew our awareness state, expire silent peers'. */
  void tick() {
    if (status != Status.OPEN) {
      return;
    }
    awareness.checkTimeouts();
    Object local = awareness.localState();
    if (local != null && System.nanoTime() - awarenessSentNanos >= AWARENESS_RENEW_NANOS) {
      awareness.setLocalState(local);
    }
  }

  /**
   * The connection is gone (or the server dropped the document): wait for the next one. What was sent and not
   * acknowledged is sent again when the document opens again, on a new connection or on this one: a server that
   * drops a document (an error without an ack id) has not stored what it did not acknowledge, and before, a reopen
   * on the same connection did not send it again, so its futures waited until the connection changed.
   */
  void disconnected() {
    if (status == Status.CLOSED) {
      return;
    }
    for (Pending p : pending.values()) {
      p.sentGeneration = -1;
    }
    status = Status.WAITING;
    List<Long> others = awareness.clientsWithState();
    others.remove(Long.valueOf(awareness.clientId())); // the element, not an index
    if (!others.isEmpty()) {
      awareness.removeStates(others, REMOTE_ORIGIN);
    }
  }

  /** The document is done for: every open future and unacknowledged change fails with {@code cause}. */
  void fail(RuntimeException cause) {
    status = Status.CLOSED;
    docListeners.forEach(Subscription::close);
    opened.completeExceptionally(cause);
    for (Pending p : pending.values()) {
      pending.remove(p.id);
      p.acknowledged.completeExceptionally(cause);
    }
  }

  @Override
  public String toString() {
    return "ClientDocument[" + name + ", " + status + (readOnly ? ", read-only" : "") + ", " + pending.size()
        + " unacknowledged]";
  }
}
