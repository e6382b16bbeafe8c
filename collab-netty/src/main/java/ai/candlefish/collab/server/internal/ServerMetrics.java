package ai.candlefish.collab.server.internal;

/**
 * What the server reports about itself. The default reports nothing; {@link MicrometerMetrics} reports to a
 * Micrometer registry. This interface names no Micrometer type, so the server runs without Micrometer on the class
 * path.
 *
 * <p>Implementations are thread-safe and cheap: they are called on event loops and document threads.
 */
public interface ServerMetrics {
  /** Reports nothing. */
  ServerMetrics NONE = new ServerMetrics() {};

  /** The server started with {@code runtime}: gauges that read its state register here. */
  default void bind(ServerRuntime runtime) {}

  /** A WebSocket connection of {@code protocol} completed its handshake. */
  default void connectionOpened(String protocol) {}

  /** A connection that {@link #connectionOpened} reported closed. */
  default void connectionClosed(String protocol) {}

  /** A whole message of {@code bytes} payload bytes arrived from a client. */
  default void messageReceived(String protocol, int bytes) {}

  /** A whole message of {@code bytes} payload bytes is being sent to a client. */
  default void messageSent(String protocol, int bytes) {}

  /** A client's update was applied to its document in {@code nanos}. */
  default void updateApplied(long nanos) {}

  /** A store call (append or replace) took {@code nanos} and succeeded or failed. */
  default void storeCompleted(long nanos, boolean succeeded) {}

  /**
   * A document's load (from the store; in a cluster, with joining it) took {@code nanos} and succeeded or failed
   * (its clients are refused until a load succeeds).
   */
  default void documentLoaded(long nanos, boolean succeeded) {}

  /**
   * An authenticator call ended: {@code result} is {@code "success"}, {@code "refused"} (the authenticator refused
   * the token), {@code "expired"} (it accepted a token that has expired), {@code "revoked"} (issued before its
   * principal was revoked) or {@code "error"} (it failed otherwise).
   */
  default void authenticated(String result) {}

  /**
   * The server refused something a client sent: a message ({@link ServerMessage.Refused}) or the whole connection
   * (closed for a violation), with the close code that says why.
   */
  default void rejected(int code) {}

  /**
   * A connection was refused before its WebSocket upgrade completed: {@code reason} is {@code "connections"} (the
   * server's limit), {@code "address"} (the limit per remote address), {@code "origin"} (not an allowed origin) or
   * {@code "upgrade-timeout"} (the upgrade took too long); or after it, {@code "authentication-timeout"}: no token
   * was accepted within the authentication timeout (closed with {@code CloseCodes.UNAVAILABLE}).
   */
  default void connectionRefused(String reason) {}

  /**
   * A client's message was held back (reading from it paused) because it was over a limit that slows clients down
   * rather than refusing them: {@code limit} is {@code "messages"}, {@code "authentications"}, {@code "opens"} (the
   * per-connection rates) or {@code "in-flight"} (too many of its messages waiting in documents); or its presence
   * update was coalesced with its next ones: {@code "awareness"}.
   */
  default void throttled(String limit) {}

  /** The server stopped: meters that would keep it reachable are removed. */
  default void close() {}
}
