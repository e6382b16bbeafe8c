package ai.candlefish.collab.core;

/**
 * Thrown by {@link Doc#applyUpdate(byte[], Object, UpdateLimits)} when a well-formed update would break one of the
 * {@link UpdateLimits}. Nothing of the update was applied: the document is exactly as it was. A server answers the
 * sender with a close code and keeps everything it accepted before.
 */
public final class LimitExceededException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which limit an update would break. */
  public enum Limit {
    /** {@link UpdateLimits#maxDepth()}: shared types nested too deep. */
    DEPTH,
    /** {@link UpdateLimits#maxDocumentBytes()}: the document would grow too large. */
    DOCUMENT_SIZE,
    /** {@link UpdateLimits#maxPendingBytes()}: too much would wait for updates not received. */
    PENDING
  }

  private final Limit limit;

  /**
   * @param limit the limit that would be broken
   * @param message what the update would do and what the limit is
   */
  public LimitExceededException(Limit limit, String message) {
    super(message);
    this.limit = limit;
  }

  /** The limit the update would break. */
  public Limit limit() {
    return limit;
  }
}
