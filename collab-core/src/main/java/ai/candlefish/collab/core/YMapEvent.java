package ai.candlefish.collab.core;

import java.util.Collections;
import java.util.Set;

/** The changes of one {@link YMap} in one transaction. */
public final class YMapEvent extends YEvent {
  YMapEvent(SharedType target, Transaction transaction, Set<String> keysChanged) {
    super(target, transaction, keysChanged);
  }

  /**
   * The keys written in the transaction, in the order they were first written (Yjs {@code keysChanged}): also a
   * key set and deleted again within it, which {@link #keys()} leaves out because its value did not change.
   */
  public Set<String> keysChanged() {
    return Collections.unmodifiableSet(keysChanged);
  }
}
