package ai.candlefish.collab.core;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A root type created by a received update before this replica asked for it by kind. It holds the content
 * faithfully; {@code Doc.getText(name)} and friends convert it to the right kind.
 */
final class UnknownType extends SharedType {
  @Override
  public SharedType clone() {
    throw new IllegalStateException("root '" + rootName + "' has no known kind yet: read it with getText, getArray,"
        + " getMap or getXmlFragment before cloning it");
  }

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
  public @Nullable Object toJson() {
    return null;
  }
}
