package ai.candlefish.collab.core;

import java.util.Set;

/** A shared list of XML nodes (Yjs {@code Y.XmlFragment}), the root type of y-prosemirror and TipTap. */
public sealed class YXmlFragment extends SharedType permits YXmlElement {
  /** A new preliminary fragment. */
  public YXmlFragment() {}

  @Override
  int typeRef() {
    return XML_FRAGMENT;
  }

  @Override
  SharedType copyEmpty() {
    return new YXmlFragment();
  }

  @Override
  YEvent createEvent(Transaction txn, Set<String> keysChanged) {
    return new YXmlEvent(this, txn, keysChanged);
  }

  /** The number of child nodes. */
  public int length() {
    return length;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Object child : listToList()) {
      sb.append(child);
    }
    return sb.toString();
  }

  @Override
  public Object toJson() {
    return toString();
  }
}
