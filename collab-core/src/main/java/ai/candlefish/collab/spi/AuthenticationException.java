package ai.candlefish.collab.spi;

/**
 * Thrown by an {@link Authenticator} (or a {@link CollabHooks} method that may refuse) to refuse a connection.
 *
 * <p>The message is sent to the client as the reason of the close (y-websocket clients log it), so it must say
 * what is wrong ("token expired") without secrets or details of the check.
 */
public final class AuthenticationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message why the connection is refused, safe to show to the client */
  public AuthenticationException(String message) {
    super(message);
  }

  /**
   * @param message why the connection is refused, safe to show to the client
   * @param cause what the check threw (logged by the server, never sent)
   */
  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
