package ai.candlefish.collab.server.internal;

/**
 * The server is at a limit of its own (documents in memory, the authentication pool): the client is told
 * {@code CloseCodes.SERVER_BUSY} and retries later.
 */
public final class ServerBusyException extends RuntimeException {
  public ServerBusyException(String message) {
    super(message);
  }
}
