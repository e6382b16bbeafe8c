package ai.candlefish.collab.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One owner per document among the nodes of a cluster, for work that must happen once: compaction of the stored
 * log, the host's {@code onChange}/{@code onStore} work, server-side edits. Every node may serve every document;
 * only the lease holder does its once-only work.
 *
 * <p><b>Leases live in the database of record</b>, next to the documents (not in Redis: a lock service whose state
 * can vanish, as Redlock's can, gives two owners at once). A lease is a row per document with its owner and a
 * <em>fencing epoch</em>; it is valid while its owner's <em>node heartbeat</em> is (one heartbeat per node, not one
 * renewal per document, so a node with many documents costs one write per period). When a node's heartbeat expires
 * (measured by the database's clock, so the nodes' clocks do not matter), another node may take its documents over,
 * each with the next epoch.
 *
 * <p><b>Fencing.</b> Expiry alone is not safety: a node paused by a long GC or {@code SIGSTOP} does not know it
 * lost its leases. So the owner's writes go through {@link #compact}, which checks the epoch in the same
 * transaction as the write and refuses ({@link LeaseLostException}) when it is no longer current; a take-over waits
 * for a write in progress and happens after it.
 *
 * <p>Implementations are thread-safe. Methods may block on the database: call them from worker threads.
 */
public interface DocumentLeases extends AutoCloseable {
  /** This node's id, unique among the live nodes of the cluster. */
  String nodeId();

  /** How long this node's leases stay valid after its last heartbeat. */
  Duration ttl();

  /**
   * Renews this node's heartbeat, and so every lease it holds. Implementations usually call it themselves every
   * {@code ttl / 3}; calling it in addition does no harm.
   *
   * @throws StoreException if the database cannot be reached; the leases then expire after {@link #ttl()}
   */
  void heartbeat();

  /**
   * Makes this node the owner of {@code key} if nobody is, or the owner's heartbeat expired (then with the next
   * epoch), or this node already is (then with its current epoch).
   *
   * @return the lease, or {@code null} when another node with a live heartbeat holds the document
   * @throws StoreException if the database cannot be reached
   */
  @Nullable DocumentLease tryAcquire(DocumentKey key);

  /**
   * {@link #tryAcquire} for many documents at once: a node watching the leases of every document it serves asks
   * once per period for all of them, not once per document. The default calls {@link #tryAcquire} for each.
   *
   * @return the leases granted, by document; a document that another node with a live heartbeat holds is absent
   * @throws StoreException if the database cannot be reached (some leases may have been granted: a later call
   *     grants them again with the same epoch)
   */
  default Map<DocumentKey, DocumentLease> tryAcquireAll(Collection<DocumentKey> keys) {
    Map<DocumentKey, DocumentLease> granted = new HashMap<>();
    for (DocumentKey key : keys) {
      DocumentLease lease = tryAcquire(key);
      if (lease != null) {
        granted.put(key, lease);
      }
    }
    return granted;
  }

  /**
   * Whether this node may still act on {@code lease} without asking the database: its heartbeat has been renewed in
   * time, without a gap, ever since the lease was granted, so no other node can have taken the document over. Once
   * the heartbeat lapses (the database unreachable for longer than the TTL, the node paused past it) this is false
   * for every lease granted before, and stays false until {@link #tryAcquire} grants the lease again (with the same
   * epoch if nobody took the document meanwhile). Guard once-only work that the store cannot fence (the host's
   * hooks) with this; fenced writes go through {@link #compact}. Does no I/O.
   *
   * @throws NullPointerException if {@code lease} is null
   */
  boolean isTrusted(DocumentLease lease);

  /**
   * Whether {@code lease} is still this node's current lease (its epoch is the latest and this node holds it). A
   * {@code true} may be stale by the time it returns: guard writes with {@link #compact}, not with this.
   *
   * @throws StoreException if the database cannot be reached
   */
  boolean isCurrent(DocumentLease lease);

  /**
   * The owner's fenced compaction: folds {@code state} (this node's copy of the document, or null) and every row
   * stored for the lease's document into one state, if, in the same transaction, the lease is still current. In a
   * cluster no node's copy is known to hold every stored update (another node may have appended one a moment ago),
   * so this never drops a stored update that {@code state} lacks: that is why it is not {@link
   * DocumentStore#replace}, which nothing calls in cluster mode.
   *
   * @throws LeaseLostException if a later epoch exists or the lease was released; nothing was written
   * @throws StoreException if the database failed; what was stored before is then still there
   * @throws IllegalArgumentException if the lease is not one of this node's
   */
  void compact(DocumentLease lease, byte @Nullable [] state);

  /**
   * Gives the document up, so another node can take it at once (on unload, or on shutdown). Does nothing if the
   * lease is no longer current.
   *
   * @throws StoreException if the database cannot be reached (the lease then expires with the heartbeat)
   */
  void release(DocumentLease lease);

  /** Stops the heartbeat and releases nothing: leases expire after {@link #ttl()} (release them first). */
  @Override
  void close();
}
