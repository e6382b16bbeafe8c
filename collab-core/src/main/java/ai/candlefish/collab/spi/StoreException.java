package ai.candlefish.collab.spi;

/**
 * A {@link DocumentStore} could not do what it was asked (the database is down, a file is unreadable, stored bytes
 * are not an update). Stores wrap their own failures in it; the server logs it without document content.
 *
 * <p>What the server does then: a failed {@code load} refuses the clients of that document (they retry) and
 * stores nothing for it; a failed {@code append} or {@code replace} is retried, and the document stays in memory
 * until it is stored.
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the document key but never its content */
  public StoreException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the document key but never its content
   * @param cause the store's own exception
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
