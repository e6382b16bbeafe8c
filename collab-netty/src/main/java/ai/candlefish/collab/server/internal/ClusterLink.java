package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.ClusterDocument;
import ai.candlefish.collab.spi.ClusterListener;
import ai.candlefish.collab.spi.ClusterTransport;
import ai.candlefish.collab.spi.DocumentLease;
import ai.candlefish.collab.spi.DocumentLeases;
import ai.candlefish.collab.spi.LeaseLostException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One document's place in a cluster: where its stored updates and its clients' presence flow out to the other
 * nodes, where theirs flow in, and whether this node holds the document's lease (and so does its once-only work:
 * the {@code onChange}/{@code onStore} hooks and compaction).
 *
 * <p>The rules, from the store of record outwards: an update this node accepted is published only after it is
 * stored ({@link #published}, called by {@link StoreWriter} after the append returned); an update from another
 * node is applied with the origin {@link #REMOTE}, which {@link SharedDocument} relays to its clients but never
 * stores or publishes; nothing calls {@code DocumentStore.replace}: the lease holder compacts through {@link
 * DocumentLeases#compact}, fenced by its epoch. A resync (the transport may have missed updates) reloads the
 * document from the store and applies it as remote: the update that produces is what this node's clients lack.
 *
 * <p>Threads: {@link #join}, {@link #refreshLease}, {@link #compact}, {@link #published} and {@link #release} run
 * on the document's store executor (they may block); {@link #start}, {@link #leave}, {@link #isOwner} and {@link
 * #awareness} on its own executor; the listener's calls on the transport's threads only queue work; {@link
 * #leaseLookDue} on any thread.
 */
final class ClusterLink {
  private static final Logger log = LoggerFactory.getLogger(ClusterLink.class);
  /** The origin of updates and presence that came from another node. */
  static final Object REMOTE = new Object() {
    @Override
    public String toString() {
      return "cluster";
    }
  };

  private final SharedDocument document;
  private final ClusterTransport transport;
  private final DocumentLeases leases;
  private volatile ClusterDocument joined;
  private volatile DocumentLease lease;
  /** Written on the store executor; read by {@link #leaseLookDue} from any thread. */
  private volatile long nextAcquireNanos;
  private ScheduledFuture<?> leaseWatch;
  /** A look at the lease waits on the store executor: no second one is queued behind it (the database may hang). */
  private final AtomicBoolean leaseLookQueued = new AtomicBoolean();

  ClusterLink(SharedDocument document, ServerRuntime.Cluster cluster) {
    this.document = document;
    this.transport = cluster.transport();
    this.leases = cluster.leases();
  }

  /**
   * Before the load: notes the position from which the other nodes' updates are read. Store executor. An instance of
   * this document that was just unloaded may not have left yet (it leaves on its own executor): then tries again
   * for up to a second.
   */
  void join() {
    for (int attempt = 1; ; attempt++) {
      try {
        joined = transport.join(document.key(), listener());
        break;
      } catch (IllegalStateException e) {
        if (attempt == 50) {
          throw e;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    refreshLease();
  }

  private ClusterListener listener() {
    return new ClusterListener() {
      @Override
      public void onRemoteUpdate(byte[] update) {
        document.applyRemote(update);
      }

      @Override
      public void onRemoteAwareness(byte[] awarenessUpdate) {
        document.applyRemoteAwareness(awarenessUpdate);
      }

      @Override
      public void onResync() {
        document.resync();
      }
    };
  }

  /**
   * After the load: starts reading from the noted position, and watches the lease while the document is loaded, so
   * that this node takes it over when its holder is gone even if nothing is stored here meanwhile.
   */
  void start() {
    joined.start();
    if (leases != null) {
      long period = Math.max(1, leases.ttl().toMillis() / 3);
      try {
        leaseWatch = document.runtime().timer().scheduleWithFixedDelay(
            this::queueLeaseLook, period, period, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the server is closing
      }
    }
  }

  private void queueLeaseLook() {
    if (leaseLookQueued.compareAndSet(false, true)) {
      document.storeLane().execute(() -> {
        leaseLookQueued.set(false);
        watchLease();
      });
    }
  }

  /** Store executor: tries to take the lease; a node that gains it catches up on the once-only work. */
  private void watchLease() {
    boolean had = isOwner();
    refreshLease();
    if (!had && isOwner()) {
      document.ownerCatchUp();
    }
  }

  /** The update is stored: the other nodes may have it. Store executor. */
  void published(byte[] update) {
    joined.publishUpdate(update);
  }

  /** This node's clients' presence changed. */
  void awareness(byte[] awarenessUpdate) {
    if (joined != null) {
      joined.publishAwareness(awarenessUpdate);
    }
  }

  /**
   * Whether this node holds the lease: it was granted, and this node's heartbeat has not lapsed since (a node that
   * could not reach the database, or was paused, for longer than the TTL may have lost it to another node).
   */
  boolean isOwner() {
    DocumentLease current = lease;
    return current != null && leases.isTrusted(current);
  }

  /**
   * Whether {@link #refreshLease} would do anything now (the lease is lost, untrusted, or due for another try);
   * false when it would return at once. Any thread: a stale answer only moves a look to the next write or to the
   * lease watch.
   */
  boolean leaseLookDue() {
    if (leases == null) {
      return false;
    }
    DocumentLease current = lease;
    return current == null ? System.nanoTime() - nextAcquireNanos >= 0 : !leases.isTrusted(current);
  }

  /**
   * Takes the lease if this node has none (or no longer trusts the one it had) and the last try was more than a
   * third of the TTL ago. Store executor.
   */
  void refreshLease() {
    if (leases == null) {
      return;
    }
    DocumentLease current = lease;
    if (current != null && !leases.isTrusted(current)) {
      lease = null;
      nextAcquireNanos = System.nanoTime();
      log.info("document {}: this node's lease heartbeat lapsed; no once-only work until the database grants"
          + " it again (epoch {} was held)", document.key(), current.epoch());
    }
    if (lease != null || System.nanoTime() - nextAcquireNanos < 0) {
      return;
    }
    nextAcquireNanos = System.nanoTime() + leases.ttl().toNanos() / 3;
    try {
      lease = leases.tryAcquire(document.key());
      if (lease != null) {
        log.debug("document {}: this node holds the lease (epoch {})", document.key(), lease.epoch());
      }
    } catch (RuntimeException e) {
      log.warn("document {}: could not read its lease ({}); its once-only work waits", document.key(),
          e.toString());
    }
  }

  /**
   * Compacts the stored document with {@code state} folded in, if this node holds the lease; a lost lease is
   * forgotten (another node does the work now). Store executor.
   *
   * @throws RuntimeException the store's failure, to be retried like any store write
   */
  void compact(byte[] state) {
    refreshLease();
    DocumentLease current = lease;
    if (current == null) {
      return; // the holder compacts
    }
    try {
      leases.compact(current, state);
    } catch (LeaseLostException e) {
      lease = null;
      nextAcquireNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leases.ttl().toMillis() / 3);
      log.info("document {}: {}", document.key(), e.getMessage());
    }
  }

  /** The document is unloaded: stop following it (never blocks). */
  void leave() {
    if (leaseWatch != null) {
      leaseWatch.cancel(false);
    }
    if (joined != null) {
      joined.close();
    }
  }

  /** The document is unloaded: give its lease up, so another node can take it at once. Store executor. */
  void release() {
    DocumentLease current = lease;
    lease = null;
    if (current != null) {
      try {
        leases.release(current);
      } catch (RuntimeException e) {
        log.debug("document {}: could not release its lease; it expires with this node's heartbeat",
            document.key(), e);
      }
    }
  }
}
