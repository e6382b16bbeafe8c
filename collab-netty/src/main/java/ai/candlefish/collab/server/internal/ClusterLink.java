package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.ClusterDocument;
import ai.candlefish.collab.spi.ClusterListener;
import ai.candlefish.collab.spi.ClusterTransport;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentLease;
import ai.candlefish.collab.spi.DocumentLeases;
import ai.candlefish.collab.spi.LeaseLostException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
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
 * <p>Threads: {@link #join}, {@link #refreshLease}, {@link #published} and {@link #release} run on the document's
 * store executor (they may block); {@link #compact} on the server's compaction lane beside it (it may block, and
 * only ever takes the lease away); {@link #start}, {@link #leave}, {@link #isOwner} and {@link #awareness} on its
 * own executor; the listener's calls on the transport's threads, and {@link #looked} on the {@link LeaseWatch}'s,
 * only queue work; {@link #wantsLease} and {@link #leaseLookDue} on any thread.
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

  private static final VarHandle LEASE;

  static {
    try {
      LEASE = MethodHandles.lookup().findVarHandle(ClusterLink.class, "lease", DocumentLease.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final SharedDocument document;
  private final ClusterTransport transport;
  private final DocumentLeases leases;
  private volatile ClusterDocument joined;
  private volatile DocumentLease lease;
  /** Written on the store executor; read by {@link #leaseLookDue} from any thread. */
  private volatile long nextAcquireNanos;
  /** Where this node watches the lease while the document is loaded; null without leases. */
  private final LeaseWatch leaseWatch;
  /** Set by {@link #leave}: a lease the watch grants afterwards is given up at once. */
  private volatile boolean left;

  ClusterLink(SharedDocument document, ServerRuntime.Cluster cluster) {
    this.document = document;
    this.transport = cluster.transport();
    this.leases = cluster.leases();
    this.leaseWatch = leases == null ? null : document.runtime().leaseWatch();
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
    if (leaseWatch != null) {
      leaseWatch.add(this);
    }
  }

  DocumentKey key() {
    return document.key();
  }

  /** Whether the lease watch should ask for this document's lease: this node lacks it, or no longer trusts it. */
  boolean wantsLease() {
    DocumentLease current = lease;
    return !left && (current == null || !leases.isTrusted(current));
  }

  /**
   * The lease watch asked the database: {@code granted} is this node's lease, or null when another live node holds
   * it or the database could not be asked. Any thread; the rest runs on the store executor, where a lease this node
   * no longer trusts is dropped and a node that gains the lease catches up on the once-only work.
   */
  void looked(DocumentLease granted) {
    document.storeLane().execute(() -> {
      if (left) {
        if (granted != null) {
          giveUp(granted); // granted while the document was being unloaded: another node may take it at once
        }
        return;
      }
      boolean had = isOwner();
      dropUntrustedLease();
      if (granted != null) {
        lease = granted;
      }
      nextAcquireNanos = System.nanoTime() + leases.ttl().toNanos() / 3;
      if (!had && isOwner()) {
        log.debug("document {}: this node holds the lease (epoch {})", document.key(), granted.epoch());
        document.ownerCatchUp();
      }
    });
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
    dropUntrustedLease();
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

  /** Store executor: forgets a lease that this node no longer trusts (its heartbeat lapsed), to be granted again. */
  private void dropUntrustedLease() {
    DocumentLease current = lease;
    if (current != null && !leases.isTrusted(current)) {
      lease = null;
      nextAcquireNanos = System.nanoTime();
      log.info("document {}: this node's lease heartbeat lapsed; no once-only work until the database grants"
          + " it again (epoch {} was held)", document.key(), current.epoch());
    }
  }

  /**
   * Compacts the stored document with {@code state} folded in, if this node holds the lease and trusts it; a lost
   * lease is forgotten (another node does the work now). The server's compaction lane: it takes no lease (the
   * store executor does), and forgets the one it used only if that is still the one held.
   *
   * @throws RuntimeException the store's failure
   */
  void compact(byte[] state) {
    DocumentLease current = lease;
    if (current == null || !leases.isTrusted(current)) {
      return; // the holder compacts; the store executor gets the lease back when this node should have it
    }
    try {
      leases.compact(current, state);
    } catch (LeaseLostException e) {
      if (LEASE.compareAndSet(this, current, null)) {
        nextAcquireNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leases.ttl().toMillis() / 3);
      }
      log.info("document {}: {}", document.key(), e.getMessage());
    }
  }

  /** The document is unloaded: stop following it (never blocks). */
  void leave() {
    left = true;
    if (leaseWatch != null) {
      leaseWatch.remove(this);
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
      giveUp(current);
    }
  }

  private void giveUp(DocumentLease given) {
    try {
      leases.release(given);
    } catch (RuntimeException e) {
      log.debug("document {}: could not release its lease; it expires with this node's heartbeat",
          document.key(), e);
    }
  }
}
