package ai.candlefish.collab.core;

import java.util.Objects;

/** A shared XML element (Yjs {@code Y.XmlElement}): a node name, attributes and child nodes. */
public final class YXmlElement extends YXmlFragment {
  private final String nodeName;

  /** A new preliminary element named {@code nodeName}. */
  public YXmlElement(String nodeName) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
  }

  /** The element's name (e.g. {@code paragraph}). */
  public String nodeName() {
    return nodeName;
  }

  @Override
  int typeRef() {
    return XML_ELEMENT;
  }

  @Override
  void writeTypeRef(UpdateEncoder encoder) {
    encoder.writeTypeRef(XML_ELEMENT);
    encoder.writeKey(nodeName);
  }

  @Override
  SharedType copyEmpty() {
    return new YXmlElement(nodeName);
  }
}
