package ai.candlefish.collab.spi;

/**
 * A write under a {@link DocumentLease} was refused because the lease is no longer current: another node took the
 * document over (a later epoch), or this node released it. Nothing was written. The node must stop the document's
 * once-only work; it may {@link DocumentLeases#tryAcquire try to acquire} the document again later.
 */
public final class LeaseLostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message which lease, and which epoch or owner holds the document now */
  public LeaseLostException(String message) {
    super(message);
  }
}
