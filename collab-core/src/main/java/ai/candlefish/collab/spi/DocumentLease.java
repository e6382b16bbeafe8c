package ai.candlefish.collab.spi;

import java.util.Objects;

/**
 * The right of one node to do a document's once-only work (compaction, the host's {@code onChange}/{@code onStore}
 * work, server-side edits), as {@link DocumentLeases#tryAcquire} granted it: which node, and the fencing epoch.
 *
 * <p>The epoch grows by one at every change of owner. A write made under a lease carries its epoch, and the store
 * refuses it once a later epoch exists ({@link DocumentLeases#compact}), so a node that was paused past its lease and
 * comes back cannot overwrite what the new owner did. Immutable.
 *
 * @param key the document
 * @param nodeId the node that holds it
 * @param epoch the fencing epoch, 1 or more
 */
public record DocumentLease(DocumentKey key, String nodeId, long epoch) {
  /**
   * @throws NullPointerException if {@code key} or {@code nodeId} is null
   * @throws IllegalArgumentException if {@code epoch} is less than 1
   */
  public DocumentLease {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(nodeId, "nodeId");
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be at least 1 but is " + epoch);
    }
  }
}
