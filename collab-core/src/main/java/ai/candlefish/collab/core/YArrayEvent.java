package ai.candlefish.collab.core;

import java.util.Set;

/** The changes of one {@link YArray} in one transaction. */
public final class YArrayEvent extends YEvent {
  YArrayEvent(SharedType target, Transaction transaction, Set<String> keysChanged) {
    super(target, transaction, keysChanged);
  }
}
