package ai.candlefish.collab.spring.internal;

/**
 * A {@code candlefish.collab.*} value the server cannot run with, found after binding (a combination of values, a
 * file that cannot be read, a port that is taken). {@link CollabFailureAnalyzer} turns it into Boot's
 * "APPLICATION FAILED TO START" report.
 */
public final class InvalidCollabPropertyException extends IllegalStateException {
  private final String property;
  private final transient Object value;
  private final String reason;
  private final String action;

  /**
   * @param property the full property name, {@code candlefish.collab.…}
   * @param value its value (never a secret: say "(set)" for passwords)
   * @param reason what is wrong with it
   * @param action what to do about it
   * @param cause what the server said, or null
   */
  public InvalidCollabPropertyException(String property, Object value, String reason, String action,
      Throwable cause) {
    super(property + "=" + value + ": " + reason + ". " + action, cause);
    this.property = property;
    this.value = value;
    this.reason = reason;
    this.action = action;
  }

  public String property() {
    return property;
  }

  public Object value() {
    return value;
  }

  public String reason() {
    return reason;
  }

  public String action() {
    return action;
  }
}
