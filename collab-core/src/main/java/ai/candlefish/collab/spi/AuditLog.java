package ai.candlefish.collab.spi;

import org.jspecify.annotations.Nullable;

/**
 * Who did what with which document, for a host's audit trail (and its duties under data-protection law: who
 * accessed and changed a person's data, who was refused). A server calls it for every connection that authenticated,
 * every document opened, every accepted change, every refusal with its close code and reason, every revocation of a
 * principal, and every export of a document's stored data. collab-netty's {@code Slf4jAuditLog} writes each as one
 * log line; a host with an audit store of its own implements the methods it needs (every one does nothing by
 * default).
 *
 * <p>Never given a token, a cookie or document content: only ids, names, permissions, sizes and reasons.
 *
 * <p>Threads: called on the server's threads, its network threads (event loops, which also run the documents)
 * included, so an implementation must be quick: one that blocks delays every client of that thread (hand slow
 * writes to a queue of your own). What it throws is logged and ignored: the audit log cannot stop a connection or a
 * store. Implementations must be thread-safe.
 */
public interface AuditLog {
  /** An audit log that records nothing. */
  AuditLog NONE = new AuditLog() {};

  /** {@code principal} authenticated on {@code connection}. */
  default void connected(ConnectionInfo connection, Principal principal) {}

  /** {@code principal} opened document {@code key} with {@code permission}. */
  default void opened(ConnectionInfo connection, Principal principal, DocumentKey key, Permission permission) {}

  /**
   * {@code principal} changed document {@code key} with an update of {@code bytes} bytes, which the server accepted
   * (one call per update a client sent).
   */
  default void wrote(ConnectionInfo connection, Principal principal, DocumentKey key, long bytes) {}

  /**
   * The server refused something: a token, a document, an update, or a client that broke a limit.
   *
   * @param principal who, or null if the client had not authenticated
   * @param key the document, or null if the refusal concerns the whole connection
   * @param code the close code ({@code ai.candlefish.collab.server.CloseCodes})
   * @param reason what the client was told
   */
  default void refused(ConnectionInfo connection, @Nullable Principal principal, @Nullable DocumentKey key, int code,
      String reason) {}

  /**
   * The connection ended.
   *
   * @param principal who, or null if the client never authenticated
   */
  default void disconnected(ConnectionInfo connection, @Nullable Principal principal) {}

  /**
   * The host revoked principal {@code principalId} of {@code tenant}: its sessions on {@code connections}
   * connections were ended (each also recorded by {@link #refused} with code 4401 and reason "access revoked"). In a
   * cluster every node records the connections it had, whichever node the host revoked on.
   */
  default void revoked(String tenant, String principalId, int connections) {}

  /** The host exported everything stored for document {@code key} (a right-of-access request, say). */
  default void exported(DocumentKey key) {}
}
