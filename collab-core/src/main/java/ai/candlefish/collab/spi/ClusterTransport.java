package ai.candlefish.collab.spi;

import java.util.function.Consumer;

/**
 * How the nodes of a cluster that serve the same documents hear each other's updates and presence: the engine
 * (Redis Streams in {@code collab-redis}; NATS JetStream or Kafka could be others) behind one small interface, so
 * that the server's sessions never know which one it is.
 *
 * <p>The engine carries <em>copies</em>: the store of record decides what exists. A node stores an update, waits for
 * the commit, acknowledges it to its client, and only then {@link ClusterDocument#publishUpdate publishes} it; the
 * other nodes apply it as a remote update (relayed to their clients, never stored again, never published again).
 * Whenever the engine cannot promise that a node saw every update since it loaded a document (a trimmed stream, a
 * restarted engine, a lost connection, an update that failed to publish), the node is told to {@link
 * ClusterListener#onResync reload from the store}, which holds every acknowledged update: nothing acknowledged is
 * lost, and applying an update twice changes nothing.
 *
 * <p><b>No gaps.</b> {@link #join} notes the engine's position for the document <em>before</em> the server loads it
 * from the store; {@link ClusterDocument#start} then delivers everything after that position. An update stored
 * before the load is in what was loaded; one published after the position is delivered; one in both is applied twice,
 * harmlessly.
 *
 * <p>Implementations are thread-safe. {@link #join} may block (call it from a worker thread, as the server loads
 * documents); the publish methods never block and never throw for engine failures.
 */
public interface ClusterTransport extends AutoCloseable {
  /** This node's id, unique among the live nodes. */
  String nodeId();

  /**
   * Starts following document {@code key} on this node: notes the engine's position for it (see the class comment),
   * and subscribes to its presence. Call before loading the document from the store; call {@link
   * ClusterDocument#start} once it is loaded. When the engine is unreachable, returns at once with a document that
   * asks for a {@link ClusterListener#onResync resync} as soon as the engine is back.
   *
   * @param listener hears the other nodes' updates and presence of this document, on the transport's threads
   * @throws IllegalStateException if the document is already joined on this node, or the transport is closed
   */
  ClusterDocument join(DocumentKey key, ClusterListener listener);

  /**
   * Sends a revocation made on this node to every other node, which ends the principal's sessions there and refuses
   * its tokens issued before, as this node does. Never blocks, never throws for engine failures: a revocation that
   * cannot be sent now is sent once the engine is back, and a node cut off from the engine hears the revocations it
   * missed once it is reconnected (so a revoked session lasts there at most until then, or until its token expires).
   */
  void publishRevocation(Revocation revocation);

  /**
   * Where this node hears the other nodes' revocations, and those made while it was not listening (before it started,
   * or while it was cut off) that are still remembered; set once, by the server as it starts. Called on the
   * transport's threads: hand the work off and return quickly. Hearing a revocation twice changes nothing.
   *
   * @throws IllegalStateException if a listener was set already
   */
  void onRevocation(Consumer<Revocation> listener);

  /** Leaves every document, tells the other nodes that this node's presence is gone, and closes the connections. */
  @Override
  void close();
}
