package ai.candlefish.collab.core;

import java.util.Set;

/** The changes of one {@link YMap} in one transaction. */
public final class YMapEvent extends YEvent {
  YMapEvent(SharedType target, Transaction transaction, Set<String> keysChanged) {
    super(target, transaction, keysChanged);
  }
}
