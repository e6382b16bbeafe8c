package ai.candlefish.collab.core;

import java.util.Collections;
import java.util.LinkedHashSet;
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

  /** The names of the attributes that changed, in the order they first changed in the transaction (as Yjs). */
  public Set<String> attributesChanged() {
    Set<String> out = new LinkedHashSet<>(keysChanged);
    out.remove(null);
    return Collections.unmodifiableSet(out);
  }
}
