package ai.candlefish.collab.core;

import java.util.Set;

/** The changes of one {@link YText} in one transaction. */
public final class YTextEvent extends YEvent {
  YTextEvent(SharedType target, Transaction transaction, Set<String> keysChanged) {
    super(target, transaction, keysChanged);
  }
}
