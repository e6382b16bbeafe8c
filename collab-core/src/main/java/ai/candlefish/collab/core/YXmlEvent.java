package ai.candlefish.collab.core;

import java.util.Set;

/** The changes of one XML type ({@link YXmlFragment}, {@link YXmlElement}, {@link YXmlText}) in one transaction. */
public final class YXmlEvent extends YEvent {
  YXmlEvent(SharedType target, Transaction transaction, Set<String> keysChanged) {
    super(target, transaction, keysChanged);
  }
}
