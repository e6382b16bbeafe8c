package ai.candlefish.collab.server.internal;

/**
 * A client broke its protocol (malformed bytes, an unknown message, a message for a document it did not open): its
 * connection is closed with {@link #closeCode()} and the message as reason. Nothing of the offending message is
 * applied, and no other connection is affected.
 */
public final class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int closeCode;

  /**
   * @param closeCode the WebSocket close code to send
   * @param message the close reason: what was wrong, without document content
   */
  public ProtocolException(int closeCode, String message) {
    super(message);
    this.closeCode = closeCode;
  }

  /**
   * @param closeCode the WebSocket close code to send
   * @param message the close reason: what was wrong, without document content
   * @param cause the decoding failure
   */
  public ProtocolException(int closeCode, String message, Throwable cause) {
    super(message, cause);
    this.closeCode = closeCode;
  }

  /** The WebSocket close code to send. */
  public int closeCode() {
    return closeCode;
  }
}
