package ai.candlefish.collab.core;

import org.jspecify.annotations.Nullable;

/**
 * How one map key changed in a transaction.
 *
 * @param action what happened to the key
 * @param oldValue the value before the transaction (null for {@link Action#ADD})
 */
public record EntryChange(Action action, @Nullable Object oldValue) {
  /** What happened to a key. */
  public enum Action {
    ADD,
    UPDATE,
    DELETE
  }
}
