package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentLease;
import ai.candlefish.collab.spi.DocumentLeases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watcher of the leases of every document a cluster node has loaded: every third of the lease TTL it asks
 * {@link DocumentLeases#tryAcquireAll} about the documents whose lease this node lacks (or no longer trusts), one call
 * for all of them, and hands each document what was granted, so that this node takes a document over when its holder
 * is gone even if nothing is stored here meanwhile. One look per document and period, each on its document's store
 * lane, cost a database round trip per document (4.4 % of a node's CPU in the 2-node relay's profile, and waits on
 * the store lanes); documents whose lease this node holds and trusts cost nothing.
 *
 * <p>Thread-safe: links register from their documents' threads; the look runs on the blocking pool, one at a time.
 */
final class LeaseWatch {
  private static final Logger log = LoggerFactory.getLogger(LeaseWatch.class);

  private final DocumentLeases leases;
  private final ExecutorService blockingPool;
  private final Set<ClusterLink> links = ConcurrentHashMap.newKeySet();
  /** A look waits on the database: no second one is queued behind it (the database may hang). */
  private final AtomicBoolean lookQueued = new AtomicBoolean();

  LeaseWatch(DocumentLeases leases, ScheduledExecutorService timer, ExecutorService blockingPool) {
    this.leases = leases;
    this.blockingPool = blockingPool;
    long period = Math.max(1, leases.ttl().toMillis() / 3);
    timer.scheduleWithFixedDelay(this::queueLook, period, period, TimeUnit.MILLISECONDS);
  }

  /** Watches the link's lease from now on. */
  void add(ClusterLink link) {
    links.add(link);
  }

  /** Stops watching the link's lease (its document was unloaded). */
  void remove(ClusterLink link) {
    links.remove(link);
  }

  private void queueLook() {
    if (lookQueued.compareAndSet(false, true)) {
      try {
        blockingPool.execute(this::look);
      } catch (RejectedExecutionException e) {
        lookQueued.set(false); // the server is closing
      }
    }
  }

  private void look() {
    try {
      List<ClusterLink> wanting = new ArrayList<>();
      List<DocumentKey> keys = new ArrayList<>();
      for (ClusterLink link : links) {
        if (link.wantsLease()) {
          wanting.add(link);
          keys.add(link.key());
        }
      }
      if (keys.isEmpty()) {
        return;
      }
      Map<DocumentKey, DocumentLease> granted;
      try {
        granted = leases.tryAcquireAll(keys);
      } catch (RuntimeException e) {
        // Each link still drops a lease it no longer trusts (the database may be down past the TTL).
        log.warn("could not read the leases of {} documents ({}); their once-only work waits", keys.size(),
            e.toString());
        granted = Map.of();
      }
      for (ClusterLink link : wanting) {
        link.looked(granted.get(link.key()));
      }
    } finally {
      lookQueued.set(false);
    }
  }
}
