package ai.candlefish.collab.spi;

/**
 * One document as joined on a {@link ClusterTransport}. Thread-safe.
 */
public interface ClusterDocument extends AutoCloseable {
  /** The document. */
  DocumentKey key();

  /**
   * Starts delivering the other nodes' updates from the position noted by {@link ClusterTransport#join}. Call once,
   * after the document was loaded from the store.
   */
  void start();

  /**
   * Sends an update that this node has <em>stored</em> (committed) to the other nodes. Never blocks, never throws
   * for engine failures: an update that could not be published makes the other nodes reload the document from the
   * store once the engine is back.
   *
   * @param update a Yjs v1 update, stored already
   */
  void publishUpdate(byte[] update);

  /**
   * Sends a presence change of this node's clients (a y-protocols awareness update) to the other nodes. Changes are
   * coalesced per client over a short period; presence is never stored.
   */
  void publishAwareness(byte[] awarenessUpdate);

  /**
   * Stops following the document on this node (the server unloaded it). The other nodes remove the presence of this
   * node's clients of the document when this node sends their removal first (as a server does when its clients
   * leave), or at the latest when this node's heartbeat stops.
   */
  @Override
  void close();
}
