package ai.candlefish.collab.core;

import org.jspecify.annotations.Nullable;

/**
 * Receives the update that each transaction produced, after its observers ran: Yjs v1 bytes when registered with
 * {@link Doc#onUpdate}, v2 bytes with {@link Doc#onUpdateV2}.
 */
@FunctionalInterface
public interface UpdateListener {
  /**
   * @param update the transaction's changes as a Yjs update (v1 or v2, see above); the array is owned by the listener
   * @param origin the transaction's origin (may be null)
   * @param transaction the finished transaction
   */
  void onUpdate(byte[] update, @Nullable Object origin, Transaction transaction);
}
