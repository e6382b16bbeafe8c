package ai.candlefish.collab.spi;

/**
 * Thrown by {@link CollabHooks#beforeUpdate} to refuse a client's update.
 *
 * <p>The message is sent to the client as the reason of the refusal, so it must say what is wrong ("totals are
 * computed by the server") without secrets or details of the check.
 */
public final class UpdateRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message why the update is refused, safe to show to the client */
  public UpdateRefusedException(String message) {
    super(message);
  }
}
