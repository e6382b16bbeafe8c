package ai.candlefish.collab.spi;

/** What a principal may do with one document. */
public enum Permission {
  /** Nothing: the document cannot be opened (the client is told it is forbidden). */
  NONE,
  /** Read: the client receives the document, its changes and everyone's awareness, and may send awareness, but
   * every update it sends is rejected (nothing of it is applied) and answered with an error. */
  READ,
  /** Read and write. */
  WRITE;

  /** Whether the document may be opened and read. */
  public boolean canRead() {
    return this != NONE;
  }

  /** Whether updates to the document are accepted. */
  public boolean canWrite() {
    return this == WRITE;
  }
}
