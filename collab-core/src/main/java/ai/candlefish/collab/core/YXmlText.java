package ai.candlefish.collab.core;

/** Shared formatted text inside an XML tree (Yjs {@code Y.XmlText}). */
public final class YXmlText extends YText {
  /** A new preliminary, empty XML text. */
  public YXmlText() {}

  @Override
  int typeRef() {
    return XML_TEXT;
  }

  @Override
  SharedType copyEmpty() {
    return new YXmlText();
  }
}
