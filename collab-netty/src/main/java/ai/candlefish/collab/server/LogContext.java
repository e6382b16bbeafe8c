package ai.candlefish.collab.server;

/**
 * The SLF4J MDC keys the server sets while it works on a document or a connection, so that every log line about one
 * (the server's, and the host's from its hooks, authenticator and store) carries them: {@code %X{collab.document}}
 * in a logback pattern, or a JSON encoder's MDC fields.
 *
 * <ul>
 *   <li>On a document's threads (its edits, hooks, store calls): {@link #TENANT} and {@link #DOCUMENT}.
 *   <li>On a connection's event loop and its authenticator calls: {@link #CONNECTION} (the id of
 *       {@link ai.candlefish.collab.spi.ConnectionInfo}).
 * </ul>
 */
public final class LogContext {
  /** The document's tenant. */
  public static final String TENANT = "collab.tenant";
  /** The document's name. */
  public static final String DOCUMENT = "collab.document";
  /** The connection's id. */
  public static final String CONNECTION = "collab.connection";

  private LogContext() {}
}
