package ai.candlefish.collab.server;

/**
 * The WebSocket close codes the server sends, and what a client should do about each.
 *
 * <p>Codes 4400-4499 mean "do not retry with the same credentials": y-websocket 3.x's {@code WebsocketProvider}
 * stops reconnecting on them. Codes 4500-4599 and the standard ones are transient: it reconnects with backoff.
 * {@code @hocuspocus/provider} 4.x reconnects on every close and takes "permission denied" as final for a document:
 * a document it may not open reaches it as "permission denied" (its socket stays), one it may not open now as its
 * socket closing with the code. collab/1 hears a document it may not open, or not now, as an
 * {@code Error} with the code for that document.
 * README "Security" has the table.
 */
public final class CloseCodes {
  private CloseCodes() {}

  /** The server is shutting down, or the client was silent for longer than the idle timeout. Reconnect. */
  public static final int GOING_AWAY = 1001;
  /** The client sent a malformed message (truncated, bad varint, an update that does not decode). */
  public static final int PROTOCOL_ERROR = 1002;
  /** The client sent a text frame, or a message type the protocol does not have. */
  public static final int UNSUPPORTED_DATA = 1003;
  /** The client broke a limit: too much data before authenticating, too many documents on one connection. */
  public static final int POLICY_VIOLATION = 1008;
  /** A message was larger than the server's maximum message size. */
  public static final int MESSAGE_TOO_BIG = 1009;
  /** The server failed unexpectedly while handling the client's message. */
  public static final int INTERNAL_ERROR = 1011;
  /**
   * The client did not read fast enough (more than the outbound buffer limit was waiting for it), sent stateless
   * messages faster than the server's {@code onStateless} hook takes them, or sent an update while the document's
   * updates wait for the store beyond {@code CollabServer.Builder.maxUnstoredBytes} (the update was not applied;
   * nothing accepted before is lost). Reconnect with backoff.
   */
  public static final int TRY_AGAIN_LATER = 1013;
  /**
   * The authenticator refused the token (or there was none, or it had expired), a fresh token was for another
   * principal, or the host revoked the principal ({@code CollabServer.revoke}; reason "access revoked"). Do not
   * retry with the same token.
   */
  public static final int UNAUTHORIZED = 4401;
  /** The principal has no permission on the document. Do not retry. */
  public static final int FORBIDDEN = 4403;
  /**
   * The client's update carried new structs under a Yjs client id that belongs to another principal in this
   * document (an id belongs to the principal that first wrote with it; the store keeps that). Nothing of it was
   * applied. A Yjs client never does this on its own: do not retry.
   */
  public static final int FOREIGN_CLIENT_ID = 4409;
  /**
   * The client's update would grow the document beyond the server's maximum document size
   * ({@code CollabServer.Builder.maxDocumentBytes}: the memory its content holds). The update was not applied; do
   * not retry it.
   */
  public static final int DOCUMENT_TOO_LARGE = 4413;
  /**
   * The client's update would nest shared types deeper than the server allows
   * ({@code CollabServer.Builder.maxNestingDepth}). The update was not applied; do not retry it.
   */
  public static final int NESTING_TOO_DEEP = 4422;
  /**
   * The client's update refers to updates the server does not have, and would have made the document hold more
   * waiting for them than it may ({@code maxPendingBytes}), or added to what has waited longer than
   * {@code maxPendingAge}. What of it could be integrated was; the part that would have waited was neither kept nor
   * stored, and the update was not acknowledged; nothing accepted before is dropped. Do not retry without sending
   * what it depends on first.
   */
  public static final int TOO_MUCH_PENDING = 4424;
  /**
   * The client's update wrote under more Yjs client ids new to the document than one connection may bring
   * ({@code CollabServer.Builder.maxNewClientIds}; a Yjs client writes under one). Nothing of it was applied. A Yjs
   * client never does this on its own: do not retry.
   */
  public static final int TOO_MANY_CLIENT_IDS = 4429;
  /**
   * The token the client's session was opened with expired ({@code Principal.expiresAt}, a JWT's {@code exp}) and
   * the client sent no fresh one before. Get a fresh token and reconnect (or reopen the document). Hocuspocus
   * clients hear it for the document whose token expired (as "permission denied", reason "token expired"); the
   * others are closed. y-websocket 3.x's provider does not reconnect on it by itself (a 44xx code): its
   * {@code shouldReconnect} option can, once the page has a fresh token (as Paintbox's page does).
   */
  public static final int TOKEN_EXPIRED = 4440;
  /**
   * The document could not be loaded from the store, or authentication could not be completed (the authenticator
   * failed or timed out). Retry later.
   */
  public static final int UNAVAILABLE = 4503;
  /**
   * The server is at a limit of its own (documents in memory, authentication pool): not the client's fault. Retry
   * later, with backoff.
   */
  public static final int SERVER_BUSY = 4529;
}
