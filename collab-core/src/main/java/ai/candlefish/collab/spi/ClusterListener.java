package ai.candlefish.collab.spi;

/**
 * What a node hears from the other nodes about one document. Called on the transport's threads, one call at a time
 * per document: hand the work to the document's own executor, and return quickly.
 */
public interface ClusterListener {
  /**
   * Another node stored this update. Apply it as a remote update: relay it to this node's clients; never store it,
   * never publish it.
   */
  void onRemoteUpdate(byte[] update);

  /**
   * Presence of another node's clients changed (a y-protocols awareness update): apply it and relay it to this
   * node's clients. Also carries removals made for a node whose heartbeat stopped.
   */
  void onRemoteAwareness(byte[] awarenessUpdate);

  /**
   * This node may have missed updates (a trimmed stream, a restarted or unreachable engine, another node's failed
   * publish). The transport has noted a new position already; reload the document from the store, apply what was
   * loaded as a remote update, and so bring this node's clients up to date (the update that applying produces is
   * exactly what they lack).
   */
  void onResync();
}
