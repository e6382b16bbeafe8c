package ai.candlefish.collab.core;

/**
 * Thrown when bytes from outside (a Yjs update, a state vector, a sync or awareness message) are malformed,
 * truncated, hostile or refer to something that cannot exist.
 *
 * <p>This is the only exception that decoding throws for bad input. Whatever threw it, the document (or the
 * awareness instance) is left exactly as it was before the call: nothing of a rejected message is applied.
 * {@link #offset()} tells the byte position at which the problem was found, so a peer's bad message can be
 * inspected.
 */
public final class DecodingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int offset;

  /**
   * @param message what was wrong, without the offset (it is appended)
   * @param offset the byte offset in the input where the problem was found, or {@code -1} if unknown
   */
  public DecodingException(String message, int offset) {
    super(offset >= 0 ? message + " (at offset " + offset + ")" : message);
    this.offset = offset;
  }

  /**
   * @param message what was wrong, without the offset (it is appended)
   * @param offset the byte offset in the input where the problem was found, or {@code -1} if unknown
   * @param cause the underlying failure
   */
  public DecodingException(String message, int offset, Throwable cause) {
    super(offset >= 0 ? message + " (at offset " + offset + ")" : message, cause);
    this.offset = offset;
  }

  /** The byte offset in the input at which the problem was found, or {@code -1} if it is not known. */
  public int offset() {
    return offset;
  }
}
