package ai.candlefish.collab.core;

import java.util.Set;

/**
 * A root type created by a received update before this replica asked for it by kind. It holds the content
 * faithfully; {@code Doc.getText(name)} and friends convert it to the right kind.
 */
final class UnknownType extends SharedType {
  @Override
  int typeRef() {
    throw new IllegalStateException("a root type is never encoded as content");
  }

  @Override
  SharedType copyEmpty() {
    return new UnknownType();
  }

  @Override
  YEvent createEvent(Transaction txn, Set<String> keysChanged) {
    return new YMapEvent(this, txn, keysChanged);
  }

  @Override
  public Object toJson() {
    return null;
  }
}
