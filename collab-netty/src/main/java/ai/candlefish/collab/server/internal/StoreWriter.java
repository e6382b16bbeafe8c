package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.server.internal.HookCalls.DocumentHook;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one document's updates: debounced, batched, retried, and now and then compacted.
 *
 * <p>Each update is kept until stored. A batch is written {@code storeDebounce} after the last update, but never
 * later than {@code storeMaxWait} after the first one, and at once when it holds {@link #MAX_BATCH_UPDATES} updates
 * or weighs {@link #MAX_BATCH_WEIGHT}. A batch is appended as one update (merged, on the store's thread); when the
 * store would hold more than {@code compactAfterUpdates} pieces, or when everything must be stored (unload,
 * shutdown), the whole document replaces what is stored instead. On a server on its own, a compaction also waits
 * until the pieces appended since the last whole state weigh as much as that state ({@link #compactionDue}). Updates that a client waits to see acknowledged are
 * written at once, without the debounce ({@link #whenStored}). A failed write puts its batch back in front and is
 * retried with exponential backoff (up to {@code storeRetryMax}); the document is not unloaded meanwhile. At most one
 * write is in flight, so writes reach the store in order.
 *
 * <p>What waits for the store is held in memory: the updates of the batch in flight and those after it, and the
 * acknowledgements that wait for them. A failed batch goes back merged into one update (merged on the store's
 * thread, where its write merged it anyway), so that an outage holds about what the document gained, not every
 * keystroke with its overhead; and {@link #isBacklogFull} says when the document's backlog, or the server's, has
 * reached its bound ({@code maxUnstoredBytes}): the document then refuses its clients' new updates, and what it
 * accepted before is kept and stored once the store is back.
 *
 * <p>This is the one owner of compaction for the documents a server serves (stores do not compact by themselves
 * unless told to, for use without a server). In a cluster ({@link ClusterLink}) nothing is replaced and nothing is
 * debounced: each batch is appended at once and then published to the other nodes (their clients see an update
 * only once it is stored), and compaction is the lease holder's fenced compaction, which folds in what other nodes
 * appended (it counts their pieces as their updates arrive); the {@code onChange} and {@code onStore} hooks run on
 * the lease holder only. That compaction runs beside the writes, not between them ({@link #compactInCluster}).
 *
 * <p>Belongs to its document's serial executor; store calls run on the document's store executor.
 */
final class StoreWriter {
  private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);
  private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** What an update waiting for the store holds besides its bytes: the array's header, its slot in the list. */
  static final int PIECE_OVERHEAD = 32;
  /** What a waiting acknowledgement holds: its task, its message, its slot in the list. */
  static final int ACK_WEIGHT = 64;
  /**
   * How long a compaction waits for its document's thread to encode the state (a document thread is never busy
   * that long; past it the compaction is skipped, and the pieces stay counted for the next).
   */
  private static final long STATE_AT_TURN_SECONDS = 30;
  /** How many pieces of a batch one merge takes ({@link #mergeInGroups}). */
  static final int MERGE_GROUP = 32;
  /**
   * A batch this long is written without waiting for the debounce: two levels of {@link #mergeInGroups}, a few
   * milliseconds of one thread. Held for the whole {@code storeMaxWait}, a busy document's batch was 6,300 updates
   * (peak-63: 630 a second), whose merge on the blocking pool, the compiler's work on that code (run once in 10 s)
   * and the garbage it left came together, for every document loaded at the same time, and took the event loops'
   * cores for up to a second on two cores (relay p99 0.2-0.8 s in the y-websocket protocol, RESULTS.md "Server,
   * the y-websocket protocol's tail"). In small batches the same work is spread out and its code stays compiled.
   */
  static final int MAX_BATCH_UPDATES = MERGE_GROUP * MERGE_GROUP;
  /** A batch that weighs this much ({@link #weight}) is written without waiting for the debounce, as a long one. */
  static final long MAX_BATCH_WEIGHT = 1 << 20;
  /**
   * However little was appended, a store holds at most this many times {@code compactAfterUpdates} pieces before a
   * compaction: what a load applies one by one stays bounded.
   */
  static final int MAX_PIECES_FACTOR = 8;

  private final SharedDocument document;
  private final ServerRuntime runtime;
  private final long debounceNanos;
  private final long maxWaitNanos;
  private final long retryMaxNanos;
  private final int compactAfter;
  private final long maxBacklog;
  private final long maxServerBacklog;
  /** Another node changed the document since the last flush: the lease holder owes it the once-only work. */
  private boolean changedElsewhere;
  /** Pieces other nodes stored while a write of ours was in flight. */
  private int storedElsewhereInFlight;

  private List<byte[]> pending = new ArrayList<>();
  /** How many updates {@link #pending} holds (fewer pieces once a failed batch came back merged). */
  private int pendingUpdates;
  /** What {@link #pending} weighs ({@link #weight}). */
  private long pendingWeight;
  /** What the batch in flight weighs. */
  private long inFlightWeight;
  /** Run once {@link #pending} is stored; then those of the write in flight. */
  private List<Runnable> pendingAcks = new ArrayList<>();
  private List<Runnable> inFlightAcks = new ArrayList<>();
  private long firstPendingNanos;
  private long dueNanos = Long.MAX_VALUE;
  private long notBeforeNanos = Long.MIN_VALUE;
  private ScheduledFuture<?> timer;
  private long timerNanos;
  /** A write that is due now waits in the document's lane ({@link #onDue}), not in the timer. */
  private boolean dueQueued;
  private boolean inFlight;
  private int storedPieces;
  /**
   * What the store's whole state weighed when it was last written or loaded, and what was appended since (update
   * weights): a compaction encodes the whole document on its thread, so on a server on its own it waits until the
   * appended pieces weigh as much ({@link #compactionDue}). Counted by pieces alone, a busy document of 1 MB that
   * acknowledges every update (Hocuspocus, collab/1: one piece each) was encoded whole every 500 updates: at 1,000
   * updates a second, two encodings of the whole document a second on its event loop.
   */
  private long stateWeight;
  private long appendedWeight;
  /** The weight of the state in flight, if the write in flight is a compaction. */
  private long inFlightStateWeight;
  private int failures;
  private boolean urgent;
  /**
   * Lane-confined: the update being applied has a client waiting for its acknowledgement, so its write is due at
   * once ({@link #whenStored}) and {@link #updated} queues it straight away. Debounced first, it armed the timer that
   * whenStored cancelled right after: per acknowledged update, a schedule and a removal on the timer's queue and the
   * timer thread woken for nothing (RESULTS.md, "Server CPU, round 8").
   */
  private boolean ackFollows;
  private boolean closed;
  /** In a cluster: this node's compaction of the document is queued or running ({@link #compactInCluster}). */
  private boolean compacting;
  private final List<CompletableFuture<Void>> waiters = new ArrayList<>();

  StoreWriter(SharedDocument document, ServerRuntime runtime) {
    this.document = document;
    this.runtime = runtime;
    ServerConfig config = runtime.config();
    this.debounceNanos = config.storeDebounce().toNanos();
    this.maxWaitNanos = config.storeMaxWait().toNanos();
    this.retryMaxNanos = config.storeRetryMax().toNanos();
    this.compactAfter = config.compactAfterUpdates();
    this.maxBacklog = config.maxUnstoredBytesPerDocument();
    this.maxServerBacklog = config.maxUnstoredBytes();
  }

  /** The document was loaded from {@code pieces} stored updates of {@code bytes} bytes in all. */
  void loaded(int pieces, long bytes) {
    storedPieces = pieces;
    stateWeight = bytes;
  }

  /**
   * Another node stored a piece of this document (in a cluster): counted, so that the lease holder compacts what
   * every node appended, not only its own pieces.
   */
  void storedElsewhere() {
    storedPieces++;
    if (inFlight) {
      storedElsewhereInFlight++;
    }
    changedElsewhere = true;
    dueNanos = Math.min(dueNanos, System.nanoTime() + debounceNanos);
    arm();
  }

  /**
   * A reload from the store (a cluster's resync) found {@code pieces} stored pieces: the count is at least that,
   * whatever updates this node missed and so never counted.
   */
  void reloaded(int pieces) {
    storedPieces = Math.max(storedPieces, pieces);
    compactIfDue();
  }

  private void compactIfDue() {
    if (compactionDue(storedPieces)) {
      dueNanos = Math.min(dueNanos, System.nanoTime() + debounceNanos);
      arm();
    }
  }

  /**
   * Says whether the update about to be applied will wait for {@link #whenStored} (its client wants an
   * acknowledgement); false again once it is applied.
   */
  void ackFollows(boolean follows) {
    ackFollows = follows;
  }

  /** The document changed by {@code update}. */
  void updated(byte[] update) {
    long now = System.nanoTime();
    if (pending.isEmpty()) {
      firstPendingNanos = now;
    }
    pending.add(update);
    pendingUpdates++;
    pendingWeight += weight(update);
    runtime.unstored(1, weight(update));
    // In a cluster the other nodes get an update only once it is stored (store, commit, publish): debouncing would
    // hold it back from their clients for the debounce. Stored at once instead, as if a client waited for its ack;
    // what arrives while a write is in flight goes in the next one. An update waiting for its ack keeps the batch
    // due at once: a later one without an ack (a y-websocket client beside a Hocuspocus one) must not debounce it.
    // A long batch goes at once too: its merge grows with it (MAX_BATCH_UPDATES).
    boolean atOnce = urgent || ackFollows || document.cluster != null || !pendingAcks.isEmpty()
        || pendingUpdates >= MAX_BATCH_UPDATES || pendingWeight >= MAX_BATCH_WEIGHT;
    dueNanos = atOnce ? now : Math.min(now + debounceNanos, firstPendingNanos + maxWaitNanos);
    arm();
  }

  /**
   * Runs {@code ack} (on the document's thread) once every update made so far is stored. Updates waiting for an
   * acknowledgement are written at once, not debounced; whatever else arrived meanwhile goes in the same write.
   */
  void whenStored(Runnable ack) {
    if (!pending.isEmpty()) {
      pendingAcks.add(ack);
      runtime.unstored(0, ACK_WEIGHT);
      dueNanos = System.nanoTime();
      arm();
    } else if (inFlight) {
      inFlightAcks.add(ack);
      runtime.unstored(0, ACK_WEIGHT);
    } else {
      ack.run();
    }
  }

  /**
   * Whether this document's backlog (what waits for the store: updates, acknowledgements) has reached
   * {@code maxUnstoredBytesPerDocument}, or the server's has reached {@code maxUnstoredBytes}: then new updates of
   * clients are refused. Checked before an update is taken, so one update may go beyond the bound.
   */
  boolean isBacklogFull() {
    long acks = (long) pendingAcks.size() + inFlightAcks.size();
    return pendingWeight + inFlightWeight + acks * ACK_WEIGHT >= maxBacklog
        || runtime.unstoredBytes() >= maxServerBacklog;
  }

  /** What {@code update} holds in memory while it waits for the store. */
  private static long weight(byte[] update) {
    return update.length + PIECE_OVERHEAD;
  }

  /**
   * Whether every update is stored and the store holds the document in one piece; in a cluster, only the first (the
   * lease holder compacts, and other nodes append meanwhile).
   */
  boolean isStored() {
    return pending.isEmpty() && !inFlight && (document.cluster != null || storedPieces <= 1);
  }

  /** Whether this node does the document's once-only work: always on its own, the lease holder in a cluster. */
  private boolean ownsOnceOnlyWork() {
    return document.cluster == null || document.cluster.isOwner();
  }

  /** Stores everything now, compacted; completes when {@link #isStored()}. */
  CompletableFuture<Void> storeAll() {
    if (isStored()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> stored = new CompletableFuture<>();
    waiters.add(stored);
    urgent = true;
    dueNanos = System.nanoTime();
    arm();
    return stored;
  }

  /** Whether the last write failed (and is being retried). */
  boolean isFailing() {
    return failures > 0;
  }

  /** The document was unloaded: no more timers. */
  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private boolean wantsCompaction() {
    return (compactionDue(storedPieces) && !compacting) || (urgent && storedPieces > 1 && document.cluster == null);
  }

  /**
   * Whether a store holding {@code pieces} pieces is due a compaction: more than {@code compactAfterUpdates}, and,
   * on a server on its own, appended pieces that weigh as much as the last whole state (so that encoding the state
   * costs at most about what was appended since), or more than {@link #MAX_PIECES_FACTOR} times as many pieces. In a
   * cluster, the count alone (other nodes' pieces are counted, not weighed).
   */
  private boolean compactionDue(int pieces) {
    if (pieces <= compactAfter) {
      return false;
    }
    return document.cluster != null || appendedWeight >= stateWeight
        || pieces > (long) compactAfter * MAX_PIECES_FACTOR;
  }

  private void arm() {
    if (closed || inFlight || (pending.isEmpty() && !changedElsewhere && !wantsCompaction())) {
      return;
    }
    if (dueQueued) {
      return; // runs before any timer would
    }
    long at = Math.max(dueNanos, notBeforeNanos);
    if (at - System.nanoTime() <= 0) {
      // Due now (an update waits for its ack; in a cluster, every update): straight to the lane's queue. Through
      // the timer it cost two more hand-offs between threads (lane -> timer -> lane) per acknowledged update. Not
      // flushed right here: arm() is called from inside the document's update observers.
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      dueQueued = true;
      document.lane().execute(this::onDue);
      return;
    }
    if (timer != null) {
      if (timerNanos <= at) {
        return; // fires earlier and re-arms for the rest
      }
      timer.cancel(false);
    }
    timerNanos = at;
    try {
      timer = runtime.timer().schedule(() -> document.lane().execute(this::onTimer),
          Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      timer = null; // the server is closing and stores through storeAll()
    }
  }

  private void onDue() {
    dueQueued = false;
    onTimer();
  }

  private void onTimer() {
    timer = null;
    if (closed || inFlight) {
      return;
    }
    if (System.nanoTime() - Math.max(dueNanos, notBeforeNanos) < 0) {
      arm();
      return;
    }
    flush();
  }

  private void flush() {
    boolean changed = !pending.isEmpty() || changedElsewhere;
    changedElsewhere = false;
    if (changed && ownsOnceOnlyWork()) {
      // Just before the changes are stored, as CollabHooks promises: what the hook changes is stored with them.
      document.callHook(DocumentHook.CHANGE, () -> runtime.hooks().onChange(document.key(), document.doc()),
          this::store);
    } else {
      store();
    }
  }

  /** The rest of {@link #flush}, once the {@code onChange} hook returned. */
  private void store() {
    int pieces = storedPieces + (pending.isEmpty() ? 0 : 1);
    ClusterLink cluster = document.cluster;
    boolean compact = compactionDue(pieces) || (urgent && pieces > 1 && cluster == null);
    // In a cluster only the lease holder folds the document (the store task below refreshes the lease, so a node
    // past the threshold takes it over when its holder is gone); the others count again from here.
    boolean encodeState = compact && (cluster == null || cluster.isOwner());
    if (cluster != null && encodeState) {
      if (!compacting) {
        compactInCluster(cluster, pieces);
      }
      compact = false; // the batch, if any, is a plain append; the compaction counts the pieces when it is done
    }
    if (pending.isEmpty() && !compact) {
      settled();
      return;
    }
    Batch batch = new Batch(pending, pendingUpdates, pendingWeight);
    pending = new ArrayList<>();
    pendingUpdates = 0;
    pendingWeight = 0;
    inFlightWeight = batch.weight;
    inFlightAcks = pendingAcks;
    pendingAcks = new ArrayList<>();
    dueNanos = Long.MAX_VALUE;
    storedElsewhereInFlight = 0;
    byte[] state = encodeState && cluster == null ? document.doc().encodeStateAsUpdate() : null;
    inFlightStateWeight = state == null ? 0 : state.length;
    inFlight = true;
    DocumentStore store = runtime.config().store();
    boolean compactNow = compact;
    // A batch of several updates is merged on the way: off the document's thread (slowStoreLane).
    Executor lane = state == null && batch.pieces.size() > 1 ? document.slowStoreLane() : document.storeLane();
    lane.execute(() -> {
      RuntimeException error = null;
      long start = System.nanoTime();
      ServerObservations.Observed observed =
          runtime.observations().start(ServerObservations.Work.STORE, null, document.key(), -1);
      try {
        if (cluster != null) {
          if (!batch.pieces.isEmpty()) {
            appendInCluster(cluster, store, batch, compactNow, start, observed);
            return;
          }
          cluster.refreshLease();
        } else if (state != null) {
          store.replace(document.key(), state);
        } else {
          store.append(document.key(), batch.merged());
        }
      } catch (RuntimeException e) {
        error = e;
      }
      stored(batch, compactNow, error, start, observed);
    });
  }

  /**
   * Store executor. Nothing replaces in a cluster: append, publish once committed (the lease holder compacts beside
   * this, {@link #compactInCluster}). The append waits on a future, not on this worker thread, so a store that
   * group-commits ({@code JdbcDocumentStore}) puts every document's due write into one commit: with blocked worker
   * threads a commit held at most as many documents as the pool has threads, and the others queued for the next
   * flush of the database's log (at 3 nodes with {@code synchronous_commit=on}, ack p50 364 ms against 3.5 ms with
   * it off).
   */
  private void appendInCluster(ClusterLink cluster, DocumentStore store, Batch batch, boolean compact,
      long start, ServerObservations.Observed observed) {
    byte[] merged = batch.merged();
    CompletableFuture<Void> appended;
    try {
      appended = store.appendAsync(document.key(), merged);
    } catch (RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    // Completes on the store's thread (its writer, for every document of a commit): only what does not block here.
    appended.whenComplete((v, e) -> {
      if (e != null) {
        stored(batch, compact, failure(e), start, observed);
        return;
      }
      cluster.published(merged);
      if (!cluster.leaseLookDue()) {
        stored(batch, compact, null, start, observed);
        return;
      }
      // Only after the publish: a look at the lease may wait on the database, and the other nodes need not.
      document.storeLane().execute(() -> {
        RuntimeException error = null;
        try {
          cluster.refreshLease();
        } catch (RuntimeException e2) {
          error = e2;
        }
        stored(batch, compact, error, start, observed);
      });
    });
  }

  /**
   * Document thread: the lease holder folds the stored pieces into one ({@link ClusterLink#compact}), on the
   * server's compaction lane ({@link CompactionLane}): one document at a time for the whole node, with a rest after
   * each, while this document's writes and their acknowledgements go on (a compaction leaves rows appended meanwhile
   * as they are). Between the writes, as it
   * was, a compaction held the document's next append, and so its acknowledgements and the other nodes' copies, for
   * as long as it took; and the documents of a node that loaded them together (a start, a relay of 100 documents at
   * 10 updates/s each) reach the threshold together: in the 2-node relay all 100 compactions within 6 s, up to 525 ms
   * each on the blocking threads and pooled connections they all took, held every document's writes (its worst
   * seconds, relay p50 0.5-0.8 s).
   *
   * <p>The state it folds in is encoded at the compaction's turn ({@link #stateAtTurn}), not when it is queued: the
   * documents that pass the threshold together wait seconds in the lane, and a state encoded when queued lacked
   * every row stored meanwhile, so that most of them took the fold of a fresh document (cold code, new to the
   * compiler at that moment) instead of storing the state as it is.
   *
   * @param pieces the pieces counted when it started, the write being flushed with it included
   */
  private void compactInCluster(ClusterLink cluster, int pieces) {
    compacting = true;
    try {
      runtime.compactions().execute(() -> {
        try {
          byte[] state = stateAtTurn();
          if (state != null) {
            cluster.compact(state);
          }
        } catch (RuntimeException e) {
          log.warn("compacting document {} failed ({}); its pieces stay as they are, and it is tried again after {}"
              + " more", document.key(), e.toString(), compactAfter);
        }
        document.lane().execute(() -> compactionEnded(pieces));
      });
    } catch (RejectedExecutionException e) {
      compacting = false; // the server is closing
    }
  }

  /**
   * Compaction lane: the document's state, encoded on its thread now; null if the document was unloaded or the
   * server is closing (no compaction then: the next holder compacts).
   */
  private byte[] stateAtTurn() {
    try {
      return document.call(d -> d.encodeStateAsUpdate()).get(STATE_AT_TURN_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.debug("document {}: no state to compact ({})", document.key(), e.toString());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Document thread: the compaction begun at {@code pieces} pieces ended. What was stored after it began may not be
   * folded in, and stays counted (counting some twice only compacts sooner); a failed one is counted as done, so
   * that it is tried again after as many pieces, not at every write.
   */
  private void compactionEnded(int pieces) {
    compacting = false;
    storedPieces = Math.max(1, storedPieces - pieces + 1);
  }

  private static RuntimeException failure(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return cause instanceof RuntimeException re ? re
        : new StoreException("could not append: " + cause, cause);
  }

  /**
   * Any thread: the write ended; the rest happens on the document's thread. A failed batch is merged first, here on
   * the store's thread, to wait for the next attempt as one update.
   */
  private void stored(Batch batch, boolean compact, RuntimeException failure, long start,
      ServerObservations.Observed observed) {
    runtime.metrics().storeCompleted(System.nanoTime() - start, failure == null);
    observed.stop(failure == null ? "success" : "failure", failure);
    if (failure != null) {
      batch.mergeForRetry(document);
    }
    document.lane().execute(() -> written(batch, compact, failure));
  }

  /**
   * Merges {@code pieces} (at least one) into one update, {@link #MERGE_GROUP} at a time, then the groups' results
   * likewise. {@link Updates#merge} sorts its inputs again for every struct it writes, as Yjs's {@code mergeUpdates}
   * does: n pieces cost about n² log n. A batch of a busy document's 10 s (2,000 one-struct updates at peak-20) took
   * 0.05-0.9 s in one merge, 10-100 ms in groups, with the same bytes.
   */
  static byte[] mergeInGroups(List<byte[]> pieces) {
    List<byte[]> level = pieces;
    while (level.size() > 1) {
      List<byte[]> merged = new ArrayList<>((level.size() + MERGE_GROUP - 1) / MERGE_GROUP);
      for (int from = 0; from < level.size(); from += MERGE_GROUP) {
        List<byte[]> group = level.subList(from, Math.min(level.size(), from + MERGE_GROUP));
        merged.add(group.size() == 1 ? group.get(0) : Updates.merge(group));
      }
      level = merged;
    }
    return level.get(0);
  }

  /**
   * Updates on their way to the store: the pieces as they came, how many updates they hold and what they weigh;
   * once merged ({@link #merged}), the one update that replaces them. Handed from the document's thread to the
   * store's and back.
   */
  private static final class Batch {
    final List<byte[]> pieces;
    final int updates;
    final long weight;
    private byte[] merged;

    Batch(List<byte[]> pieces, int updates, long weight) {
      this.pieces = pieces;
      this.updates = updates;
      this.weight = weight;
    }

    /** One update for the batch: the document produced every one of them, so they merge. */
    byte[] merged() {
      if (merged == null) {
        merged = mergeInGroups(pieces);
      }
      return merged;
    }

    /** Merges the pieces of a failed write, if not done yet; a failed merge leaves them as they are. */
    void mergeForRetry(SharedDocument document) {
      if (pieces.size() < 2) {
        return; // nothing to merge (a compaction, a look at the lease, one update)
      }
      try {
        merged();
      } catch (RuntimeException e) {
        log.warn("document {}: the updates waiting for the store do not merge ({}); they wait as they are",
            document.key(), e.toString());
      }
    }
  }

  private void written(Batch batch, boolean compacted, RuntimeException failure) {
    inFlight = false;
    inFlightWeight = 0;
    long now = System.nanoTime();
    List<Runnable> acks = inFlightAcks;
    inFlightAcks = new ArrayList<>();
    if (failure == null) {
      runtime.unstored(-batch.updates, -batch.weight - (long) acks.size() * ACK_WEIGHT);
      // Recovered before the acks go out: whoever sees an ack sees the store healthy (metrics, health, status).
      if (failures > 0) {
        log.info("document {} is stored again after {} failed attempts", document.key(), failures);
        document.storeStatusChanged(false);
      }
      acks.forEach(Runnable::run);
      failures = 0;
      notBeforeNanos = Long.MIN_VALUE;
      // A compaction folds what the store held when it ran; what other nodes stored while it was in flight may
      // come after it, so it stays counted (counting some twice only compacts sooner).
      storedPieces = compacted ? 1 + storedElsewhereInFlight : storedPieces + 1;
      if (compacted) {
        stateWeight = inFlightStateWeight;
        appendedWeight = 0;
      } else {
        appendedWeight += batch.weight;
      }
      if (ownsOnceOnlyWork()) {
        document.callStoreHook();
      }
    } else {
      failures++;
      long backoff = Math.min(retryMaxNanos, FIRST_RETRY_NANOS << Math.min(failures - 1, 20));
      notBeforeNanos = now + backoff;
      putBack(batch);
      acks.addAll(pendingAcks);
      pendingAcks = acks;
      firstPendingNanos = now;
      dueNanos = now;
      long millis = TimeUnit.NANOSECONDS.toMillis(backoff);
      if (failures == 1) {
        log.warn("storing document {} failed; it stays in memory and is retried in {} ms", document.key(), millis,
            failure);
        document.storeStatusChanged(true);
      } else {
        log.warn("storing document {} failed again (attempt {}: {}); retrying in {} ms", document.key(), failures,
            failure.toString(), millis);
      }
    }
    if (urgent) {
      dueNanos = Math.min(dueNanos, now);
    }
    // Another node's change that arrived while this write was in flight still owes the once-only work (onChange).
    if (pending.isEmpty() && !changedElsewhere && !wantsCompaction()) {
      settled();
    } else {
      arm();
    }
  }

  /** A failed batch goes back in front of what came after it, merged into one update if it could be. */
  private void putBack(Batch batch) {
    List<byte[]> back = new ArrayList<>();
    long weight = batch.weight;
    if (batch.merged != null) {
      back.add(batch.merged);
      weight = weight(batch.merged);
      runtime.unstored(0, weight - batch.weight);
    } else {
      back.addAll(batch.pieces);
    }
    back.addAll(pending);
    pending = back;
    pendingUpdates += batch.updates;
    pendingWeight += weight;
  }

  private void settled() {
    if (!isStored() && urgent) {
      arm();
      return;
    }
    urgent = false;
    List<CompletableFuture<Void>> done = new ArrayList<>(waiters);
    waiters.clear();
    done.forEach(f -> f.complete(null));
  }
}
