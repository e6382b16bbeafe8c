package ai.candlefish.collab.client;

/**
 * What happens to a {@link CollabClient}'s connection. Every method has a no-op default; override what you need.
 *
 * <p>Methods are called one at a time on the client's own thread (never on a Netty event loop), in the order the
 * events happened; the same thread applies remote updates, so a listener sees documents in a consistent state. A
 * listener must not block for long: it holds up the client. An exception it throws is logged and ignored.
 */
public interface CollabClientListener {
  /** The server accepted the token; documents are being (re)opened and resynchronised. After every reconnect. */
  default void onConnected() {}

  /**
   * A WebSocket connection ended. The client reconnects with backoff, unless {@link CollabClient#close()} was called,
   * {@code code} is in 4400-4499 (the token was refused: retrying would not help; then every pending future
   * fails with {@link RefusedException}), or a message was too big for one side, which a retry would send again:
   * 1009 from the server (an update or presence state over its maximum message size; {@link RefusedException}), or
   * one from the server over {@link CollabClient.Builder#maxMessageSize} ({@link IllegalStateException}).
   *
   * @param code the WebSocket close code (1006 when the connection was lost without one)
   * @param reason the close reason ("" if none)
   */
  default void onDisconnected(int code, String reason) {}

  /**
   * Something failed that the client handles by itself: a connection attempt, the handshake, a frame that could not
   * be read, the server refusing the token ({@link RefusedException}), or a document closed because the server sent
   * more of it than {@link CollabClient.Builder#maxDocumentBytes} lets the client hold ({@link
   * IllegalStateException}), or a connection the client closed because more than {@link
   * CollabClient.Builder#maxQueuedBytes} waited for a server that did not read ({@link IllegalStateException}; the
   * client reconnects). For logging and metrics.
   */
  default void onError(Throwable error) {}

  /**
   * The server refused a document: the principal may not open it (4403; the document is then closed for good and
   * {@link CollabClient#open}'s future fails) or it is unavailable for now (4503; the client tries again).
   */
  default void onDocumentRefused(String document, int code, String reason) {}

  /** An application message about an open document ({@link ClientDocument#sendCustom}), sent by the server. */
  default void onCustom(String document, String payload) {}

  /**
   * The server cannot store the document's updates now ({@code failing}; acknowledgements wait, the updates stay in
   * the server's memory and this client's, both retry), or can again. A UI may show "not saved".
   */
  default void onStoreStatus(String document, boolean failing) {}
}
