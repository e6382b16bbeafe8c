package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import java.net.URI;

/**
 * How a simulated client talks to the server: where it connects for a document, and what it sends and understands
 * on that connection. The load generator owns the sockets, the documents, the clock and the figures; a protocol
 * only turns intentions ("open the document", "send this update") into binary WebSocket messages and server
 * messages back into changes of the client's {@link Doc} and {@link Awareness}.
 *
 * <p>Lifecycle of one client: {@link #uri} gives the address; once the WebSocket is open, {@link #newConversation}
 * creates the client's conversation and {@link Conversation#opened()} sends whatever opens the document
 * (authentication, sync step 1, awareness). Every binary message from the server goes to
 * {@link Conversation#received}; the conversation hands each remote update to {@link Listener#remoteUpdate} (the
 * load generator times and counts it there), applies the initial sync's state to the document with itself as the
 * origin, and says {@link Listener#synced()} once the server's state is in. Local edits go out through
 * {@link Conversation#sendUpdate}.
 *
 * <p>y-websocket ({@link YWebsocketLoadProtocol}) has one connection per document; a multi-document protocol
 * (collab/1, {@link CollabV1LoadProtocol}) returns the same URI for every document, asks for its WebSocket
 * {@link #subprotocol()}, and opens its document in {@link Conversation#opened()}. A protocol whose server
 * acknowledges updates ({@link #acknowledges()}) reports each acknowledgement to {@link Listener#acknowledged}.
 *
 * <p>Implementations are thread-safe; a conversation is used by one thread at a time (its connection's event
 * loop).
 */
public interface LoadProtocol {

  /** A short name for reports, such as {@code "y-websocket"}. */
  String name();

  /** The WebSocket subprotocol the handshake asks for, or null for none. */
  default String subprotocol() {
    return null;
  }

  /** Whether the server acknowledges every update sent with {@link Conversation#sendUpdate}. */
  default boolean acknowledges() {
    return false;
  }

  /**
   * The protocol client {@code client} of a run on {@code documents} documents speaks: this one, but for a mix of
   * several ({@link MixedLoadProtocol}).
   */
  default LoadProtocol forClient(int client, int documents) {
    return this;
  }

  /** The WebSocket URI a client of {@code document} connects to, given the server's {@code ws://host:port}. */
  URI uri(URI server, String document);

  /** {@code ws://host:port/}: where clients of a multi-document protocol connect, whatever their document. */
  static URI root(URI server) {
    String base = server.toString();
    return URI.create(base.endsWith("/") ? base : base + "/");
  }

  /**
   * The conversation of one client with one document, started once its WebSocket is open.
   *
   * @param document the document's name
   * @param doc the client's document (the conversation applies the sync steps' state to it, not the updates)
   * @param awareness the client's awareness (the conversation applies the server's awareness updates to it)
   * @param out where the conversation's messages go
   * @param listener what the conversation reports to the load generator
   */
  Conversation newConversation(String document, Doc doc, Awareness awareness, Sender out, Listener listener);

  /** The way out to the server: one call sends one binary WebSocket message. */
  @FunctionalInterface
  interface Sender {
    void send(byte[] message);
  }

  /** What a conversation tells the load generator; called on the connection's event loop. */
  interface Listener {
    /** The initial exchange is complete: the client's document holds the server's state. */
    void synced();

    /** A Yjs v1 update from the server (not the initial state), which the conversation does not apply. */
    void remoteUpdate(byte[] update);

    /**
     * The server acknowledged an update sent at {@code sentNanos} ({@link System#nanoTime()}): it is applied and
     * stored. Only for protocols that {@link #acknowledges() acknowledge}.
     */
    default void acknowledged(long sentNanos) {}
  }

  /** One client's side of the protocol; used on its connection's event loop only. */
  interface Conversation {
    /** The WebSocket is open: sends what opens the document. */
    void opened();

    /**
     * Handles one binary message from the server.
     *
     * @throws RuntimeException if the message is malformed (the load generator counts it and closes the client)
     */
    void received(byte[] message);

    /** Sends a local Yjs v1 update of the client's document. */
    void sendUpdate(byte[] update);

    /** Sends the client's current awareness state. */
    void sendAwareness();
  }
}
