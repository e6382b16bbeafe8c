package ai.candlefish.collab.core;

import java.util.HashSet;
import java.util.Set;

/** The changes of one XML fragment or element in one transaction. */
public final class YXmlEvent extends YEvent {
  YXmlEvent(SharedType target, Transaction transaction, Set<String> keysChanged) {
    super(target, transaction, keysChanged);
  }

  /** Whether children were inserted or deleted. */
  public boolean childListChanged() {
    return keysChanged.contains(null);
  }

  /** The names of the attributes that changed. */
  public Set<String> attributesChanged() {
    Set<String> out = new HashSet<>(keysChanged);
    out.remove(null);
    return Set.copyOf(out);
  }
}
