package ai.candlefish.collab.core;

/** Receives the update (Yjs v1 bytes) that each transaction produced, after its observers ran. */
@FunctionalInterface
public interface UpdateListener {
  /**
   * @param update the transaction's changes as a Yjs v1 update; the array is owned by the listener
   * @param origin the transaction's origin (may be null)
   * @param transaction the finished transaction
   */
  void onUpdate(byte[] update, Object origin, Transaction transaction);
}
